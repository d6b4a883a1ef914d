// CarbonAwareExecutor: runs one job under an ExecutionSchedule — starts it,
// pauses and resumes it through a JobControl, refreshes the forecast, keeps
// the energy meter sampling throughout (paused time included), prints a
// status line, and returns the schedule actually executed with its emissions
// against the counterfactual "ran at once" on the same intensity data.
//
// Loop: decide -> apply (start / pause / resume) -> wait on the job until the
// earliest of: the decision's recheck instant, the meter's next sample, the
// next forecast refresh. Work done is the job's run time on the executor's
// clock (a pause that takes a grace period counts as run time).
//
// Interrupts (SIGINT, SIGTERM, SIGHUP to greenrun, see job_controller.h):
// scheduling stops; a stopped job is resumed (it has been sent the signal)
// and waited for; a job that is waiting to start or is checkpointed is not
// started again, and the run ends "interrupted" with shell status 128 + the
// signal received (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
//
// Status output never ends a run: once a write to options.status fails (a
// closed pipe, a full disk) no more status is written.
//
// Thread-safety: one thread; the objects passed in must outlive execute().
#pragma once

#include <iosfwd>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/clock.h"
#include "runner/execution_plan.h"
#include "runner/job_controller.h"

namespace greenrun::runner {

// Where new forecasts come from (the store, refreshed by `greenrun intensity
// fetch`). poll() returns a series only when it differs from the last one.
class ForecastSource {
 public:
  virtual ~ForecastSource() = default;
  virtual std::optional<intensity::IntensitySeries> poll(UtcTime now) = 0;
};

// The energy measurement (the Sampler in the CLI; a model in tests).
class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  // Called once when the job first starts, with JobControl::measured_root().
  virtual void begin(pid_t root) = 0;
  // Next sample instant on the executor's clock.
  virtual SteadyTime next_deadline() const = 0;
  // Takes a sample now; `final` once the job has exited.
  virtual void sample(const std::optional<ExitStatus>& final) = 0;
  // Energy attributed to the job so far.
  virtual Energy job_energy() const = 0;
};

struct ExecutorOptions {
  Duration forecast_refresh = std::chrono::minutes(15);  // executor clock
  std::ostream* status = nullptr;  // status lines (stderr); null: none; stop at a failed write
  bool live = false;               // stderr is a TTY: redraw one line in place
  // Called at each decision with the state ("waiting", "running", "paused")
  // and the next time the schedule decides (none: it runs to the end); the
  // engine's live-status file shows them (docs/server.md, "Runs in progress").
  std::function<void(std::string_view state, std::optional<UtcTime> next_decision)> on_state;
};

struct ScheduleEvent {
  UtcTime time{};
  std::string kind;  // start, wait, pause, checkpoint, resume, restart, guard, replan, refused, interrupt, exit
  std::optional<double> intensity;  // g/kWh in the schedule's series at `time`
  Duration work_done{0};
  std::string note;
};

struct RunSegment {
  UtcTime start{};
  UtcTime end{};
  Energy energy;       // job energy measured over the segment
  bool running = true;  // false: paused (energy still measured)
};

struct ExecutionReport {
  std::vector<ScheduleEvent> events;
  std::vector<RunSegment> segments;
  std::optional<ExitStatus> exit;
  std::optional<SpawnError> spawn_error;
  bool interrupted = false;
  int interrupt_signal = 0;  // the signal that ended a run with no job process (JobControl::interrupt_signal)
  // Why the job did not run to its own end, "" when it did: not started
  // (interrupted while waiting), a spawn error, an exit after the checkpoint
  // signal that was not a checkpoint (killed by it, or a non-zero status),
  // or an interrupt.
  std::string incomplete;
  UtcTime began{};
  UtcTime ended{};
  Duration run_time{0};
  Duration paused{0};      // paused after the first start
  Duration waited{0};      // before the first start
  Duration time_added{0};  // ended - (began + run_time)
  Mass emissions;          // realised, on the schedule's series
  Mass at_once;            // the same work from `began` without pause
  double coverage = 1.0;   // share of the energy with intensity data
  // Pause and Resume, threshold: the job ran to its own end by the deadline
  // (false when `incomplete`). Flexible Start: the job started by its latest
  // start — at its first decision (it could not start earlier), or by the
  // latest start + the request's margin (the wake-up latency allowance).
  bool deadline_met = true;
  bool guard_engaged = false;
  size_t replans = 0;
  std::vector<std::string> warnings;

  // 128 + signal, the code, 128 + interrupt_signal (SIGINT if unknown) when
  // interrupted with no job process, or the spawn error's status.
  int shell_status() const;
  // For the run's summary line: "deadline met", "DEADLINE MISSED", or "the
  // job did not complete: WHY" (`incomplete`).
  std::string deadline_summary() const;
};

// Realised and at-once emissions of `segments` over `series` from `began`:
// each running segment's energy is moved, at the same power, to the time the
// same work would have run had the job started at `began` without pause;
// paused energy counts only in the realised figure. Time the series does not
// cover is left out and lowers `coverage`.
struct ScheduleEmissions {
  Mass realised;
  Mass at_once;
  double coverage = 1.0;
};
ScheduleEmissions schedule_emissions(const std::vector<RunSegment>& segments,
                                     const intensity::IntensitySeries& series, UtcTime began);

// Runs the job to its end. `meter` and `source` may be null.
ExecutionReport execute(Clock& clock, ExecutionSchedule& schedule, JobControl& job, EnergyMeter* meter,
                        ForecastSource* source, const ExecutorOptions& options);

}  // namespace greenrun::runner
