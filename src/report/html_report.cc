#include "report/html_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "report/html_escape.h"
#include "report/html_page.h"

namespace greenrun::report {
namespace assets {
extern const std::string_view kChartJs;
extern const std::string_view kChartsJs;
}  // namespace assets

namespace {

void statement_section(Page& p, const Statement& s) {
  p.html +=
      "<section id=\"statement\"><h2>Statement</h2>\n<table "
      "class=\"statement\">\n";
  for (const auto& r : statement_rows(s))
    p.html +=
        "<tr><td>" + esc(r.label) + "</td><td>" + esc(r.value) + "</td></tr>\n";
  p.html += "</table>\n<p id=\"paper-sentence\">" + esc(statement_sentence(s)) +
            "</p>\n<h3>Caveats</h3><ul id=\"caveats\">";
  for (const auto& c : s.caveats) p.html += "<li>" + esc(c) + "</li>";
  p.html += "</ul>\n";
  if (!s.estimate_reasons.empty()) {
    p.html += "<h3>What was estimated, and why</h3><ul>";
    for (const auto& r : s.estimate_reasons)
      p.html += "<li class=\"estimate\">" + esc(r) + "</li>";
    p.html += "</ul>\n";
  }
  p.html += "<h3>Data sources</h3><ul id=\"citations\">";
  for (const auto& c : s.citations)
    p.html += "<li>" + esc(c.citation) + ". Licence: " + esc(c.licence) +
              (c.url.empty() ? "" : " (" + esc(c.url) + ")") + "</li>";
  p.html +=
      "</ul>\n<details><summary>LaTeX snippet</summary><pre id=\"latex\">" +
      esc(statement_latex(s)) + "</pre></details>\n</section>\n";
}

void overview_section(Page& p, const ReportData& d) {
  const Statement& s = d.statement;
  p.html += "<section id=\"overview\"><h2>Emissions breakdown</h2>\n";
  std::vector<std::string> labels = {"operational (average)", "PUE overhead",
                                     "embodied", "marginal (apart)"};
  json values = {
      s.operational_average.grams(), s.pue_overhead.grams(),
      s.runs_with_embodied ? json(s.embodied.grams()) : json(nullptr),
      s.runs_with_marginal ? json(s.marginal.grams()) : json(nullptr)};
  json colors = {"#1b9e77", "#66a61e", "#a6761d", "#7570b3"};
  std::vector<std::string> est;
  bool any_weak = false;
  for (const auto& c : s.components)
    any_weak = any_weak || weak(sensors::to_string(c.method));
  if (any_weak) est.push_back("part of the energy is estimated or simulated");
  if (s.runs_with_embodied)
    est.push_back("embodied emissions are always an estimate");
  if (s.fallback.joules() > 0)
    est.push_back("part of the energy is priced at an annual mean");
  p.figure(
      "breakdown",
      fmt::format(
          "Grams CO2e. Average total {} = operational + PUE overhead{}; "
          "marginal {} is a different "
          "question and is never added.",
          s.runs_with_emissions ? format_mass(s.emissions) : "unknown",
          s.runs_with_embodied ? " (embodied apart)" : "",
          s.runs_with_marginal ? format_mass(s.marginal) : "not available"),
      join_notes(est),
      bars_spec(
          "Emissions breakdown", "g CO2e", labels,
          json::array(
              {{{"label", "g CO2e"}, {"values", values}, {"colors", colors}}}),
          true));
  for (const auto& [key, groups] :
       {std::pair{"project", &d.by_project}, std::pair{"phase", &d.by_phase}}) {
    std::vector<std::string> names;
    json energy = json::array(), co2 = json::array();
    size_t without = 0;
    for (const auto& g : *groups) {
      names.push_back(g.key.empty() ? "(none)" : g.key);
      energy.push_back(Energy::joules(g.job_energy_j).kilowatt_hours() *
                       1000.0);
      co2.push_back(g.runs == g.runs_without_emissions ? json(nullptr)
                                                       : json(g.emissions_g));
      without += g.runs_without_emissions;
    }
    std::string note = any_weak ? "includes estimated or simulated energy" : "";
    p.figure(
        std::string("by-") + key,
        fmt::format(
            "Job energy (Wh) and emissions (g CO2e, average signal incl. PUE) "
            "per {}{}.",
            key,
            without
                ? fmt::format(
                      "; {} runs without an emissions figure count as unknown",
                      without)
                : ""),
        note,
        bars_spec(
            fmt::format("Per {}", key), "Wh / g CO2e", names,
            json::array({{{"label", "job energy (Wh)"}, {"values", energy}},
                         {{"label", "emissions (g CO2e)"}, {"values", co2}}})));
  }
  p.html += "</section>\n";
}

void run_section(Page& p, const RunView& v, size_t index) {
  const auto& r = v.record;
  const std::string energy_est = energy_estimate(r);
  p.html += fmt::format(
      "<section class=\"run\" id=\"run-{}\"><h2>Run <code>{}</code>{}</h2>\n",
      index, esc(r.id),
      r.simulated() ? " <span class=\"estimate\">[SIMULATED]</span>" : "");
  std::string command;
  for (const auto& a : r.command) command += (command.empty() ? "" : " ") + a;
  p.html += "<table class=\"statement\">";
  const auto row = [&](const std::string& k, const std::string& val) {
    p.html += "<tr><td>" + esc(k) + "</td><td>" + esc(val) + "</td></tr>";
  };
  row("command", command);
  row("project / phase", (r.project.empty() ? "-" : r.project) + " / " +
                             (r.phase.empty() ? "-" : r.phase));
  row("started", format_utc(r.started) + ", " + format_duration(r.duration) +
                     ", exit status " + std::to_string(r.exit_status));
  row("zone", (r.zone.empty() ? "world average" : r.zone) + " (from " +
                  r.zone_source + ")");
  row("job energy", format_energy(r.job_energy()) + " (" +
                        std::string(sensors::to_string(r.weakest_method())) +
                        ")");
  row("emissions (average)",
      r.average ? format_mass(r.average->job) + " CO2e; " + r.average->source
                : "unknown");
  if (r.marginal)
    row("emissions (marginal)",
        format_mass(r.marginal->job) + " CO2e; " + r.marginal->source);
  for (const auto& w : r.warnings) row("warning", w);
  p.html += "</table>\n";

  // Power per component.
  const auto& t = v.trace;
  json series = json::array();
  for (const auto& s : t.series) {
    json pts = json::array();
    for (const auto& e : s.points)
      pts.push_back({e.t_ms, e.mean, e.min, e.max});
    series.push_back({{"component", s.component},
                      {"method", s.method},
                      {"points", std::move(pts)}});
  }
  const std::string power_caption =
      !t.found ? "No power trace: timeline.jsonl could not be read (see the "
                 "problems above)."
      : t.downsampled
          ? fmt::format(
                "The job's power per component; {} samples shown as {} buckets "
                "(mean, with the min/max "
                "envelope shaded). Total {} from every sample.",
                t.samples, kDisplayBuckets, format_energy(t.job_energy))
          : fmt::format(
                "The job's power per component, every one of {} samples. Total "
                "{}.",
                t.samples, format_energy(t.job_energy));
  p.figure(fmt::format("power-{}", index), power_caption, energy_est,
           {{"kind", "power"},
            {"title", "Power per component"},
            {"series", series},
            {"envelope", t.downsampled}});

  // Intensity with the schedule.
  json pts = json::array();
  for (const auto& [ms, g] : v.intensity) pts.push_back({ms, g});
  json spans = json::array();
  for (const auto& s : v.spans)
    spans.push_back(
        {{"start_ms", s.start_ms}, {"end_ms", s.end_ms}, {"kind", s.kind}});
  std::string intensity_est;
  if (v.intensity.empty())
    intensity_est = "no time-resolved intensity to draw";
  else if (r.schedule && r.schedule->forecast_origin == "typical")
    intensity_est = "the schedule used a typical profile";
  p.html +=
      "<p class=\"legend\"><span><i class=\"swatch\" "
      "style=\"background:rgba(27,158,119,.4)\"></i>ran</span>"
      "<span><i class=\"swatch\" "
      "style=\"background:rgba(120,120,120,.45)\"></i>paused</span>"
      "<span><i class=\"swatch\" "
      "style=\"background:rgba(230,171,2,.3)\"></i>waited</span>"
      "<span><i class=\"swatch\" style=\"border:2px dashed #d95f02\"></i>had "
      "it run at once</span>"
      "<span><i class=\"swatch\" style=\"border:2px dotted #7570b3\"></i>best "
      "start (hindsight)</span></p>\n";
  p.figure(
      fmt::format("intensity-{}", index),
      fmt::format(
          "Average life-cycle intensity of {} ({}{}), with the schedule "
          "executed.",
          r.zone.empty() ? "the world average" : r.zone, v.intensity_source,
          v.intensity_resolution.empty() ? "" : ", " + v.intensity_resolution),
      intensity_est,
      {{"kind", "intensity"},
       {"title", "Carbon intensity and the schedule"},
       {"points", pts},
       {"end_ms", v.intensity_end_ms},
       {"series_label", "g CO2e/kWh"},
       {"spans", spans}});

  // What-ifs.
  const auto what_if = [&](const std::vector<WhatIf>& w, const std::string& id,
                           const std::string& title, const std::string& caption,
                           std::string est) {
    std::vector<std::string> labels;
    json values = json::array(), colors = json::array();
    for (const auto& x : w) {
      labels.push_back(x.label);
      values.push_back(x.grams);
      colors.push_back(x.actual ? "#d95f02" : "#1b9e77");
    }
    if (!energy_est.empty())
      est = est.empty() ? energy_est : est + "; " + energy_est;
    p.figure(id, w.empty() ? "Not computed: " + caption : caption, est,
             bars_spec(title, "g CO2e (operational, before PUE)", labels,
                       json::array({{{"label", "g CO2e"},
                                     {"values", values},
                                     {"colors", colors}}})));
  };
  what_if(v.start_what_if, fmt::format("whatif-start-{}", index),
          "The same energy started earlier or later",
          v.start_what_if.empty()
              ? "the stored series does not cover the shifted runs, or the run "
                "has no power trace."
              : "The run's hourly energy profile shifted in time and priced on "
                "the stored series; orange is as run.",
          "");
  what_if(v.region_what_if, fmt::format("whatif-region-{}", index),
          "The same energy in other zones",
          "The run's energy priced at each zone's annual mean; orange is the "
          "run's own zone.",
          "annual means, not time-resolved");
  p.html += "</section>\n";
}

}  // namespace

std::string_view chart_library_js() { return assets::kChartJs; }
std::string_view chart_code_js() { return assets::kChartsJs; }
bool chart_library_available() { return !assets::kChartJs.empty(); }

std::string html_report(const ReportData& d) {
  Page p;
  const Statement& s = d.statement;
  p.html += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" "
      "content=\"width=device-width,initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"greenrun {}\">\n<title>greenrun "
      "report: {}</title>\n"
      "<style>{}</style></head><body>\n",
      esc(s.version), esc(s.scope), kStyle);
  p.html += fmt::format(
      "<header><h1>Energy and emissions report</h1><p id=\"scope\">{}; written "
      "by greenrun {}.</p>"
      "</header>\n",
      esc(s.scope), esc(s.version));
  if (!chart_library_available())
    p.html +=
        "<p class=\"problems\">This greenrun was built without Chart.js "
        "(Debian package libjs-chart.js), so the "
        "figures below are empty; the statement is complete.</p>\n";
  if (s.runs == 0)
    p.html +=
        "<p class=\"problems\" id=\"no-runs\">No runs match the "
        "selection.</p>\n";
  if (!s.problems.empty()) {
    p.html +=
        "<div class=\"problems\" id=\"problems\"><strong>Problems with the "
        "input</strong><ul>";
    for (const auto& x : s.problems) p.html += "<li>" + esc(x) + "</li>";
    p.html += "</ul></div>\n";
  }
  statement_section(p, s);
  if (s.runs > 0) overview_section(p, d);
  if (d.runs_not_detailed)
    p.html += fmt::format(
        "<p>{} older runs are in the statement and the bars but not drawn one "
        "by one.</p>\n",
        d.runs_not_detailed);
  for (size_t i = 0; i < d.runs.size(); ++i) run_section(p, d.runs[i], i);
  p.scripts();
  p.html += "</body></html>\n";
  return p.html;
}

}  // namespace greenrun::report
