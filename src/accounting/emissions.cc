#include "greenrun/accounting/emissions.h"

#include <algorithm>
#include <cmath>

#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"

namespace greenrun::accounting {

std::string annual_mean_label(std::string_view source) {
  return "annual mean, not time-resolved (" + std::string(source) + ")";
}

std::optional<FallbackIntensity> annual_mean_fallback(std::string_view zone) {
  const auto* info = intensity::ZoneCatalogue::embedded().find_zone(zone.empty() ? "WORLD" : zone);
  if (info == nullptr || !(info->annual_mean_g_per_kwh > 0)) return std::nullopt;
  std::string src = std::string(info->id) + " annual mean";
  if (info->year > 0) src += " " + std::to_string(info->year);
  src += ", " + std::string(intensity::to_string(info->signal));
  if (!info->source.empty()) src += ", " + std::string(info->source);
  return FallbackIntensity{CarbonIntensity::grams_per_kwh(info->annual_mean_g_per_kwh), src};
}

using intensity::IntensitySeries;
using intensity::Signal;

CarbonIntensity SignalEmissions::effective_intensity() const {
  const Energy priced = energy_time_resolved + energy_fallback;
  if (priced.kilowatt_hours() <= 0) return CarbonIntensity::grams_per_kwh(0);
  return CarbonIntensity::grams_per_kwh(operational.grams() / priced.kilowatt_hours());
}

namespace {

std::string percent(Energy part, Energy whole) {
  if (whole.joules() <= 0) return "0%";
  const double p = 100.0 * (part / whole);
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 0.1 && p > 0 ? "%.3f%%" : "%.1f%%", p);
  return buf;
}

}  // namespace

Result<SignalEmissions> operational_emissions(const EnergyTimeline& timeline, const SignalInput& input) {
  SignalEmissions out;
  out.signal = input.signal;
  const IntensitySeries* series = input.series && !input.series->empty() ? input.series : nullptr;
  if (series && series->signal() != input.signal)
    return make_error("expected a " + std::string(intensity::to_string(input.signal)) + " series for zone " +
                      series->zone() + ", got " + std::string(intensity::to_string(series->signal())));
  double fallback_g = 0;
  if (input.fallback) {
    fallback_g = input.fallback->value.grams_per_kwh();
    if (!std::isfinite(fallback_g) || fallback_g < 0)
      return make_error("expected a non-negative, finite fallback intensity, got " + std::to_string(fallback_g));
  }
  if (series) {
    out.series_zone = series->zone();
    const auto& p = series->provenance();
    out.series_source = p.source + (p.origin.empty() ? "" : ": " + p.origin) + (p.note.empty() ? "" : " (" + p.note + ")");
    out.series_origin = series->origin();
  }

  const size_t n_comp = timeline.components().size();
  std::vector<double> grams(n_comp, 0.0);
  std::vector<Energy> energy(n_comp);
  std::vector<std::optional<Method>> method(n_comp);
  const size_t n_points = series ? series->size() : 0;
  size_t k = 0;  // first point that may overlap the current interval (intervals are ordered)

  for (const EnergyInterval& iv : timeline.intervals()) {
    const UtcTime s = iv.start;
    const UtcTime e = iv.end();
    const double d_ms = static_cast<double>(iv.duration.count());
    // Integral of intensity over the interval, in (g/kWh) x ms, split into
    // the pieces covered by series points and the uncovered rest.
    double resolved_integral = 0;
    int64_t covered_ms = 0;
    int64_t estimated_ms = 0;
    std::optional<double> single;  // the value when one point covers the whole interval
    while (k < n_points && series->point(k).end() <= s) ++k;
    for (size_t j = k; j < n_points; ++j) {
      const intensity::IntensityPoint pt = series->point(j);
      if (pt.start >= e) break;
      const int64_t ov = (std::min(e, pt.end()) - std::max(s, pt.start)).count();
      if (ov <= 0) continue;
      if (ov == iv.duration.count()) single = pt.value.grams_per_kwh();
      resolved_integral += pt.value.grams_per_kwh() * static_cast<double>(ov);
      covered_ms += ov;
      if (pt.estimated) estimated_ms += ov;
    }
    const int64_t uncovered_ms = iv.duration.count() - covered_ms;
    const double fallback_integral = input.fallback ? fallback_g * static_cast<double>(uncovered_ms) : 0.0;
    // Mean over the interval (unpriced time counts as zero). One point
    // covering it all is taken as is, so constant intensity gives exactly E x I.
    const double mean_g = single                                          ? *single
                          : covered_ms == 0 && input.fallback ? fallback_g
                                                              : (resolved_integral + fallback_integral) / d_ms;

    const Energy total = iv.total();
    const double f_cov = static_cast<double>(covered_ms) / d_ms;
    const double f_unc = static_cast<double>(uncovered_ms) / d_ms;
    out.energy += total;
    out.energy_time_resolved += total * f_cov;
    out.energy_at_estimated_points += total * (static_cast<double>(estimated_ms) / d_ms);
    out.time_resolved += Duration(covered_ms);
    if (uncovered_ms > 0) {
      if (input.fallback) {
        out.energy_fallback += total * f_unc;
        out.time_fallback += Duration(uncovered_ms);
        out.operational_fallback += Mass::grams(total.kilowatt_hours() * fallback_integral / d_ms);
      } else {
        out.energy_unpriced += total * f_unc;
        out.time_unpriced += Duration(uncovered_ms);
      }
    }
    for (const ComponentReading& r : iv.readings) {
      grams[r.component] += r.energy.kilowatt_hours() * mean_g;
      energy[r.component] += r.energy;
      method[r.component] = method[r.component] ? weaker(*method[r.component], r.method) : r.method;
    }
  }

  for (size_t c = 0; c < n_comp; ++c) {
    if (!method[c]) continue;  // a component named but never used
    out.components.push_back(
        ComponentEmissions{timeline.components()[c], energy[c], *method[c], Mass::grams(grams[c])});
    out.operational += Mass::grams(grams[c]);
  }
  if (out.energy_fallback.joules() > 0) out.fallback = input.fallback;

  // Why the figure is an estimate, if it is.
  auto& why = out.estimate_reasons;
  for (const ComponentEmissions& c : out.components)
    if (c.method == Method::kEstimated) why.push_back(c.component + " energy is estimated from a model");
    else if (c.method == Method::kSimulated)
      why.push_back(c.component + " energy is simulated (the fake sensor), not a measurement");
  if (out.energy_fallback.joules() > 0)
    why.push_back(percent(out.energy_fallback, out.energy) +
                  " of the energy is priced at the " + annual_mean_label(input.fallback->source));
  if (out.energy_at_estimated_points.joules() > 0)
    why.push_back(percent(out.energy_at_estimated_points, out.energy) +
                  " of the energy falls on intensity points the provider estimated");
  if (series && out.energy_time_resolved.joules() > 0 && series->origin() != intensity::Origin::kActual)
    why.push_back(std::string("the intensity series is a ") + std::string(intensity::to_string(series->origin())) +
                  (series->origin() == intensity::Origin::kTypical ? " profile, not a forecast" : ""));
  out.estimate = !why.empty();
  return out;
}

