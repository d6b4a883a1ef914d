// engine::plan: the job and its window read by the same rules as a
// carbon-aware run, each location's forecast by the one loading policy
// (forecast_loader.h), and src/scheduling's planners.
#include <fmt/format.h>

#include <filesystem>

#include "engine/forecast_loader.h"
#include "engine/location_check.h"
#include "engine/scheduled_run.h"
#include "greenrun/accounting/emissions.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "greenrun/job_defaults.h"
#include "intensity/forecast_selection.h"
#include "scheduling/plan_pricing.h"
#include "scheduling/region_planner.h"

namespace greenrun::engine {
namespace {

// The end of the window: --window, --deadline or --max-delay (one of them),
// else 24 h from `from` (never shorter than the job).
Result<UtcTime> plan_deadline(const PlanRequest& req, UtcTime from) {
  const int given = req.window.has_value() + req.deadline.has_value() + req.max_delay.has_value();
  if (given > 1) return make_error(ErrorKind::kUsage, "give one of --window, --deadline and --max-delay");
  if (req.window) {
    if (*req.window < req.duration)
      return make_error(ErrorKind::kUsage, "--window " + format_duration(*req.window) +
                                               " is shorter than the job (" + format_duration(req.duration) + ")");
    return from + *req.window;
  }
  if (req.deadline) {
    if (*req.deadline <= from)
      return make_error(ErrorKind::kUsage, "--deadline " + format_utc(*req.deadline) + " is in the past (now " +
                                               format_utc(from) + ")");
    if (*req.deadline - from < req.duration)
      return make_error(ErrorKind::kFailure, "cannot meet the deadline: the job needs " +
                                                 format_duration(req.duration) + " but only " +
                                                 format_duration(*req.deadline - from) + " remain before " +
                                                 format_utc(*req.deadline));
    return *req.deadline;
  }
  if (req.max_delay) return from + req.duration + req.max_delay->of(req.duration);
  return std::max(from + std::chrono::hours(24), from + req.duration);
}

// A flat hourly series at the zone's annual mean over [from, to), labelled
// with the fallback's source (accounting::annual_mean_fallback, as `run` and
// `emissions` label it); none when the catalogue has no mean for it.
std::optional<intensity::IntensitySeries> annual_mean_series(const std::string& zone, UtcTime from, UtcTime to) {
  const intensity::ZoneInfo* info = intensity::ZoneCatalogue::embedded().find_zone(zone);
  const auto fallback = accounting::annual_mean_fallback(zone);
  if (info == nullptr || !fallback) return std::nullopt;
  intensity::IntensitySeries s(zone, info->signal, intensity::Origin::kTypical);
  s.set_provenance({fallback->source, "zone catalogue", ""});
  const UtcTime start = std::chrono::floor<std::chrono::hours>(from);
  for (UtcTime t = start; t < to; t += std::chrono::hours(1))
    if (!s.append(t, std::chrono::hours(1), fallback->value)) return std::nullopt;
  return s;
}

// Each listed location's plans priced on the store's actual data, where it
// covers the whole window: what the plans would really have emitted.
void price_on_actuals(PlanOutcome& out, const std::vector<size_t>& which, Energy pause_energy,
                      const std::string& store_path) {
  if (which.empty() || !std::filesystem::exists(store_path)) return;
  auto store = intensity::IntensityStore::open_read_only(store_path);
  if (!store) return;
  const double kw = out.power.watts() / 1000.0, pause_kwh = pause_energy.kilowatt_hours();
  for (size_t i : which) {
    PlannedLocation& l = out.locations[i];
    auto sel = intensity::select_stored_forecast(*store, l.location.zone, out.from, out.deadline,
                                                 intensity::Origin::kActual);
    if (!sel || !sel->chosen) continue;
    const auto& actual = sel->chosen->series;
    PlansOnActuals a;
    a.label = "stored actual data (" + std::string(intensity::to_string(sel->chosen->key.signal)) + "; " +
              actual.provenance().source + ")";
    const std::vector<scheduling::Segment> at_once = {{out.from, out.from + out.duration, Duration(0)}};
    const Mass baseline = Mass::grams(scheduling::segments_grams(actual, at_once, kw, 0));
    for (scheduling::Plan p : l.plans) {
      p.emissions = Mass::grams(scheduling::segments_grams(actual, p.segments, kw, pause_kwh));
      p.baseline = baseline;
      a.plans.push_back(std::move(p));
    }
    l.on_actuals = std::move(a);
  }
}

}  // namespace

Result<PlanOutcome> plan(const PlanRequest& req, const Services& services, Observer& observer) {
  if (req.zones.empty() && req.regions.empty())
    return make_error(ErrorKind::kUsage, "plan: expected --zone Z or --region PROVIDER:REGION");
  if (req.duration.count() <= 0) return make_error(ErrorKind::kUsage, "--duration: expected a positive duration");
  if (req.power && req.energy) return make_error(ErrorKind::kUsage, "give --power or --energy, not both");
  if (req.modes.empty()) return make_error(ErrorKind::kUsage, "--mode: expected flexible, pause-resume or both");
  if (req.plan_on) {
    const std::string on(intensity::to_string(*req.plan_on));
    if (*req.plan_on != intensity::Origin::kActual && *req.plan_on != intensity::Origin::kForecast)
      return make_error(ErrorKind::kUsage, "--plan-on: expected actual or forecast, got " + on);
    if (!req.forecast.provider.empty())
      return make_error(ErrorKind::kUsage,
                        "--plan-on " + on + " plans on a stored series; it cannot be given with --forecast-provider");
  }
  const auto too_long = [](const char* flag, Duration d) {
    return make_error(ErrorKind::kUsage, std::string(flag) + ": expected at most " + format_duration(kMaxWindow) +
                                             ", got " + format_duration(d));
  };
  if (req.duration > kMaxWindow) return too_long("--duration", req.duration);
  if (req.window && *req.window > kMaxWindow + req.duration) return too_long("--window", *req.window);
  if (req.max_delay && req.max_delay->of(req.duration) > kMaxWindow)
    return too_long("--max-delay", req.max_delay->of(req.duration));
  if (req.pause_overhead && (req.pause_overhead->count() < 0 || *req.pause_overhead > req.duration))
    return make_error(ErrorKind::kUsage, "--pause-overhead: expected 0 up to the job's duration (" +
                                             format_duration(req.duration) + "), got " +
                                             format_duration(*req.pause_overhead));
  if (req.min_segment && *req.min_segment > req.duration)
    return make_error(ErrorKind::kUsage, "--min-segment: expected at most the job's duration (" +
                                             format_duration(req.duration) + "), got " +
                                             format_duration(*req.min_segment));
  if (req.min_pause && (req.min_pause->count() < 0 || *req.min_pause > std::chrono::hours(24)))
    return make_error(ErrorKind::kUsage, "--min-pause: expected 0s to 24h, got " + format_duration(*req.min_pause));
  if (req.power && !(req.power->watts() > 0 && req.power->watts() <= kMaxPower.watts()))
    return make_error(ErrorKind::kUsage, "--power: expected more than 0 W and at most " + format_power(kMaxPower) +
                                             ", got " + format_power(*req.power));
  if (req.energy && !(req.energy->joules() > 0 && *req.energy / req.duration <= kMaxPower))
    return make_error(ErrorKind::kUsage, "--energy: expected more than 0 and at most " + format_power(kMaxPower) +
                                             " over the job's duration, got " + format_energy(*req.energy));
  Result<scheduling::Job> job = req.energy ? scheduling::Job::with_energy(req.duration, *req.energy)
                                           : scheduling::Job::make(req.duration, scheduling::PowerProfile::constant(
                                                                                     req.power.value_or(kDefaultPower)));
  if (!job) return as_kind(ErrorKind::kUsage, job.error());

  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  PlanOutcome out;
  out.duration = req.duration;
  out.power = job->power().mean_power();
  out.energy = job->energy();
  out.power_assumed = !req.power && !req.energy;
  out.from = req.from ? *req.from : clock.utc_now();
  auto deadline = plan_deadline(req, out.from);
  if (!deadline) return std::unexpected(deadline.error());
  out.deadline = *deadline;
  out.modes = req.modes;

  scheduling::RegionRequest rr;
  rr.earliest = out.from;
  rr.deadline = out.deadline;
  rr.modes = req.modes;
  if (req.pause_overhead) rr.pause_resume.overhead.time = *req.pause_overhead;
  rr.pause_resume.min_pause = req.min_pause.value_or(kDefaultMinPause);
  if (req.min_segment) {
    if (req.min_segment->count() < 0) return make_error(ErrorKind::kUsage, "--min-segment: expected a duration such as 30m");
    rr.pause_resume.min_segment = *req.min_segment;
  }

  const auto& provider = req.forecast.provider;
  const bool names_place = provider.find(':') != std::string::npos || provider.starts_with("uk") ||
                           provider.starts_with("watttime");
  if (names_place && req.zones.size() + req.regions.size() > 1)
    return make_error(ErrorKind::kUsage, "--forecast-provider " + provider +
                                             " names one place; give one --zone or --region (or electricitymaps, "
                                             "which follows each zone)");
  const bool several = req.zones.size() + req.regions.size() > 1;
  std::vector<size_t> planned_on_other;  // locations not planned on stored actual data
  auto add = [&](const std::optional<std::string>& z, const std::optional<std::string>& r) -> Status {
    auto loc = resolve_location(z, r, services.store_path);
    if (!loc) return std::unexpected(loc.error());
    const std::string typed = z ? "--zone " + *z : "--region " + *r;
    auto f = load_forecast(ForecastQuery{loc->zone, out.from, out.deadline, provider, req.plan_on},
                           services.store_path, services.env, clock, services.http);
    if (!f && f.error().kind == ErrorKind::kNotFound && several) {
      // Comparing places: one without time-resolved data is still ranked, at
      // its annual mean, labelled so, rather than aborting the comparison.
      auto flat = annual_mean_series(loc->zone, out.from, out.deadline);
      if (!flat) return make_error(ErrorKind::kNotFound, typed + ": " + f.error().message);
      observer.on_event({EventKind::kWarning, typed + ": no time-resolved data for zone " + loc->zone +
                                                  "; ranked at its annual mean (" + flat->provenance().source + ")"});
      std::string label = accounting::annual_mean_label(flat->provenance().source);
      out.locations.push_back(PlannedLocation{std::move(*loc), std::move(*flat), std::move(label), {}, {}});
      return {};
    }
    if (!f) return std::unexpected(Error{typed + ": " + f.error().message, f.error().kind});
    for (const auto& w : f->warnings) observer.on_event({EventKind::kWarning, w});
    const bool on_actuals = f->key && f->key->origin == intensity::Origin::kActual;
    out.locations.push_back(PlannedLocation{std::move(*loc), std::move(f->series), std::move(f->label), {}, {}});
    if (!on_actuals) planned_on_other.push_back(out.locations.size() - 1);
    return {};
  };
  for (const auto& z : req.zones)
    if (auto s = add(z, std::nullopt); !s) return std::unexpected(s.error());
  for (const auto& r : req.regions)
    if (auto s = add(std::nullopt, r); !s) return std::unexpected(s.error());

  std::vector<scheduling::RegionCandidate> cands;
  for (const auto& l : out.locations) cands.push_back({l.location.description, &l.forecast});
  auto choice = scheduling::plan_regions(cands, *job, rr);
  if (!choice) return std::unexpected(choice.error());
  for (size_t i = 0; i < choice->regions.size(); ++i) {
    if (choice->regions[i].error) return make_error(ErrorKind::kFailure, *choice->regions[i].error);
    out.locations[i].plans = std::move(choice->regions[i].plans);
  }
  out.best_location = choice->best_region;
  out.best_plan = choice->best_plan;
  price_on_actuals(out, planned_on_other, rr.pause_resume.overhead.energy, services.store_path);
  return out;
}

}  // namespace greenrun::engine
