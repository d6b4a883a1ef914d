#include "report/dashboard_page.h"

#include <fmt/format.h>

#include <algorithm>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"
#include "report/html_page.h"
#include "report/html_report.h"

namespace greenrun::report {
namespace {

// "2026-12-07 14:00" (UTC, minutes).
std::string short_utc(UtcTime t) {
  std::string s = format_utc(t);  // 2026-12-07T14:00:00Z
  if (s.size() >= 16) s = s.substr(0, 10) + " " + s.substr(11, 5);
  return s;
}

std::string intensity_text(CarbonIntensity c) { return fmt::format("{:.0f} g/kWh", c.grams_per_kwh()); }

void live_section(Page& p, const engine::Dashboard& d) {
  p.html += "<section id=\"live\"><h2>Runs in progress</h2>\n";
  if (d.live.empty()) {
    p.html += "<p id=\"no-live\">No run in progress.</p></section>\n";
    return;
  }
  p.html +=
      "<table class=\"list\" id=\"live-runs\"><tr><th>run</th><th>project</th><th>phase</th><th>zone</th>"
      "<th>schedule</th><th>state</th><th>next decision (UTC)</th><th>job power</th><th>job energy so far</th>"
      "<th>method</th></tr>\n";
  for (const auto& r : d.live) {
    double watts = 0, joules = 0;
    std::vector<std::string> weak_parts;
    for (const auto& c : r.components) {
      watts += c.job_watts;
      joules += c.job_joules;
      if (weak(c.method)) weak_parts.push_back(c.component + " " + c.method);
    }
    const std::string method = weak_parts.empty() ? "measured" : join_notes(weak_parts);
    p.html += fmt::format(
        "<tr data-run=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"state\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td{}>{}</td></tr>\n",
        esc(r.id), esc(r.id), esc(r.project), esc(r.phase), esc(r.zone.empty() ? "world average" : r.zone),
        esc(r.mode.empty() ? "at once" : r.mode), esc(r.state),
        r.next_decision ? esc(short_utc(*r.next_decision)) : "", esc(format_power(Power::watts(watts))),
        esc(format_energy(Energy::joules(joules))), weak_parts.empty() ? "" : " class=\"estimate\"", esc(method));
  }
  p.html += "</table></section>\n";
}

void projects_section(Page& p, const engine::Dashboard& d) {
  p.html += "<section id=\"projects\"><h2>Projects</h2>\n";
  if (d.projects.empty()) {
    p.html += "<p id=\"no-runs\">No runs recorded yet.</p></section>\n";
    return;
  }
  std::vector<std::string> labels;
  json wh = json::array(), grams = json::array();
  std::vector<std::string> weak_projects;
  for (const auto& t : d.projects) {
    const std::string name = t.key.empty() ? "(none)" : t.key;
    labels.push_back(name);
    wh.push_back(t.job_energy.joules() / 3600.0);
    grams.push_back(t.emissions.grams());
    if (weak(sensors::to_string(t.weakest_method))) weak_projects.push_back(name);
  }
  const std::string estimate =
      weak_projects.empty() ? "" : "energy of " + join_notes(weak_projects) + " includes estimated or simulated figures";
  p.figure("projects", "Job energy (Wh) and emissions (g CO2e, average signal, with PUE) per project, all runs.",
           estimate,
           bars_spec("Energy and emissions per project", "Wh / g CO2e", labels,
                     json::array({{{"label", "job energy (Wh)"}, {"values", wh}},
                                  {{"label", "emissions (g CO2e)"}, {"values", grams}}})));
  p.html +=
      "<table class=\"list\" id=\"project-totals\"><tr><th>project</th><th>runs</th><th>job energy</th>"
      "<th>emissions</th><th>runs without emissions</th><th>avoided by scheduling</th><th>weakest method</th></tr>\n";
  for (const auto& t : d.projects) {
    const std::string method(sensors::to_string(t.weakest_method));
    p.html += fmt::format(
        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td{}>{}</td></tr>\n",
        esc(t.key.empty() ? "(none)" : t.key), t.runs, esc(format_energy(t.job_energy)),
        esc(format_mass(t.emissions)), t.runs_without_emissions,
        t.scheduled_runs ? esc(format_mass(t.scheduling_avoided)) : "", weak(method) ? " class=\"estimate\"" : "",
        esc(method));
  }
  p.html += "</table></section>\n";
}

void recent_section(Page& p, const engine::Dashboard& d) {
  if (d.runs.empty()) return;
  p.html += fmt::format("<section id=\"recent\"><h2>The {} newest runs</h2>\n", d.runs.size());
  p.html +=
      "<table class=\"list\" id=\"recent-runs\"><tr><th>run</th><th>started (UTC)</th><th>project</th>"
      "<th>phase</th><th>zone</th><th>duration</th><th>job energy</th><th>emissions</th><th>exit</th>"
      "<th>notes</th></tr>\n";
  for (const auto& r : d.runs) {
    const std::string est = energy_estimate(r);
    std::string emissions = "unknown";
    if (r.average) emissions = format_mass(r.average->job);
    std::string notes = est;
    if (r.schedule) notes = join_notes({"carbon-aware", notes});
    p.html += fmt::format(
        "<tr data-run=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td{}>{}</td></tr>\n",
        esc(r.id), esc(r.id), esc(short_utc(r.started)), esc(r.project), esc(r.phase),
        esc(r.zone.empty() ? "world average" : r.zone),
        fmt::format("{:.1f} s", std::chrono::duration<double>(r.duration).count()), esc(format_energy(r.job_energy())),
        esc(emissions), r.exit_status, est.empty() ? "" : " class=\"estimate\"", esc(notes));
  }
  p.html += "</table></section>\n";
}

void zones_section(Page& p, const engine::Dashboard& d) {
  const auto hours = std::chrono::duration<double, std::ratio<3600>>(d.request.horizon).count();
  const auto window_min = std::chrono::duration_cast<std::chrono::minutes>(d.request.window).count();
  p.html += fmt::format("<section id=\"zones\"><h2>Intensity over the next {:g} h</h2>\n", hours);
  if (d.zones.empty()) {
    p.html +=
        "<p id=\"no-zones\">No zone has stored data reaching past now: import a forecast "
        "(<code>greenrun intensity fetch</code> or <code>import</code>) to see the best window.</p></section>\n";
    return;
  }
  p.html +=
      "<p class=\"legend\"><span><i class=\"swatch\" style=\"border:2px dotted #7570b3\"></i>the best window "
      "(least mean intensity)</span></p>\n";
  for (size_t i = 0; i < d.zones.size(); ++i) {
    const auto& z = d.zones[i];
    const std::string id = fmt::format("zone-{}", i);
    if (!z.problem.empty()) {
      p.html += fmt::format("<p class=\"problems\" id=\"{}\">{}: no outlook: {}</p>\n", esc(id), esc(z.zone),
                            esc(z.problem));
      continue;
    }
    json pts = json::array();
    for (size_t k = 0; k < z.series.size(); ++k) {
      const auto pt = z.series.point(k);
      pts.push_back({ms_of(pt.start), pt.value.grams_per_kwh()});
    }
    json spans = json::array();
    std::string caption = z.zone + ": " + z.label + ".";
    if (z.now_value) caption += " Now " + intensity_text(*z.now_value) + ".";
    if (z.best_start && z.best_mean) {
      spans.push_back({{"start_ms", ms_of(*z.best_start)},
                       {"end_ms", ms_of(*z.best_start + d.request.window)},
                       {"kind", "best-start"}});
      caption += fmt::format(" Best {} min window starts {} UTC at a mean of {}", window_min,
                             short_utc(*z.best_start), intensity_text(*z.best_mean));
      if (z.now_value && z.now_value->grams_per_kwh() > 0)
        caption += fmt::format(" ({:.0f} % below now)",
                               100.0 * (1.0 - z.best_mean->grams_per_kwh() / z.now_value->grams_per_kwh()));
      caption += ".";
    } else {
      caption += " No whole window is covered.";
    }
    for (const auto& w : z.warnings) caption += " " + w;
    const std::string estimate = !z.estimate ? ""
                                 : z.label.find("typical profile") != std::string::npos
                                     ? "partly or wholly a typical profile, not a forecast"
                                     : "holds points marked estimated by their source";
    p.figure(id, caption, estimate,
             {{"kind", "intensity"},
              {"title", z.zone + ": intensity ahead and the best window"},
              {"points", pts},
              {"end_ms", z.series.empty() ? ms_of(d.now) : ms_of(z.series.end())},
              {"series_label", "g CO2e/kWh"},
              {"spans", spans}});
  }
  if (d.zones_left_out)
    p.html += fmt::format("<p>{} more zones with data are not drawn.</p>\n", d.zones_left_out);
  p.html += "</section>\n";
}

}  // namespace

std::string dashboard_page(const engine::Dashboard& d, int refresh_seconds) {
  Page p;
  p.html += fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n{}"
      "<meta name=\"generator\" content=\"greenrun {}\">\n<title>greenrun dashboard</title>\n<link rel=\"icon\" href=\"data:,\">\n"
      "<style>{}</style></head><body>\n",
      refresh_seconds > 0 ? fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">\n", refresh_seconds) : "",
      esc(runner::greenrun_version()), kStyle);
  p.html += fmt::format(
      "<header><h1>greenrun dashboard</h1><p id=\"as-of\" data-now-ms=\"{}\">As of {} UTC; greenrun {}{}. "
      "The full statement for a paper: <code>greenrun report</code>.</p></header>\n",
      ms_of(d.now), esc(short_utc(d.now)), esc(runner::greenrun_version()),
      refresh_seconds > 0 ? fmt::format("; this page reloads every {} s", refresh_seconds) : "");
  if (!chart_library_available())
    p.html +=
        "<p class=\"problems\">This greenrun was built without Chart.js (Debian package libjs-chart.js), so the "
        "figures are empty; the tables are complete.</p>\n";
  if (!d.problems.empty()) {
    p.html += "<div class=\"problems\" id=\"problems\"><ul>";
    for (const auto& x : d.problems) p.html += "<li>" + esc(x) + "</li>";
    p.html += "</ul></div>\n";
  }
  live_section(p, d);
  zones_section(p, d);
  projects_section(p, d);
  recent_section(p, d);
  p.scripts();
  p.html += "</body></html>\n";
  return p.html;
}

}  // namespace greenrun::report