Result<Mass> embodied_share(const EmbodiedInput& input, Duration time_used) {
  const double te = input.hardware_total.grams();
  if (!std::isfinite(te) || te < 0)
    return make_error("expected a non-negative embodied footprint, got " + std::to_string(te / 1e3) + " kg");
  if (input.lifetime.count() <= 0) return make_error("expected a positive hardware lifetime");
  if (!(input.resource_share > 0 && input.resource_share <= 1))
    return make_error("expected a resource share in (0, 1], got " + std::to_string(input.resource_share));
  if (time_used.count() < 0) return make_error("expected a non-negative time used");
  const double time_share = static_cast<double>(time_used.count()) / static_cast<double>(input.lifetime.count());
  return input.hardware_total * (time_share * input.resource_share);
}

Result<EmissionsBreakdown> compute_emissions(const EnergyTimeline& timeline, const SignalInput& average,
                                             const std::optional<SignalInput>& marginal,
                                             const EmissionsOptions& options) {
  if (timeline.empty()) return make_error("expected an energy timeline with at least one interval");
  if (!intensity::is_average(average.signal))
    return make_error("expected an average signal for the average line, got " +
                      std::string(intensity::to_string(average.signal)));
  if (marginal && marginal->signal != Signal::kMarginal)
    return make_error("expected the marginal signal for the marginal line, got " +
                      std::string(intensity::to_string(marginal->signal)));
  if (!std::isfinite(options.pue) || options.pue < 1.0)
    return make_error("expected a PUE of at least 1.0 (facility energy / IT energy), got " + std::to_string(options.pue));

  EmissionsBreakdown b;
  b.energy = timeline.total();
  b.span = timeline.end() - timeline.start();
  b.active_time = timeline.active_time();
  auto avg = operational_emissions(timeline, average);
  if (!avg) return make_error("average signal: " + avg.error().message);
  b.average = std::move(*avg);
  if (marginal) {
    auto m = operational_emissions(timeline, *marginal);
    if (!m) return make_error("marginal signal: " + m.error().message);
    b.marginal = std::move(*m);
  }

  b.pue = options.pue;
  b.pue_source = options.pue_source;
  const double overhead = options.pue - 1.0;
  b.pue_overhead_energy = b.energy * overhead;
  b.pue_overhead = b.average.operational * overhead;
  if (b.marginal) b.pue_overhead_marginal = b.marginal->operational * overhead;

  Mass embodied;
  if (options.embodied) {
    auto m = embodied_share(*options.embodied, b.span);
    if (!m) return make_error("embodied: " + m.error().message);
    b.embodied = EmbodiedLine{*options.embodied, b.span, *m};
    embodied = *m;
  }
  b.total = b.average.operational + b.pue_overhead + embodied;
  if (b.marginal) b.total_marginal = b.marginal->operational + *b.pue_overhead_marginal + embodied;
  // Embodied figures are models (CCF / Teads); a PUE is an assumed figure.
  b.estimate = b.average.estimate || b.embodied.has_value() || options.pue > 1.0;
  return b;
}

}  // namespace greenrun::accounting
