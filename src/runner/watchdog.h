// Watchdog: a small process that makes sure a scheduled job is neither left
// stopped nor left undone when greenrun dies, even by SIGKILL.
//
// start() forks it before the job is launched (JobController does so when it
// is constructed, before the wait for the first start). It holds one end of a
// socket pair whose other end only greenrun holds (close-on-exec, so the job
// does not inherit it), and has PR_SET_PDEATHSIG(SIGTERM) set. greenrun tells
// it the job's state at every transition (set()); when greenrun dies the
// socket reads end-of-file (or SIGTERM arrives and the watchdog's parent has
// changed) and the watchdog acts on the last state it was told:
//
//   kNone           nothing (no job yet to protect, the job has ended, or
//                   greenrun was interrupted and ended the run on purpose).
//   kNotStarted     greenrun was waiting for the job's first start (Flexible
//                   Start or Pause and Resume): the job is started now, so it
//                   is never later than without greenrun.
//   kRunning(pg)    the job's process group runs or is stopped: SIGCONT to the
//                   group; the job runs on to its end by itself.
//   kCheckpointing(pg) the checkpoint signal was sent and the job has not yet
//                   exited: SIGCONT to the group, wait until the group leader
//                   has ended, then run the command again (by the checkpoint
//                   contract, a rerun of a job that has finished exits 0 at
//                   once; one that refused the signal has run to its end).
//   kCheckpointed   the job exited 0 after the checkpoint signal: run the
//                   command again so it continues from its checkpoint.
//
// "Run the command" means: write one line on stderr naming the command, then
// exec it in the watchdog process itself the way JobController would spawn
// it — a new session (setsid), the environment, working directory and
// stdin/stdout/stderr greenrun had when the watchdog was forked, default
// signal dispositions (signals greenrun ignored stay ignored, except those a
// spawned job gets reset) and greenrun's signal mask, PDEATHSIG cleared. It
// then runs to its end without scheduling, and its energy is not measured
// (greenrun, which measured it, is gone); the stderr line says so.
//
// The destructor says kNone, closes the socket and reaps the watchdog. A
// deliberate end (SIGINT to greenrun) must say kNone before greenrun exits;
// notify_none_from_signal_handler() does that from a signal handler.
//
// Thread-safety: one thread. fork() happens in start(); call it before
// starting threads (the watchdog process uses only async-signal-safe calls
// after the fork, and argv and its messages are prepared before it).
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/result.h"

namespace greenrun::runner {

enum class WatchState : int32_t { kNone = 0, kNotStarted = 1, kRunning = 2, kCheckpointing = 3, kCheckpointed = 4 };

class Watchdog {
 public:
  // `argv` is the job's command (argv[0] searched in PATH), run in the
  // kNotStarted, kCheckpointing and kCheckpointed states. Empty: those
  // states are refused by set(). The watchdog starts in kNone.
  [[nodiscard]] static Result<Watchdog> start(std::vector<std::string> argv = {});

  Watchdog(Watchdog&& o) noexcept;
  Watchdog& operator=(Watchdog&&) = delete;
  ~Watchdog();

  // Tells the watchdog the job's state. `pgid` is the job's process group
  // for kRunning and kCheckpointing (REQUIRES: > 0 there), else ignored.
  // Error: the watchdog has gone (the message names the call).
  [[nodiscard]] Status set(WatchState state, pid_t pgid = 0);
  // kRunning(pgid), or kNone when pgid is 0.
  [[nodiscard]] Status protect(pid_t pgid) {
    return pgid > 0 ? set(WatchState::kRunning, pgid) : set(WatchState::kNone);
  }
  pid_t pid() const { return pid_; }
  // The socket greenrun writes to (for notify_none_from_signal_handler).
  int fd() const { return fd_; }

  // Async-signal-safe: tells the watchdog on `fd` kNone. For a handler that
  // ends the run on purpose. Does nothing when fd < 0.
  static void notify_none_from_signal_handler(int fd);

 private:
  Watchdog(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_ = -1;
  int fd_ = -1;
  bool has_command_ = false;
};

// "python3 'a b.py' --x" — the command as one line, quoted for a POSIX shell
// where needed (for messages).
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace greenrun::runner
