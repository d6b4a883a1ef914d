#include "runner/run_emissions.h"

#include <algorithm>

#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/scheduling/job.h"
#include "scheduling/flexible_start.h"

namespace greenrun::runner {
namespace {

using sensors::Component;

Energy job_energy(const IntervalRecord& iv) {
  Energy e;
  for (const auto& [c, v] : iv.components)
    if (c != Component::kPlatform) e += v.job;
  return e;
}

std::optional<intensity::IntensitySeries> stored(const intensity::IntensityStore* store, const std::string& zone,
                                                 intensity::Signal signal, intensity::Origin origin, UtcTime from,
                                                 UtcTime to) {
  if (store == nullptr || zone.empty() || from >= to) return std::nullopt;
  auto s = store->load(intensity::SeriesKey{zone, signal, origin}, from, to);
  if (!s || s->empty()) return std::nullopt;
  return std::move(*s);
}

}  // namespace

Result<accounting::EnergyTimeline> energy_timeline(const std::vector<IntervalRecord>& intervals, Share share) {
  accounting::EnergyTimeline t;
  UtcTime previous_end{};
  bool first = true;
  for (const IntervalRecord& iv : intervals) {
    UtcTime start = iv.start;
    if (!first && start < previous_end) start = previous_end;  // ms rounding in timeline.jsonl
    if (iv.end <= start) continue;
    accounting::EnergyInterval out;
    out.start = start;
    out.duration = iv.end - start;
    for (const auto& [c, v] : iv.components) {
      if (c == Component::kPlatform) continue;
      auto id = t.component_id(sensors::to_string(c));
      if (!id) return std::unexpected(id.error());
      out.readings.push_back({*id, share == Share::kJob ? v.job : v.machine, v.method});
    }
    if (out.readings.empty()) continue;
    if (auto s = t.append(std::move(out)); !s)
      return make_error("timeline interval at " + format_utc(iv.start) + ": " + s.error().message);
    previous_end = iv.end;
    first = false;
  }
  return t;
}

RunIntensity load_run_intensity(const intensity::IntensityStore* store, const std::string& zone, UtcTime from,
                                UtcTime to) {
  RunIntensity r;
  r.fallback = accounting::annual_mean_fallback(zone);
  r.average = intensity::IntensitySeries(zone, intensity::Signal::kAverageLifecycle, intensity::Origin::kActual);
  // Life-cycle first; a store that only holds the direct signal still prices
  // the run by time.
  for (auto signal : {intensity::Signal::kAverageLifecycle, intensity::Signal::kAverageDirect}) {
    if (auto s = stored(store, zone, signal, intensity::Origin::kActual, from, to)) {
      r.average = std::move(*s);
      break;
    }
  }
  r.marginal = stored(store, zone, intensity::Signal::kMarginal, intensity::Origin::kActual, from, to);
  return r;
}

Result<RunEmissions> run_emissions(const std::vector<IntervalRecord>& intervals, const RunIntensity& prices,
                                   const accounting::EmissionsOptions& options) {
  const accounting::SignalInput average{prices.average.signal(), &prices.average, prices.fallback};
  std::optional<accounting::SignalInput> marginal;
  if (prices.marginal) marginal = accounting::SignalInput{intensity::Signal::kMarginal, &*prices.marginal, {}};
  auto job_timeline = energy_timeline(intervals, Share::kJob);
  if (!job_timeline) return std::unexpected(job_timeline.error());
  auto machine_timeline = energy_timeline(intervals, Share::kMachine);
  if (!machine_timeline) return std::unexpected(machine_timeline.error());
  auto job = accounting::compute_emissions(*job_timeline, average, marginal, options);
  if (!job) return std::unexpected(job.error());
  auto machine = accounting::compute_emissions(*machine_timeline, average, marginal, options);
  if (!machine) return std::unexpected(machine.error());
  return RunEmissions{std::move(*job), std::move(*machine)};
}

EmissionsFigure emissions_figure(const accounting::EmissionsBreakdown& b, bool marginal,
                                 const std::optional<accounting::FallbackIntensity>& fallback) {
  const accounting::SignalEmissions& s = marginal ? *b.marginal : b.average;
  // Accounting names the fallback only when it priced some energy; a job
  // with no energy still spent its time at the fallback.
  const std::optional<accounting::FallbackIntensity>& used = s.fallback ? s.fallback : fallback;
  EmissionsFigure f;
  f.signal = std::string(intensity::to_string(s.signal));
  f.job = s.operational + (marginal ? b.pue_overhead_marginal.value_or(Mass()) : b.pue_overhead);
  f.mean_intensity = s.effective_intensity();
  const bool resolved = s.energy_time_resolved.joules() > 0 || s.time_resolved.count() > 0;
  if (resolved)
    f.source = "store: " + s.series_zone + " " + f.signal + " (" + s.series_source + ")";
  if (used && (s.energy_fallback.joules() > 0 || s.time_fallback.count() > 0)) {
    const std::string fb = accounting::annual_mean_label(used->source);
    f.source = resolved ? f.source + " + " + fb + " for uncovered time" : fb;
    if (!resolved && f.mean_intensity.grams_per_kwh() == 0) f.mean_intensity = used->value;
  }
  if (s.energy.joules() > 0) {
    f.coverage = s.energy_time_resolved / s.energy;
  } else {
    const Duration all = s.time_resolved + s.time_fallback + s.time_unpriced;
    f.coverage = all.count() > 0 ? static_cast<double>(s.time_resolved.count()) / static_cast<double>(all.count()) : 0;
  }
  return f;
}

Result<scheduling::Plan> flexible_start_over(const intensity::IntensitySeries& series,
                                             const std::vector<IntervalRecord>& intervals, UtcTime started,
                                             size_t max_parts,
                                             Duration window) {
  // The run's power profile, from its own start: each interval's job energy
  // over its duration; gaps (none in practice) count as zero power.
  std::vector<scheduling::PowerInterval> parts;
  Energy total;
  UtcTime cursor = started;
  for (const IntervalRecord& iv : intervals) {
    if (iv.end <= cursor) continue;
    const UtcTime from = std::max(iv.start, cursor);
    if (from > cursor) parts.push_back({from - cursor, Power::zero()});
    const Energy e = job_energy(iv) * (to_seconds(iv.end - from) / std::max(1e-3, to_seconds(iv.end - iv.start)));
    parts.push_back({iv.end - from, e / (iv.end - from)});
    total += e;
    cursor = iv.end;
  }
  if (parts.empty() || cursor <= started) return make_error("the run has no measured time");
  if (total.joules() <= 0) return make_error("the job used no measurable energy, so no start time is cleaner than another");
  // Merge neighbours so the planner's cost stays small for long runs at short
  // intervals; energy (and so the mean power of each piece) is kept.
  if (max_parts > 0 && parts.size() > max_parts) {
    const size_t per = (parts.size() + max_parts - 1) / max_parts;
    std::vector<scheduling::PowerInterval> merged;
    for (size_t i = 0; i < parts.size(); i += per) {
      Duration d{0};
      Energy e;
      for (size_t k = i; k < std::min(parts.size(), i + per); ++k) {
        d += parts[k].duration;
        e += parts[k].power * parts[k].duration;
      }
      merged.push_back({d, e / d});
    }
    parts = std::move(merged);
  }
  auto profile = scheduling::PowerProfile::intervals(std::move(parts));
  if (!profile) return std::unexpected(profile.error());
  auto job = scheduling::Job::make(cursor - started, std::move(*profile));
  if (!job) return std::unexpected(job.error());
  return scheduling::plan_flexible_start(series, *job, {started, started + window, std::nullopt});
}

FlexibleStartFigure flexible_start_hindsight(const intensity::IntensityStore* store, const std::string& zone,
                                             const std::vector<IntervalRecord>& intervals, UtcTime started,
                                             Duration window) {
  FlexibleStartFigure f;
  f.window = window;
  if (zone.empty()) {
    f.reason = "no grid zone known (world average), so no hourly intensity to compare start times";
    return f;
  }
  if (intervals.empty()) {
    f.reason = "the run recorded no intervals";
    return f;
  }
  const UtcTime end = std::max(intervals.back().end, started + Duration(1));
  const UtcTime window_end = end + window;
  auto plan_with = [&](const intensity::IntensitySeries& series, std::string basis, std::string source) {
    auto plan = flexible_start_over(series, intervals, started, 4096, window);
    if (!plan) {
      f.reason = plan.error().message;
      return f;
    }
    f.computed = true;
    f.best_start = plan->start();
    f.emissions = plan->emissions;
    f.baseline = plan->baseline;
    f.saving_percent = plan->saving_percent();
    f.basis = std::move(basis);
    f.source = std::move(source);
    return f;
  };
  // Actual data with hindsight first, then a stored forecast, each only when
  // it covers the whole window (never patched with other data).
  struct Candidate {
    intensity::Origin origin;
    const char* basis;
  };
  for (const Candidate c : {Candidate{intensity::Origin::kActual, "stored actual data (hindsight)"},
                            Candidate{intensity::Origin::kForecast, "forecast from the store"}}) {
    for (auto signal : {intensity::Signal::kAverageLifecycle, intensity::Signal::kAverageDirect}) {
      auto s = stored(store, zone, signal, c.origin, started, window_end);
      if (!s || !s->covers(started, window_end)) continue;
      return plan_with(*s, c.basis, std::string(intensity::to_string(signal)) + "; " + s->provenance().source);
    }
  }
  auto typical = intensity::ZoneCatalogue::embedded().typical_series(zone, intensity::Signal::kAverageLifecycle,
                                                                    started, window_end);
  if (!typical) {
    f.reason = "no intensity data for " + zone + " covering " + format_utc(started) + " .. " + format_utc(window_end) +
               " in the store and no typical profile for it";
    return f;
  }
  const auto& p = typical->provenance();
  return plan_with(*typical, "typical profile, not a forecast", p.source + (p.origin.empty() ? "" : ": " + p.origin));
}

}  // namespace greenrun::runner
