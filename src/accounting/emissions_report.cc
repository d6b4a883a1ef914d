#include "accounting/emissions_report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/quantity_parse.h"
#include "base/time_format.h"

namespace greenrun::accounting {

namespace {

std::string printf_string(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string pct(double part, double whole) {
  if (whole <= 0) return "0%";
  return printf_string("%.1f%%", 100.0 * part / whole);
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string signal_name(intensity::Signal s) { return std::string(intensity::to_string(s)); }

void signal_text(std::string& out, const SignalEmissions& s, const std::string& label, double pue_overhead_g) {
  (void)pue_overhead_g;
  out += pad("Operational, " + label, 34) + pad(format_mass(s.operational), 14);
  out += "(" + printf_string("%.1f", s.effective_intensity().grams_per_kwh()) + " g/kWh effective)";
  if (s.estimate) out += "  [estimate]";
  out += "\n";
  for (const ComponentEmissions& c : s.components)
    out += "  " + pad(c.component, 32) + format_mass(c.operational) + "\n";
  if (!s.complete())
    out += "  INCOMPLETE: " + format_energy(s.energy_unpriced) + " (" + pct(s.energy_unpriced.joules(), s.energy.joules()) +
           " of the energy) has no " + label + " intensity data and is not counted\n";
}

void source_text(std::string& out, const SignalEmissions& s, const std::string& label) {
  out += "  " + label + ": ";
  if (!s.series_source.empty() && s.energy_time_resolved.joules() > 0) {
    out += s.series_zone + " " + s.series_source;
    if (s.series_origin != intensity::Origin::kActual)
      out += " [" + std::string(intensity::to_string(s.series_origin)) + "]";
    out += "; " + pct(s.energy_time_resolved.joules(), s.energy.joules()) + " of the energy time-resolved";
  } else {
    out += "no time-resolved data for this span";
  }
  out += "\n";
  if (s.fallback)
    out += "    fallback: " + pct(s.energy_fallback.joules(), s.energy.joules()) + " of the energy (" +
           format_duration(s.time_fallback) + ") at " + printf_string("%.1f", s.fallback->value.grams_per_kwh()) +
           " g/kWh, " + annual_mean_label(s.fallback->source) + "\n";
  if (s.energy_at_estimated_points.joules() > 0)
    out += "    " + pct(s.energy_at_estimated_points.joules(), s.energy.joules()) +
           " of the energy falls on points the provider marks as estimated\n";
}

nlohmann::json signal_json(const SignalEmissions& s) {
  using nlohmann::json;
  json comps = json::array();
  for (const ComponentEmissions& c : s.components)
    comps.push_back({{"component", c.component}, {"grams", c.operational.grams()}});
  json series = nullptr;
  if (!s.series_source.empty())
    series = {{"zone", s.series_zone},
              {"source", s.series_source},
              {"origin", std::string(intensity::to_string(s.series_origin))}};
  json fallback = nullptr;
  if (s.fallback)
    fallback = {{"g_per_kwh", s.fallback->value.grams_per_kwh()},
                {"source", s.fallback->source},
                {"note", "annual mean, not time-resolved"}};
  return {{"signal", signal_name(s.signal)},
          {"grams", s.operational.grams()},
          {"effective_g_per_kwh", s.effective_intensity().grams_per_kwh()},
          {"components", comps},
          {"coverage",
           {{"time_resolved_j", s.energy_time_resolved.joules()},
            {"fallback_j", s.energy_fallback.joules()},
            {"unpriced_j", s.energy_unpriced.joules()},
            {"estimated_points_j", s.energy_at_estimated_points.joules()},
            {"time_resolved_s", to_seconds(s.time_resolved)},
            {"fallback_s", to_seconds(s.time_fallback)},
            {"unpriced_s", to_seconds(s.time_unpriced)}}},
          {"fallback_grams", s.operational_fallback.grams()},
          {"series", series},
          {"fallback", fallback},
          {"complete", s.complete()},
          {"estimate", s.estimate},
          {"estimate_reasons", s.estimate_reasons}};
}

}  // namespace

std::string breakdown_to_text(const EmissionsBreakdown& b, const ReportContext& ctx) {
  std::string out;
  out += "Emissions of " + (ctx.energy_source.empty() ? std::string("the energy log") : ctx.energy_source) + "\n";
  out += "  where: " + (ctx.description.empty() ? ctx.zone : ctx.description) + "\n";
  out += "  when:  " + format_utc(ctx.start) + " .. " + format_utc(ctx.end) + " (" + format_duration(b.span) +
         (b.active_time != b.span ? ", " + format_duration(b.active_time) + " active" : "") + ")\n\n";

  out += pad("Energy (IT)", 34) + format_energy(b.energy) + "\n";
  for (const ComponentEmissions& c : b.average.components)
    out += "  " + pad(c.component, 32) + pad(format_energy(c.energy), 14) + std::string(to_string(c.method)) + "\n";
  out += "\n";

  signal_text(out, b.average, signal_name(b.average.signal), b.pue_overhead.grams());
  if (b.marginal) signal_text(out, *b.marginal, "marginal", 0);
  else out += pad("Operational, marginal", 34) + "n/a (no marginal series for this zone in the store)\n";

  out += pad("PUE overhead (PUE " + printf_string("%g", b.pue) + ")", 34) + pad(format_mass(b.pue_overhead), 14);
  out += "(+" + format_energy(b.pue_overhead_energy) + "; " + b.pue_source + ")\n";
  if (b.embodied) {
    const EmbodiedLine& e = *b.embodied;
    out += pad("Embodied (SCI M)", 34) + pad(format_mass(e.amount), 14) + "[estimate] " +
           printf_string("%.2f kg", e.input.hardware_total.kilograms()) + " x " + format_duration(e.time_used) + " / " +
           format_duration(e.input.lifetime) + " x share " + printf_string("%.4g", e.input.resource_share) + "\n";
    out += "  " + e.input.source + "\n";
  } else {
    out += pad("Embodied (SCI M)", 34) + "not included: pass --instance or --embodied-kg\n";
  }
  out += pad("Total (" + signal_name(b.average.signal) + ")", 34) + format_mass(b.total) +
         (b.estimate ? "  [estimate]" : "") + "\n";
  if (b.total_marginal) out += pad("Total (marginal)", 34) + format_mass(*b.total_marginal) + "\n";

  out += "\nIntensity\n";
  source_text(out, b.average, signal_name(b.average.signal));
  if (b.marginal) source_text(out, *b.marginal, "marginal");
  if (!b.average.estimate_reasons.empty()) {
    out += "Estimate because:\n";
    for (const std::string& r : b.average.estimate_reasons) out += "  - " + r + "\n";
  }
  return out;
}

std::string breakdown_to_json(const EmissionsBreakdown& b, const ReportContext& ctx) {
  using nlohmann::json;
  json comps = json::array();
  for (const ComponentEmissions& c : b.average.components)
    comps.push_back({{"component", c.component},
                     {"joules", c.energy.joules()},
                     {"kwh", c.energy.kilowatt_hours()},
                     {"method", std::string(to_string(c.method))}});
  json embodied = nullptr;
  if (b.embodied)
    embodied = {{"grams", b.embodied->amount.grams()},
                {"hardware_total_kg", b.embodied->input.hardware_total.kilograms()},
                {"resource_share", b.embodied->input.resource_share},
                {"time_used_s", to_seconds(b.embodied->time_used)},
                {"lifetime_s", to_seconds(b.embodied->input.lifetime)},
                {"source", b.embodied->input.source},
                {"estimate", true}};
  json j = {
      {"schema", "greenrun.emissions/1"},
      {"location",
       {{"zone", ctx.zone},
        {"region", ctx.region.empty() ? json(nullptr) : json(ctx.region)},
        {"description", ctx.description}}},
      {"energy_source", ctx.energy_source},
      {"start", format_utc(ctx.start)},
      {"end", format_utc(ctx.end)},
      {"span_s", to_seconds(b.span)},
      {"active_s", to_seconds(b.active_time)},
      {"energy", {{"joules", b.energy.joules()}, {"kwh", b.energy.kilowatt_hours()}, {"components", comps}}},
      {"operational", {{"average", signal_json(b.average)}, {"marginal", b.marginal ? signal_json(*b.marginal) : json(nullptr)}}},
      {"pue",
       {{"pue", b.pue},
        {"source", b.pue_source},
        {"overhead_j", b.pue_overhead_energy.joules()},
        {"overhead_grams", b.pue_overhead.grams()},
        {"overhead_grams_marginal", b.pue_overhead_marginal ? json(b.pue_overhead_marginal->grams()) : json(nullptr)}}},
      {"embodied", embodied},
      {"total",
       {{"grams", b.total.grams()},
        {"grams_marginal", b.total_marginal ? json(b.total_marginal->grams()) : json(nullptr)},
        {"estimate", b.estimate}}},
  };
  // The energy source names a file, whose path may not be UTF-8: replace
  // its bad bytes instead of throwing type_error 316.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace greenrun::accounting
