// Watchdog: a small process that makes sure a scheduled job is neither left
// stopped nor left undone when greenrun dies, even by SIGKILL.
//
// start() forks it before the job is launched (JobController does so when it
// is constructed, before the wait for the first start). The watchdog leaves
// greenrun's session and process group at once (setsid), and start() returns
// only once it has: a kill of greenrun's whole group (`kill -9 -PGID`, a
// shell's `kill %1`, `timeout -s KILL`) or a terminal hangup cannot take it
// with greenrun. (The job, in its own session too, is not in that group
// either; see child_process.h.) It holds one end of a socket pair whose other
// end greenrun holds (close-on-exec, so the job does not keep it), and has
// PR_SET_PDEATHSIG(SIGTERM) set. greenrun tells it the job's state at every
// transition (set()); when greenrun dies the socket reads end-of-file (or
// SIGTERM arrives and the watchdog's parent has changed) and the watchdog acts
// on the last state it was told:
//
//   kNone           nothing (no job yet to protect, the job has ended, or
//                   greenrun was interrupted and ended the run on purpose).
//   kNotStarted     greenrun was waiting for the job's first start (Flexible
//                   Start or Pause and Resume): the job is started now, so it
//                   is never later than without greenrun.
//   kStarting       greenrun was spawning the job (a first start or a
//                   checkpoint restart). The spawned process says kRunning
//                   with its own group itself, from the child after setsid()
//                   and before exec (announce_from_job(), through the socket
//                   it shares with greenrun until exec), so the watchdog
//                   never mistakes a job that exists for one that does not:
//                   still kStarting at greenrun's death means the job never
//                   got its own session (greenrun died before the fork, or
//                   the group kill took the child before its setsid()), and
//                   the command is run now — neither lost nor run twice.
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
// After greenrun's death the watchdog reads what is left in the socket until
// end-of-file (a job being spawned still holds it until its exec, and may
// have its kRunning to say), for at most kDrainLimitMs.
//
// "Run the command" means: write one line on stderr naming the command, then
// exec it in the watchdog process itself the way JobController would spawn
// it — its own session (the watchdog's, made at fork), the environment, working directory and
// stdin/stdout/stderr greenrun had when the watchdog was forked, default
// signal dispositions (signals greenrun ignored stay ignored, except those a
// spawned job gets reset, SIGPIPE among them) and greenrun's signal mask, PDEATHSIG cleared. It
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

#include "greenrun/base/result.h"

namespace greenrun::runner {

enum class WatchState : int32_t {
  kNone = 0,
  kNotStarted = 1,
  kRunning = 2,
  kCheckpointing = 3,
  kCheckpointed = 4,
  kStarting = 5,
};

class Watchdog {
 public:
  // `argv` is the job's command (argv[0] searched in PATH), run in the
  // kNotStarted, kStarting, kCheckpointing and kCheckpointed states. Empty:
  // those states are refused by set(). The watchdog starts in `initial`
  // (kNone or kNotStarted; kNotStarted needs a command), so that there is no
  // moment after the fork in which greenrun's death leaves a waiting job
  // undone. Returns once the watchdog has left greenrun's session. Error:
  // socketpair or fork failed, or the watchdog died before it had left.
  [[nodiscard]] static Result<Watchdog> start(std::vector<std::string> argv = {},
                                              WatchState initial = WatchState::kNone);

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
  // Async-signal-safe, for the forked job between its setsid() and exec:
  // tells the watchdog on `fd` kRunning with the caller's process group.
  // Does nothing when fd < 0.
  static void announce_from_job(int fd);

  // How long the watchdog, once greenrun has gone, waits for the socket's
  // end-of-file (a job being spawned says kRunning first) before it acts.
  static constexpr int kDrainLimitMs = 5000;

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
