// JobControl: start, pause, resume and wait for a job, the seam between the
// carbon-aware executor and real processes (runner's JobController) or a
// simulated job in tests; and the values a job's launch and end are told by
// (ExitStatus, SpawnError, PauseMode, PauseResult).
//
// Two ways to pause (docs/execution.md):
//  - kStop: SIGSTOP / SIGCONT to the job's whole process group. Works for any
//    program; memory stays allocated.
//  - kCheckpoint: send the checkpoint signal (SIGUSR1 by default) to the
//    group and wait up to a grace period (real time) for the job to exit.
//    Exit status 0 means "checkpointed": resume() runs the same command again
//    and the job continues from its own checkpoint. Any other exit ends the
//    run with that status. A job still running after the grace period has
//    refused: it is left running (never killed, never stopped) and pause()
//    returns kRefused.
//
// Thread-safety: a JobControl is used from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/types.h>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"

namespace greenrun::runner {

struct ExitStatus {
  bool signalled = false;
  int code = 0;    // exit code when !signalled
  int signal = 0;  // terminating signal when signalled
  struct rusage usage {};
  // What a shell would report: code, or 128 + signal.
  int shell_status() const { return signalled ? 128 + signal : code; }
  // CPU time of the child and its reaped descendants, in clock ticks.
  uint64_t cpu_ticks() const;
};

// Why a job could not be started.
struct SpawnError {
  int exit_status = 127;  // 127 not found, 126 not executable, 1 other
  std::string message;    // "nosuchcmd: command not found"
};

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

}  // namespace greenrun::runner
