// greenrun's replay of a job log: what a set of jobs (a scheduler's log, or
// presets started on a schedule) would have emitted in a zone had they run at
// once, or under Flexible Start, Pause and Resume or a threshold, planned on
// the actuals, the actuals with seeded forecast error, or the stored
// forecast — and always paid on the stored actual series.
//
// The engine owns the replay's policy, so every front end (the CLI's
// `simulate --jobs`, Python, the server) runs the same study:
//  - the settings: each policy x each rule x each forecast error, except
//    that at once plans nothing (it runs once, with no error) and the
//    threshold needs no forecast (it runs once, with error 0);
//  - the data: the zone's stored actual series (life-cycle preferred) over
//    the log's span plus 8 days either side (the widest windows and the
//    threshold's 24 h look-back), read once; with PlanOn::kIssued, every
//    issued forecast of the zone overlapping that span, read once;
//  - the log: a file read and parsed here (CSV or sacct), or presets x a
//    start schedule.
// The replay itself is scheduling::replay_jobs (greenrun/scheduling/replay.h).
//
// Errors carry a kind (greenrun/base/result.h): kUsage for a request that cannot be
// valid (no policy, repeat 0, a negative error), kIo for a log that cannot
// be read, kBadData for a malformed log or one with no jobs, kNotFound for
// no store or no stored data for the zone. No exception crosses this API.
//
// Thread-safety: each call opens the store itself; calls from several
// threads are safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/scheduling/job_log.h"
#include "greenrun/scheduling/presets.h"
#include "greenrun/scheduling/replay.h"

namespace greenrun::engine {

// Presets started by a schedule over [from, to) (local times in the
// request's time zone).
struct SyntheticJobs {
  std::vector<scheduling::Preset> presets;  // REQUIRES: not empty
  scheduling::StartSchedule starts;
  std::string starts_text;                  // "daily@01:00", for messages
  UtcTime from{};                           // REQUIRES: from < to
  UtcTime to{};
};

// What the plans are made on (every setting is paid on the actuals):
//  kActual    the actual series (perfect foresight), or its noisy copies;
//  kForecast  the stored forecast, each point as last stored (issue times
//             not considered: it may know things no scheduler knew then);
//  kIssued    the forecast as known at each decision: of the stored issued
//             forecasts, the latest issued by the job's submit time that
//             covers its window (jobs none covers are excluded, counted).
enum class PlanOn { kActual, kForecast, kIssued };
// "actual", "forecast", "issued".
[[nodiscard]] Result<PlanOn> parse_plan_on(std::string_view text);

struct ReplayRequest {
  std::string zone;                     // REQUIRES: not empty
  std::optional<std::string> log_file;  // a job log (CSV or sacct), or:
  std::optional<SyntheticJobs> synthetic;
  TimeZone tz = TimeZone::utc();
  std::vector<scheduling::Policy> policies = {scheduling::Policy::kAtOnce, scheduling::Policy::kFlexibleStart,
                                              scheduling::Policy::kPauseResume};
  // Jobs with neither a deadline nor a rule of their own.
  scheduling::JobRule default_rule;
  // A sweep: each rule overrides the jobs' own; empty: the jobs' own.
  std::vector<scheduling::JobRule> rules;
  std::vector<double> errors = {0};  // forecast error, sigma as a share of the mean; each >= 0
  unsigned repeat = 10;              // repetitions of settings with error > 0; >= 1
  uint64_t seed = 1;
  scheduling::PauseOverhead overhead;
  Duration min_pause{0};  // no pause shorter (Pause and Resume); the CLI's default is kDefaultMinPause
  ThresholdSpec threshold{std::nullopt, 30.0};
  Power node_power = Power::watts(1000);  // sacct rows without ConsumedEnergy
  PlanOn plan_on = PlanOn::kActual;
};

struct ReplayOutcome {
  std::string source;  // the log file, or "--starts <schedule>"
  scheduling::JobLog log;
  std::string zone;
  intensity::Provenance provenance;  // of the actual series
  UtcTime data_from{}, data_to{};    // the span of actual data read
  size_t data_points = 0;
  std::string data;        // "DE: <source> <origin>, <from> .. <to>, <n> points"
  std::string planned_on;  // what the plans were made on, one line
  scheduling::ReplayResult result;
};

// The settings a request replays, in order (policy, then rule, then error).
// Error kUsage when there are none.
[[nodiscard]] Result<std::vector<scheduling::ReplaySetting>> replay_settings(const ReplayRequest& request);

// Replays the log. Warnings about excluded jobs are in result.excluded.
[[nodiscard]] Result<ReplayOutcome> replay_jobs(const ReplayRequest& request, const Services& services);

// A threshold as people write it: "p30" (a percentile of the last 24 h,
// 0..100) or "250" (g/kWh). Error kUsage saying what was expected.
[[nodiscard]] Result<ThresholdSpec> parse_threshold(std::string_view text);

}  // namespace greenrun::engine
