// Replaying a job log (job_log.h) under carbon-aware policies: what would
// these jobs have emitted had they started at once, or been planned with
// Flexible Start, Pause and Resume (with overhead) or a threshold — planned
// on a forecast (the actual series, a stored forecast, or the actuals with
// seeded Gaussian error) and always paid on the actual series.
//
// Speed: the series are read once by the caller; each decision plans on the
// job's own window (an O(log n) cut of the series, then the planners of
// flexible_start.h, pause_resume.h and threshold_policy.h on that window),
// so a year of thousands of jobs under many settings costs milliseconds per
// setting, not a process and a read of the series per job.
//
// Conventions (docs/scheduling.md, "Replaying a job log"):
//  - "At once" starts at the job's submit (nominal) time and runs without a
//    pause; every saving is against it, on the actual series.
//  - The window: a setting's rule, else the job's deadline, else its rule,
//    else ReplayOptions::default_rule; the job's `earliest` opens it.
//  - A window shorter than the job: infeasible, run at once, counted.
//  - A job that is not interruptible runs Flexible Start under Pause and
//    Resume or threshold (counted as a fallback).
//  - Pause and Resume plans in slots of `pause_slot` (default 15 min) from
//    the window's opening: the job is rounded up to whole slots for
//    planning, and its last segment trimmed back to the real duration (a
//    log's durations are to the second; slots of their gcd with the data
//    step would make the overhead programme thousands of times larger).
//  - Planned on issued forecasts (ReplayOptions::issued), each decision is
//    taken at the job's submit time on the latest issue made by then that
//    covers the job's window; the planner sees the issue cut to the window.
//  - Data that does not cover a job's windows (every setting's, and at once)
//    excludes the job from every setting, counted and listed with its line.
//  - With forecast error, repetition r uses seed + r (printed); totals are
//    the means over repetitions, per-job outcomes those of the first.
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/job_log.h"
#include "greenrun/scheduling/pause_resume.h"
#include "greenrun/scheduling/plan.h"
#include "greenrun/scheduling/threshold_policy.h"

namespace greenrun::scheduling {

enum class Policy { kAtOnce, kFlexibleStart, kPauseResume, kThreshold };
// "at-once", "flexible", "pause-resume", "threshold".
std::string_view to_string(Policy p);
[[nodiscard]] Result<Policy> parse_policy(std::string_view text);

struct ReplaySetting {
  Policy policy = Policy::kFlexibleStart;
  std::optional<JobRule> rule;  // overrides the jobs' own deadlines and rules
  PauseOverhead overhead;       // Pause and Resume
  Duration min_pause{0};        // Pause and Resume: no shorter pause
  ThresholdOptions threshold;   // threshold (absolute or percentile)
  double error = 0;             // forecast error: sigma as a share of the mean
  std::string label() const;    // "pause-resume slack:6h error 5%"
};

struct ReplayOptions {
  std::vector<ReplaySetting> settings;
  JobRule default_rule;  // default: slack:0h (at once)
  TimeZone tz = TimeZone::utc();
  unsigned repeat = 1;  // repetitions of settings with error > 0
  uint64_t seed = 1;
  // Planned on this instead of the actual series (a stored forecast); a
  // setting with error > 0 plans on the noisy actuals instead.
  const intensity::IntensitySeries* forecast = nullptr;
  // Or planned on the forecast as known at each decision: these issued
  // forecasts (each with issued() set), oldest issue first. Each job is
  // planned, at its submit time, on forecast_as_known(); a job no issue
  // covers is excluded. A setting with error > 0 plans on the noisy actuals.
  const std::vector<intensity::IntensitySeries>* issued = nullptr;
  Duration pause_slot = std::chrono::minutes(15);
  bool keep_jobs = true;  // per-job outcomes (first repetition)
};

struct JobOutcome {
  size_t job = 0;          // index in JobLog::jobs
  Plan plan;               // segments; emissions and baseline on the actuals
  bool feasible = true;    // the window held the job
  bool fell_back = false;  // not interruptible: Flexible Start instead
  Duration delay{0};       // end - (submit + duration), may be negative
};

struct ReplayTotals {
  size_t jobs = 0, infeasible = 0, fell_back = 0;
  double emissions_g = 0, at_once_g = 0, energy_kwh = 0;
  double delay_h = 0;              // summed over jobs
  double pauses = 0;               // summed over jobs
  double mean_saving_percent = 0;  // the mean of per-job percentages
  double saving_g() const { return at_once_g - emissions_g; }
  // The saving as a ratio of totals (what most papers report).
  double saving_percent() const {
    return at_once_g > 0 ? 100.0 * saving_g() / at_once_g : 0;
  }
  double mean_intensity() const {
    return energy_kwh > 0 ? emissions_g / energy_kwh : 0;
  }
  double at_once_intensity() const {
    return energy_kwh > 0 ? at_once_g / energy_kwh : 0;
  }
};

struct SettingResult {
  ReplaySetting setting;
  ReplayTotals totals;                 // mean over repetitions
  std::vector<JobOutcome> jobs;        // first repetition (keep_jobs)
  std::vector<uint64_t> seeds;         // with error > 0
  std::vector<double> saving_by_seed;  // ratio-of-totals saving %, per seed
  double saving_sd = 0;                // sample standard deviation over seeds
  // The same setting planned on the actuals (with error > 0, or when the
  // plans were made on a stored or issued forecast).
  std::optional<double> perfect_saving;
};

struct ReplayResult {
  std::vector<SettingResult> settings;
  std::vector<LogExclusion> excluded;  // the log's own and data coverage
  uint64_t plans = 0;                  // planner calls
};

// Errors: no settings; repeat == 0; a negative error or pause slot; an
// empty actual series; a threshold setting without a threshold.
[[nodiscard]] Result<ReplayResult> replay_jobs(
    const intensity::IntensitySeries& actual, const JobLog& log,
    const ReplayOptions& options);

// The forecast as known at `decision`: of `issues` (oldest issue first,
// each with issued() set), the latest issued at or before `decision` that
// covers [open, close); nullptr when none does. A binary search for the
// decision, then back through older issues until one covers.
const intensity::IntensitySeries* forecast_as_known(
    const std::vector<intensity::IntensitySeries>& issues, UtcTime decision,
    UtcTime open, UtcTime close);

// The actual series with seeded Gaussian error: value + N(0, error x mean),
// clamped at 0, one draw per point in order.
intensity::IntensitySeries noisy_copy(const intensity::IntensitySeries& actual,
                                      double error, uint64_t seed);

// The points of `s` within [a, b), clipped, found by binary search (not a
// scan of the whole series). REQUIRES: a < b.
intensity::IntensitySeries window_of(const intensity::IntensitySeries& s,
                                     UtcTime a, UtcTime b);

}  // namespace greenrun::scheduling
