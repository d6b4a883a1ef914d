// Carbon-aware execution for `greenrun run` (docs/execution.md): the flags
// --start-within, --pause-resume, --deadline, --max-delay,
// --expected-duration, --threshold, --pause-mode, --checkpoint-signal,
// --grace, --forecast-provider, --forecast-refresh, --expected-power and the
// hidden --time-scale; the forecast (a live provider, fetched again while the
// job waits; else the store; else the typical profile, with a warning); and
// the run itself under the CarbonAwareExecutor, with the Sampler measuring
// throughout. run_command.cc calls these.
//
// Thread-safety: one run per process.
#pragma once

#include <expected>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "runner/child_process.h"
#include "runner/sampler.h"
#include "runner/schedule_summary.h"

namespace CLI {
class App;
}

namespace greenrun::cli {

struct ExecutionFlags {
  std::string start_within, deadline, max_delay, expected_duration, threshold;
  bool pause_resume = false;
  std::string pause_mode = "stop";
  std::string checkpoint_signal = "USR1";
  std::string grace = "30s";
  std::string forecast_provider;  // "" : GREENRUN_FORECAST_PROVIDER / config, else the store
  std::string forecast_refresh = "15m";
  std::string expected_power;  // "" : the command's last run, else a nominal 100 W
  double time_scale = 0;  // 0: $GREENRUN_TIME_SCALE, else 1
};

void add_execution_flags(CLI::App& run, ExecutionFlags& flags);
bool execution_requested(const ExecutionFlags& flags);

class ScheduledRun {
 public:
  struct Failure {
    int exit_status;  // 2 usage, 1 failure
    std::string message;
  };
  // Validates the flags, loads the forecast for `zone`, plans. Warnings
  // (typical profile used, ...) go to `err` at once.
  [[nodiscard]] static std::expected<std::unique_ptr<ScheduledRun>, Failure> prepare(
      const Context& ctx, const ExecutionFlags& flags, const std::string& zone, std::vector<std::string> command);
  virtual ~ScheduledRun() = default;

  // Runs the job to its end under the schedule; `sampler` is started when the
  // job first starts and samples throughout. The exit status of the job
  // (SIGINT's 128 + 2 when interrupted before it ran), or the spawn error.
  virtual std::expected<runner::ExitStatus, runner::SpawnError> run(runner::Sampler& sampler,
                                                                    std::ostream& err) = 0;
  // The schedule actually executed, for RunRecord::schedule (run.json's
  // "schedule" section). Call after run().
  virtual Result<runner::ScheduleSummary> schedule_record() const = 0;
  // Lines for the end-of-run summary.
  virtual void print_summary(std::ostream& err) const = 0;
  virtual std::vector<std::string> warnings() const = 0;
};

}  // namespace greenrun::cli
