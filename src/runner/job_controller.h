// JobController: the JobControl (greenrun/runner/job_control.h) of a real
// process, the seam's other side being a simulated job in tests.
//
// Two ways to pause (docs/execution.md):
//  - kStop: SIGSTOP / SIGCONT to the job's whole process group (the job is
//    launched in its own session, so it leads its own group; see
//    child_process.h for why a session). Works for any program; memory stays
//    allocated.
//  - kCheckpoint: send `checkpoint_signal` (SIGUSR1 by default) to the group
//    and wait up to `grace` (real time) for the job to exit. Exit status 0
//    means "checkpointed": resume() runs the same command again and the job
//    continues from its own checkpoint. Any other exit ends the run with that
//    status. A job still running after the grace period has refused: it is
//    left running (never killed, never stopped), the refusal is logged and the
//    executor runs it to the end (pause() returns kRefused).
//
// Watchdog (options.watchdog, watchdog.h): forked by the constructor, before
// the wait for the first start, outside greenrun's session and process group,
// and told the job's state at each transition: not started (from its fork),
// starting (before each spawn; the spawned child then says running with its
// group itself, before exec), running with its group (each spawn), checkpointing
// (from the checkpoint signal until the exit is seen; back to running after a
// refusal), checkpointed (exit 0 after the signal), none (the job's end, a
// spawn error, an interrupt, the destructor). So if greenrun dies, even by
// SIGKILL, the job is started, resumed or run again — never left stopped or
// undone. The watchdog starts or restarts the job only while not
// interrupted().
//
// Interrupts: while the controller lives, SIGINT, SIGTERM and SIGHUP sent to
// greenrun are caught. With a job process they are forwarded to its group
// followed by SIGCONT (child_process.h); without one (waiting to start, or
// checkpointed) they set interrupted() and interrupt_signal() and, from the
// handler, tell the watchdog "none", so the deliberate end is not undone if
// greenrun is killed before it exits.
//
// Thread-safety: one thread; one JobController per process (signal state is
// process-wide).
#pragma once

#include <csignal>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/runner/job_control.h"
#include "runner/child_process.h"
#include "runner/scaled_clock.h"
#include "runner/watchdog.h"

namespace greenrun::runner {

struct JobControllerOptions {
  std::vector<std::string> argv;  // REQUIRES: not empty
  PauseMode mode = PauseMode::kStop;
  int checkpoint_signal = SIGUSR1;
  Duration grace = std::chrono::seconds(30);  // real time
  bool watchdog = true;  // fork a Watchdog (false: none; for tests)
};

class JobController final : public JobControl {
 public:
  // `clock` is the executor's clock; `scaled` (may be null) converts its
  // instants to real ones for waiting. Installs the interrupt handlers and
  // forks the watchdog (a failure to fork it is a warning, not an error).
  // Construct it before starting threads.
  JobController(Clock& clock, const ScaledClock* scaled, JobControllerOptions options);
  ~JobController() override;  // never leaves the job stopped; restores handlers
  JobController(const JobController&) = delete;
  JobController& operator=(const JobController&) = delete;

  std::optional<SpawnError> start() override;
  PauseResult pause() override;
  std::optional<SpawnError> resume() override;
  std::optional<ExitStatus> wait_until(SteadyTime t) override;
  bool interrupted() const override;
  int interrupt_signal() const override;
  bool has_process() const override { return child_.has_value(); }
  // Stop mode: the job's pid. Checkpoint mode: greenrun's own pid, so that
  // every incarnation (reaped into greenrun's cumulative CPU time) and only
  // greenrun's small overhead besides is measured across restarts.
  pid_t measured_root() const override;
  PauseMode mode() const override { return options_.mode; }
  pid_t pid() const { return child_ ? child_->pid() : 0; }
  pid_t process_group() const { return child_ ? child_->process_group() : 0; }
  int incarnations() const { return incarnations_; }
  // The watchdog process (0: none; see options.watchdog).
  pid_t watchdog_pid() const { return watchdog_ ? watchdog_->pid() : 0; }
  std::vector<std::string> take_warnings() { return std::move(warnings_); }

 private:
  std::optional<SpawnError> spawn();
  void forget_child(WatchState next);
  void start_watchdog();
  void tell_watchdog(WatchState state, pid_t pgid = 0);
  SteadyTime real(SteadyTime t) const;

  Clock& clock_;
  const ScaledClock* scaled_;
  JobControllerOptions options_;
  std::optional<ChildProcess> child_;
  std::optional<Watchdog> watchdog_;
  bool stopped_ = false;
  int forwarded_before_ = 0;
  int incarnations_ = 0;
  std::vector<std::string> warnings_;
  struct sigaction old_[3];
};

}  // namespace greenrun::runner
