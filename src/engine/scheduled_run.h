// ScheduledRun: a carbon-aware run inside engine::run — turns an
// ExecutionRequest into a ScheduleRequest (one reading of the window, the
// delay and the switching margin), loads the forecast (forecast_loader.h),
// plans, then runs the job under the CarbonAwareExecutor with the Sampler
// measuring throughout, refreshing the forecast from the live provider (on a
// worker thread) or the store.
//
// Thread-safety: one run per object; the live refresh's worker thread is
// joined before run() returns.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "engine/forecast_loader.h"
#include "greenrun/engine.h"
#include "greenrun/live_runs.h"
#include "greenrun/runner/schedule_summary.h"
#include "runner/execution_plan.h"
#include "runner/execution_record.h"
#include "runner/sampler.h"

namespace greenrun::engine {

// Bounds on every window, overhead, power and scale, so absurd input is a
// usage error naming the flag instead of a hang or exhausted memory.
inline constexpr Duration kMaxWindow = std::chrono::hours(24 * 366);
inline constexpr double kMaxTimeScale = 1e6;
inline constexpr Power kMaxPower = Power::watts(10e6);  // 10 MW: a whole data hall
[[nodiscard]] Status within_bounds(const ExecutionRequest& request);

// The window of a carbon-aware run from `now` (one rule for plan and run):
// Flexible Start's latest start, or the deadline (given, or now + expected +
// max delay). The switching margin is kept free inside the window and never
// widens it; a window with no room for it gets a smaller margin.
// Errors (kUsage): a request that names no window or two; an expected
// duration that is not positive; a deadline the job cannot meet.
[[nodiscard]] Result<runner::ScheduleRequest> schedule_request(const ExecutionRequest& request, UtcTime now);

class ScheduledRun {
 public:
  // Validates, loads the forecast for `zone`, plans. Warnings and the plan
  // go to `observer` at once.
  [[nodiscard]] static Result<std::unique_ptr<ScheduledRun>> prepare(const ExecutionRequest& request,
                                                                      const std::vector<std::string>& command,
                                                                      const std::string& zone,
                                                                      const Services& services, Clock& base,
                                                                      Observer& observer);
  ~ScheduledRun();

  // Runs the job to its end under the schedule; the sampler is started when
  // the job first starts. The job's exit status (SIGINT's 128 + 2 when
  // interrupted before it ran: 128 + the signal received), or the spawn error.
  // `live` (may be null) shows the state, the next decision and the energy so far.
  std::expected<runner::ExitStatus, runner::SpawnError> run(runner::Sampler& sampler, Clock& base,
                                                            const Services& services, Observer& observer,
                                                            LiveStatusFile* live = nullptr);

  [[nodiscard]] Result<runner::ScheduleSummary> record() const;
  ScheduleOutcome outcome() const;
  // The starts the user allowed: --start-within, or the slack before the
  // deadline (deadline - earliest - expected duration); what the run's
  // hindsight line compares against.
  Duration start_window() const;
  std::vector<std::string> warnings() const;

 private:
  ScheduledRun(ExecutionRequest request, std::vector<std::string> command, runner::ExecutionSchedule schedule,
               LoadedForecast forecast, runner::ExecutionSettings settings, UtcTime window_to,
               std::vector<std::string> warnings);

  ExecutionRequest request_;
  std::vector<std::string> command_;
  runner::ExecutionSchedule schedule_;
  LoadedForecast forecast_;
  runner::ExecutionSettings settings_;
  UtcTime window_to_;
  std::vector<std::string> warnings_;
  runner::ExecutionReport report_;
};

// The job's mean power for the plan's expected emissions and what it is:
// the request's, else the mean of the same command's last successful run in
// the store, else kDefaultPower, labelled (plans do not depend on it).
std::pair<Power, std::string> expected_power(const std::optional<Power>& given, const std::string& store_path,
                                             const std::vector<std::string>& command,
                                             std::vector<std::string>& warnings);

}  // namespace greenrun::engine
