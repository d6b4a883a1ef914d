// The four renderings of a Statement. Text, Markdown and LaTeX share one list
// of rows (label, value) and one list of sentences, so they cannot disagree.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "report/statement.h"

namespace greenrun::report {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string zone_name(const std::string& z) {
  return z.empty() ? "world average (no location known)" : z;
}

std::string years_text(const std::vector<int>& years) {
  std::vector<std::string> y;
  for (int x : years) y.push_back(std::to_string(x));
  return join(y, ", ");
}

std::string zone_line(const StatementZone& z) {
  std::string src = z.sources.empty() ? "no intensity source recorded"
                                      : join(z.sources, "; ");
  std::string extra;
  if (!z.origins.empty()) extra += ", origin " + join(z.origins, "/");
  if (!z.fallback_sources.empty())
    extra += "; annual-mean fallback: " + join(z.fallback_sources, "; ");
  return fmt::format(
      "{}: {} of job energy in {}; intensity {}{}; year {}; resolution {}",
      zone_name(z.zone), format_energy(z.energy),
      z.runs == 1 ? "1 run" : std::to_string(z.runs) + " runs", src, extra,
      years_text(z.years),
      z.resolution.empty() ? "unknown (no stored series covers the runs)"
                           : z.resolution);
}

std::string emissions_value(const Statement& s) {
  if (s.runs_with_emissions == 0)
    return "unknown (no run has an emissions figure)";
  return fmt::format(
      "{} CO2e (average life-cycle intensity: operational {} + PUE overhead "
      "{})",
      format_mass(s.emissions), format_mass(s.operational_average),
      format_mass(s.pue_overhead));
}

std::string scheduling_value(const Statement& s) {
  if (s.scheduled_runs == 0) return "no run was scheduled carbon-aware";
  const Mass a = s.scheduling_avoided();
  return fmt::format(
      "{} {} by {} carbon-aware run{} ({} realised against {} had they run at "
      "once)",
      format_mass(Mass::grams(std::abs(a.grams()))),
      a.grams() >= 0 ? "avoided" : "added", s.scheduled_runs,
      s.scheduled_runs == 1 ? "" : "s", format_mass(s.scheduled_emissions),
      format_mass(s.scheduled_at_once));
}

std::vector<StatementRow> rows(const Statement& s) {
  std::vector<StatementRow> r;
  std::string span = "no runs";
  if (s.first_start && s.last_end)
    span = fmt::format("{} run{}, {} to {}, {} in all", s.runs,
                       s.runs == 1 ? "" : "s", format_utc(*s.first_start),
                       format_utc(*s.last_end), format_duration(s.duration));
  r.push_back({"Runs", span});
  r.push_back(
      {"Energy", fmt::format("{} (the jobs' share of {} used by the machines)",
                             format_energy(s.job_energy),
                             format_energy(s.machine_energy))});
  r.push_back({"Emissions", emissions_value(s)});
  r.push_back({"Marginal emissions",
               s.runs_with_marginal
                   ? fmt::format("{} CO2e (kept apart; not added above)",
                                 format_mass(s.marginal))
                   : std::string("not available")});
  r.push_back({"Embodied emissions",
               s.runs_with_embodied
                   ? fmt::format("{} CO2e (estimate; not included above)",
                                 format_mass(s.embodied))
                   : std::string("not included")});
  r.push_back(
      {"Priced time-resolved",
       fmt::format("{:.1f} % of job energy ({} at an annual mean, {} unpriced)",
                   100 * s.time_resolved_share(), format_energy(s.fallback),
                   format_energy(s.unpriced))});
  r.push_back(
      {"PUE", s.pue_min == s.pue_max
                  ? fmt::format("{:.2f}", s.pue_min)
                  : fmt::format("{:.2f} to {:.2f}", s.pue_min, s.pue_max)});
  r.push_back(
      {"Accelerator-hours", fmt::format("{:.2f}", s.accelerator_hours)});
  r.push_back({"Hardware", s.hardware.empty() ? std::string("not recorded")
                                              : join(s.hardware, " | ")});
  for (const auto& z : s.zones) r.push_back({"Zone", zone_line(z)});
  for (const auto& c : s.components)
    r.push_back({"Energy " + c.component,
                 fmt::format("{} ({})", format_energy(c.energy),
                             sensors::to_string(c.method))});
  r.push_back({"Carbon-aware scheduling", scheduling_value(s)});
  if (s.flexible_runs) {
    const Mass saving = s.flexible_baseline - s.flexible_best;
    r.push_back({"Best start (hindsight)",
                 fmt::format("{} less had each run started at the cleanest "
                             "time within 24 h ({} against {})",
                             format_mass(saving), format_mass(s.flexible_best),
                             format_mass(s.flexible_baseline))});
  }
  r.push_back({"greenrun", fmt::format("{} (runs recorded by {})", s.version,
                                       join(s.recorded_versions, ", "))});
  return r;
}

// The one paragraph a paper can print, in plain words.
std::string paper_sentence(const Statement& s) {
  if (s.runs == 0) return "No runs match the selection.";
  std::vector<std::string> zones;
  for (const auto& z : s.zones)
    zones.push_back(z.zone.empty() ? "an unknown location (world average)"
                                   : z.zone);
  std::string text = fmt::format(
      "The {} reported here used {} of electricity over {} ({:.2f} "
      "accelerator-hours) in {}, "
      "emitting {} CO2e at the grids' average life-cycle carbon intensity (PUE "
      "{:.2f}; {:.0f} % of the energy priced "
      "with time-resolved intensity data).",
      s.runs == 1 ? "run" : fmt::format("{} runs", s.runs),
      format_energy(s.job_energy), format_duration(s.duration),
      s.accelerator_hours, join(zones, ", "),
      s.runs_with_emissions ? format_mass(s.emissions) : "an unknown mass of",
      s.pue_max, 100 * s.time_resolved_share());
  if (s.runs_with_marginal)
    text += fmt::format(" At marginal intensity the figure is {} CO2e.",
                        format_mass(s.marginal));
  if (s.scheduled_runs)
    text += fmt::format(
        " Carbon-aware scheduling {} {} CO2e.",
        s.scheduling_avoided().grams() >= 0 ? "avoided" : "added",
        format_mass(Mass::grams(std::abs(s.scheduling_avoided().grams()))));
  text += fmt::format(
      " Energy and emissions were measured and accounted with greenrun {}.",
      s.version);
  return text;
}

std::string latex_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '{':
        out += "\\{";
        break;
      case '}':
        out += "\\}";
        break;
      case '$':
        out += "\\$";
        break;
      case '&':
        out += "\\&";
        break;
      case '#':
        out += "\\#";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '_':
        out += "\\_";
        break;
      case '%':
        out += "\\%";
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Markdown: a table cell may not hold a bar or a newline; other markup is
// escaped.
std::string md_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_{}[]<>|#").find(c) != std::string_view::npos)
      out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::vector<StatementRow> statement_rows(const Statement& s) { return rows(s); }
std::string statement_sentence(const Statement& s) { return paper_sentence(s); }

std::string statement_text(const Statement& s) {
  std::string out =
      fmt::format("Energy and emissions statement: {}\n\n", s.scope);
  for (const auto& r : rows(s))
    out += fmt::format("  {:<24} {}\n", r.label + ":", r.value);
  out += "\n" + paper_sentence(s) + "\n";
  if (!s.problems.empty()) {
    out += "\nProblems with the input:\n";
    for (const auto& p : s.problems) out += "  - " + p + "\n";
  }
  out += "\nCaveats:\n";
  for (const auto& c : s.caveats) out += "  - " + c + "\n";
  if (!s.estimate_reasons.empty()) {
    out += "\nWhat was estimated, and why:\n";
    for (const auto& r : s.estimate_reasons) out += "  - " + r + "\n";
  }
  out += "\nData sources:\n";
  for (const auto& c : s.citations)
    out += fmt::format("  - {}. Licence: {}{}\n", c.citation, c.licence,
                       c.url.empty() ? "" : " (" + c.url + ")");
  return out;
}

std::string statement_markdown(const Statement& s) {
  std::string out = fmt::format(
      "## Energy and emissions statement\n\n*{}*\n\n| | |\n|---|---|\n",
      md_escape(s.scope));
  for (const auto& r : rows(s))
    out += fmt::format("| {} | {} |\n", md_escape(r.label), md_escape(r.value));
  out += "\n" + md_escape(paper_sentence(s)) + "\n";
  if (!s.problems.empty()) {
    out += "\n### Problems with the input\n\n";
    for (const auto& p : s.problems) out += "- " + md_escape(p) + "\n";
  }
  out += "\n### Caveats\n\n";
  for (const auto& c : s.caveats) out += "- " + md_escape(c) + "\n";
  if (!s.estimate_reasons.empty()) {
    out += "\n### What was estimated, and why\n\n";
    for (const auto& r : s.estimate_reasons) out += "- " + md_escape(r) + "\n";
  }
  out += "\n### Data sources\n\n";
  for (const auto& c : s.citations)
    out += fmt::format("- {}. Licence: {}{}\n", md_escape(c.citation),
                       md_escape(c.licence),
                       c.url.empty() ? "" : " (<" + c.url + ">)");
  return out;
}

std::string statement_latex(const Statement& s) {
  std::string out = "% Energy and emissions statement written by greenrun " +
                    s.version + "\n";
  out += "% Scope: " + latex_escape(s.scope) + "\n";
  out += latex_escape(paper_sentence(s)) + "\n\n";
  out += "\\begin{itemize}\n";
  for (const auto& r : rows(s))
    out += "  \\item \\textbf{" + latex_escape(r.label) + ":} " +
           latex_escape(r.value) + "\n";
  out += "\\end{itemize}\n\n";
  if (!s.problems.empty()) {
    out += "\\paragraph{Problems with the input.}\n\\begin{itemize}\n";
    for (const auto& p : s.problems)
      out += "  \\item " + latex_escape(p) + "\n";
    out += "\\end{itemize}\n\n";
  }
  out += "\\paragraph{Caveats.}\n\\begin{itemize}\n";
  for (const auto& c : s.caveats) out += "  \\item " + latex_escape(c) + "\n";
  for (const auto& r : s.estimate_reasons)
    out += "  \\item Estimated: " + latex_escape(r) + "\n";
  out += "\\end{itemize}\n\n";
  out += "\\paragraph{Data sources.}\n\\begin{itemize}\n";
  for (const auto& c : s.citations)
    out += "  \\item " + latex_escape(c.citation) +
           ". Licence: " + latex_escape(c.licence) +
           (c.url.empty() ? "" : ", \\url{" + latex_escape(c.url) + "}") +
           ".\n";
  out += "\\end{itemize}\n";
  return out;
}

std::string statement_json(const Statement& s) {
  using nlohmann::ordered_json;
  ordered_json zones = ordered_json::array();
  for (const auto& z : s.zones)
    zones.push_back(
        {{"zone", z.zone},
         {"runs", z.runs},
         {"job_energy_j", z.energy.joules()},
         {"sources", z.sources},
         {"origins", z.origins},
         {"fallback_sources", z.fallback_sources},
         {"years", z.years},
         {"resolution", z.resolution.empty() ? ordered_json(nullptr)
                                             : ordered_json(z.resolution)}});
  ordered_json comps = ordered_json::array();
  for (const auto& c : s.components)
    comps.push_back({{"component", c.component},
                     {"job_energy_j", c.energy.joules()},
                     {"method", std::string(sensors::to_string(c.method))}});
  ordered_json cites = ordered_json::array();
  for (const auto& c : s.citations)
    cites.push_back({{"key", c.key},
                     {"name", c.name},
                     {"citation", c.citation},
                     {"licence", c.licence},
                     {"url", c.url}});
  const auto opt_time = [](const std::optional<UtcTime>& t) {
    return t ? ordered_json(format_utc(*t)) : ordered_json(nullptr);
  };
  const auto opt_mass = [](size_t n, Mass m) {
    return n ? ordered_json(m.grams()) : ordered_json(nullptr);
  };
  ordered_json j = {
      {"schema", "greenrun.statement/1"},
      {"scope", s.scope},
      {"runs", s.runs},
      {"first_start", opt_time(s.first_start)},
      {"last_end", opt_time(s.last_end)},
      {"duration_s", to_seconds(s.duration)},
      {"job_energy_j", s.job_energy.joules()},
      {"job_energy_kwh", s.job_energy.kilowatt_hours()},
      {"machine_energy_j", s.machine_energy.joules()},
      {"emissions_g", opt_mass(s.runs_with_emissions, s.emissions)},
      {"emissions_kg", s.runs_with_emissions
                           ? ordered_json(s.emissions.kilograms())
                           : ordered_json(nullptr)},
      {"runs_without_emissions", s.runs - s.runs_with_emissions},
      {"operational_average_g", s.operational_average.grams()},
      {"pue_overhead_g", s.pue_overhead.grams()},
      {"marginal_g", opt_mass(s.runs_with_marginal, s.marginal)},
      {"embodied_g", opt_mass(s.runs_with_embodied, s.embodied)},
      {"pricing",
       {{"time_resolved_j", s.time_resolved.joules()},
        {"fallback_j", s.fallback.joules()},
        {"unpriced_j", s.unpriced.joules()},
        {"time_resolved_share", s.time_resolved_share()}}},
      {"pue", {{"min", s.pue_min}, {"max", s.pue_max}}},
      {"accelerator_hours", s.accelerator_hours},
      {"hardware", s.hardware},
      {"zones", zones},
      {"components", comps},
      {"estimate_reasons", s.estimate_reasons},
      {"scheduling",
       {{"scheduled_runs", s.scheduled_runs},
        {"emissions_g", s.scheduled_emissions.grams()},
        {"at_once_g", s.scheduled_at_once.grams()},
        {"avoided_g", s.scheduling_avoided().grams()}}},
      {"best_start_hindsight",
       {{"runs", s.flexible_runs},
        {"baseline_g", s.flexible_baseline.grams()},
        {"best_g", s.flexible_best.grams()}}},
      {"greenrun_version", s.version},
      {"recorded_by", s.recorded_versions},
      {"statement", paper_sentence(s)},
      {"caveats", s.caveats},
      {"problems", s.problems},
      {"citations", cites},
  };
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace greenrun::report
