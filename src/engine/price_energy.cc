// engine::price_energy (greenrun/pricing.h): one interval through the run
// pricing pipeline (runner/run_emissions.h).
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "engine/location_check.h"
#include "greenrun/pricing.h"
#include "intensity/store.h"
#include "runner/run_emissions.h"

namespace greenrun::engine {

Result<PricedEnergy> price_energy(const PriceRequest& req, const Services& services) {
  if (!(req.energy.joules() >= 0) || !std::isfinite(req.energy.joules()))
    return make_error(ErrorKind::kUsage, "energy: expected a non-negative energy");
  if (!(req.from < req.to)) return make_error(ErrorKind::kUsage, "start, end: expected start before end");
  PriceIntervalsRequest batch{req.zone, req.region, {{req.energy, req.from, req.to}}, req.pue};
  return price_intervals(batch, services);
}

Result<PricedEnergy> price_intervals(const PriceIntervalsRequest& req, const Services& services) {
  if (req.intervals.empty()) return make_error(ErrorKind::kUsage, "intervals: expected at least one");
  for (size_t i = 0; i < req.intervals.size(); ++i) {
    const auto& e = req.intervals[i];
    if (!(e.energy.joules() >= 0) || !std::isfinite(e.energy.joules()))
      return make_error(ErrorKind::kUsage, fmt::format("intervals[{}].energy: expected a non-negative energy", i));
    if (!(e.from < e.to))
      return make_error(ErrorKind::kUsage, fmt::format("intervals[{}]: expected start before end", i));
  }
  if (!(req.pue >= 1.0 && req.pue < 10.0))
    return make_error(ErrorKind::kUsage,
                      fmt::format("pue: expected a number from 1.0 (no overhead) to 10, got {}", req.pue));
  PricedEnergy out;
  if (req.zone || req.region) {
    auto loc = resolve_location(req.zone, req.region, services.store_path);
    if (!loc) return std::unexpected(loc.error());
    out.zone = loc->zone;
  }
  std::vector<runner::IntervalRecord> ivs;
  ivs.reserve(req.intervals.size());
  UtcTime from = req.intervals.front().from, to = req.intervals.front().to;
  for (const auto& e : req.intervals) {
    runner::IntervalRecord iv;
    iv.start = e.from;
    iv.end = e.to;
    iv.components[sensors::Component::kCpu] = {e.energy, e.energy, sensors::Method::kEstimated};
    ivs.push_back(std::move(iv));
    from = std::min(from, e.from);
    to = std::max(to, e.to);
  }
  std::optional<intensity::IntensityStore> store;
  if (std::filesystem::exists(services.store_path))
    if (auto s = intensity::IntensityStore::open(services.store_path)) store = std::move(*s);
  const auto prices = runner::load_run_intensity(store ? &*store : nullptr, out.zone, from, to);
  accounting::EmissionsOptions options;
  options.pue = req.pue;
  auto e = runner::run_emissions(ivs, prices, options);
  if (!e) return std::unexpected(e.error());
  const auto fig = runner::emissions_figure(e->job, false, prices.fallback);
  out.emissions = fig.job;
  out.mean_intensity = fig.mean_intensity;
  out.source = fig.source;
  out.coverage = fig.coverage;
  if (e->job.marginal) out.marginal = runner::emissions_figure(e->job, true).job;
  return out;
}

}  // namespace greenrun::engine
