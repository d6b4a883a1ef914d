#include "runner/run_emissions.h"

namespace greenrun::runner {

EmissionsFigure emissions_over(const std::vector<IntervalRecord>& intervals, double pue,
                               const intensity::IntensitySeries* series, const std::optional<Fallback>& fallback,
                               std::string signal) {
  EmissionsFigure out;
  out.signal = std::move(signal);
  Energy total, covered_energy, fallback_energy;
  for (const auto& iv : intervals) {
    Energy e;
    for (const auto& [c, v] : iv.components)
      if (c != sensors::Component::kPlatform) e += v.job;
    e = e * pue;
    total += e;
    if (e.joules() <= 0) continue;
    double covered_share = 0, mean = 0;
    if (series && !series->empty()) {
      if (iv.end > iv.start) {
        const auto integral = series->integrate(iv.start, iv.end);
        const double span = static_cast<double>((iv.end - iv.start).count());
        covered_share = static_cast<double>(integral.covered.count()) / span;
        if (integral.covered.count() > 0) mean = integral.g_per_kwh_ms / static_cast<double>(integral.covered.count());
      } else if (auto v = series->at(iv.start)) {
        covered_share = 1;
        mean = v->grams_per_kwh();
      }
    }
    const Energy with_data = e * covered_share;
    out.job += with_data * CarbonIntensity::grams_per_kwh(mean);
    covered_energy += with_data;
    if (fallback && covered_share < 1) {
      const Energy rest = e * (1 - covered_share);
      out.job += rest * fallback->value;
      fallback_energy += rest;
    }
  }
  const Energy used = covered_energy + fallback_energy;
  if (used.joules() > 0) {
    out.mean_g_per_kwh = out.job.grams() / used.kilowatt_hours();
  } else if (series && !series->empty() && !intervals.empty() && intervals.front().end > intervals.front().start) {
    // No energy to weigh by: the plain mean over the run, where covered.
    const auto integral = series->integrate(intervals.front().start, intervals.back().end);
    if (integral.covered.count() > 0)
      out.mean_g_per_kwh = integral.g_per_kwh_ms / static_cast<double>(integral.covered.count());
  }
  if (out.mean_g_per_kwh == 0 && fallback) out.mean_g_per_kwh = fallback->value.grams_per_kwh();
  out.coverage = total.joules() > 0 ? covered_energy / total : (series && !series->empty() ? 1.0 : 0.0);
  if (series && !series->empty() && covered_energy.joules() > 0) {
    const auto& p = series->provenance();
    out.source = "store: " + series->zone() + " " + std::string(intensity::to_string(series->signal())) + " (" +
                 (p.source.empty() ? "imported data" : p.source) + ")";
    if (fallback && fallback_energy.joules() > 0) out.source += " + " + fallback->source + " for uncovered time";
  } else if (fallback) {
    out.source = fallback->source;
  }
  return out;
}

}  // namespace greenrun::runner
