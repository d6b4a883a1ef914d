#include "greenrun/accounting/emissions_report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/json_object_reader.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"

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

namespace greenrun::accounting {
namespace {

std::optional<SignalEmissions> signal_from(JsonObjectReader& r, const EmissionsBreakdown& b, bool average) {
  SignalEmissions s;
  const std::string name = r.string("signal", true);
  if (r.failed()) return std::nullopt;
  auto signal = intensity::parse_signal(name);
  if (!signal || intensity::is_average(*signal) != average) {
    r.fail(r.member("signal"), average ? "expected an average signal, got \"" + name + "\""
                                       : "expected marginal, got \"" + name + "\"");
    return std::nullopt;
  }
  s.signal = *signal;
  s.energy = b.energy;
  s.operational = r.grams("grams", true);
  size_t i = 0;
  r.objects("components", [&](JsonObjectReader& c) {
    ComponentEmissions e;
    e.component = c.string("component", true);
    e.operational = c.grams("grams", true);
    // Energy and method are the energy section's (the same timeline).
    if (i < b.average.components.size() && b.average.components[i].component == e.component) {
      e.energy = b.average.components[i].energy;
      e.method = b.average.components[i].method;
    } else if (!c.failed()) {
      c.fail(c.member("component"), "expected the energy section's component " +
                                        (i < b.average.components.size()
                                             ? "\"" + b.average.components[i].component + "\""
                                             : std::string("(none: there are fewer)")) +
                                        ", got \"" + e.component + "\"");
    }
    ++i;
    s.components.push_back(std::move(e));
  });
  if (auto c = r.object("coverage")) {
    s.energy_time_resolved = c->joules("time_resolved_j");
    s.energy_fallback = c->joules("fallback_j");
    s.energy_unpriced = c->joules("unpriced_j");
    s.energy_at_estimated_points = c->joules("estimated_points_j");
    s.time_resolved = c->seconds("time_resolved_s");
    s.time_fallback = c->seconds("fallback_s");
    s.time_unpriced = c->seconds("unpriced_s");
  }
  s.operational_fallback = r.grams("fallback_grams");
  if (auto x = r.object("series")) {
    s.series_zone = x->string("zone");
    s.series_source = x->string("source");
    const std::string origin = x->string("origin");
    if (!x->failed() && !origin.empty()) {
      if (auto o = intensity::parse_origin(origin))
        s.series_origin = *o;
      else
        x->fail(x->member("origin"), "expected actual, forecast or typical, got \"" + origin + "\"");
    }
  }
  if (auto f = r.object("fallback"))
    s.fallback = FallbackIntensity{CarbonIntensity::grams_per_kwh(f->number_or("g_per_kwh", 0, true)),
                                   f->string("source")};
  s.estimate = r.boolean("estimate", false);
  s.estimate_reasons = r.strings("estimate_reasons");
  return s;
}

}  // namespace

Result<EmissionsReport> emissions_report_from_json(std::string_view text, std::string_view path) {
  const std::string root(path);
  const auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(root + ": expected a JSON object");
  std::optional<Error> failure;
  JsonObjectReader in(j, root, failure);
  EmissionsReport out;
  ReportContext& ctx = out.context;
  EmissionsBreakdown& b = out.breakdown;
  const std::string schema = in.string("schema");
  if (!failure && !schema.empty() && schema != "greenrun.emissions/1")
    in.fail(in.member("schema"), "expected \"greenrun.emissions/1\", got \"" + schema + "\"");
  if (auto l = in.object("location")) {
    ctx.zone = l->string("zone");
    ctx.region = l->string("region");
    ctx.description = l->string("description");
  }
  ctx.energy_source = in.string("energy_source");
  ctx.start = in.time_or_epoch("start");
  ctx.end = in.time_or_epoch("end");
  b.span = in.seconds("span_s");
  b.active_time = in.seconds("active_s");
  if (auto e = in.object("energy")) {
    b.energy = e->joules("joules");
    e->objects("components", [&](JsonObjectReader& c) {
      ComponentEmissions x;
      x.component = c.string("component", true);
      x.energy = c.joules("joules");
      const std::string method = c.string("method", true);
      if (c.failed()) return;
      auto m = sensors::parse_method(method);
      if (!m) {
        c.fail(c.member("method"), "expected measured, integrated, estimated or simulated, got \"" + method + "\"");
        return;
      }
      x.method = *m;
      b.average.components.push_back(std::move(x));
    });
  }
  std::vector<ComponentEmissions> energy_components = std::move(b.average.components);
  b.average.components = energy_components;
  if (auto op = in.object("operational", true)) {
    if (auto a = op->object("average", true)) {
      if (auto s = signal_from(*a, b, true)) b.average = std::move(*s);
    }
    if (auto m = op->object("marginal")) {
      // signal_from reads the components' energy from b.average, which now
      // holds the average signal read above (the same components).
      if (auto s = signal_from(*m, b, false)) b.marginal = std::move(*s);
    }
  }
  if (!failure && b.average.components.size() != energy_components.size())
    in.fail(in.member("operational.average.components"),
            "expected " + std::to_string(energy_components.size()) + " components (as $.energy), got " +
                std::to_string(b.average.components.size()));
  if (auto p = in.object("pue")) {
    b.pue = p->number_or("pue", 1.0);
    b.pue_source = p->string("source");
    b.pue_overhead_energy = p->joules("overhead_j");
    b.pue_overhead = p->grams("overhead_grams");
    b.pue_overhead_marginal = p->optional_grams("overhead_grams_marginal");
  }
  if (auto e = in.object("embodied")) {
    EmbodiedLine line;
    line.amount = e->grams("grams");
    line.input.hardware_total = Mass::kilograms(e->number_or("hardware_total_kg", 0));
    line.input.resource_share = e->number_or("resource_share", 1.0);
    line.time_used = e->seconds("time_used_s");
    line.input.lifetime = e->seconds("lifetime_s");
    line.input.source = e->string("source");
    b.embodied = std::move(line);
  }
  if (auto t = in.object("total")) {
    b.total = t->grams("grams");
    b.total_marginal = t->optional_grams("grams_marginal");
    b.estimate = t->boolean("estimate", false);
  }
  if (failure) return std::unexpected(*failure);
  return out;
}

}  // namespace greenrun::accounting
