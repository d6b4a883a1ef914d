// JobControl: start, pause, resume and wait for a job, the seam between the
// carbon-aware executor and real processes (JobController) or a simulated job
// in tests.
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
#include "runner/child_process.h"
#include "runner/scaled_clock.h"
#include "runner/watchdog.h"

namespace greenrun::runner {

enum class PauseMode { kStop, kCheckpoint };
std::string_view to_string(PauseMode m);
[[nodiscard]] Result<PauseMode> parse_pause_mode(std::string_view text);
// "USR1", "SIGUSR1", "10" -> the signal number. Error names the text.
[[nodiscard]] Result<int> parse_signal(std::string_view text);
std::string signal_name(int sig);

enum class PauseOutcome { kPaused, kExited, kRefused };

struct PauseResult {
  PauseOutcome outcome = PauseOutcome::kPaused;
  std::optional<ExitStatus> exit;  // kExited
  std::string note;                // what happened, one line
};

class JobControl {
 public:
  virtual ~JobControl() = default;
  // First start (and, in checkpoint mode, each restart is resume()).
  [[nodiscard]] virtual std::optional<SpawnError> start() = 0;
  [[nodiscard]] virtual PauseResult pause() = 0;
  [[nodiscard]] virtual std::optional<SpawnError> resume() = 0;
  // Waits until the job's process exits (returned, reaped), or until the
  // executor's clock reaches `t`, or an interrupt arrives (nullopt).
  virtual std::optional<ExitStatus> wait_until(SteadyTime t) = 0;
  virtual bool interrupted() const = 0;
  // The signal that interrupted greenrun while no job process existed
  // (waiting to start, or checkpointed), 0 if none: the run's status is
  // then 128 + it.
  virtual int interrupt_signal() const { return 0; }
  virtual bool has_process() const = 0;
  // The process whose tree is measured (0 before the start).
  virtual pid_t measured_root() const = 0;
  virtual PauseMode mode() const = 0;
};

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
