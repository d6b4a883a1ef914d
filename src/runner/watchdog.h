// Watchdog: a small process that makes sure a job greenrun has stopped
// (SIGSTOP) is never left stopped when greenrun dies, even by SIGKILL.
//
// start() forks it before the job is launched. It holds one end of a
// socket pair whose other end only greenrun holds (close-on-exec, so the job does not
// inherit it), and has PR_SET_PDEATHSIG(SIGTERM) set: when greenrun dies the
// read returns end-of-file (or SIGTERM arrives), and the watchdog sends
// SIGCONT to the process group it was last told to protect, writes one line
// on stderr, and exits. The job then runs on to its end by itself.
//
// protect(pgid) names the job's process group (0: none, e.g. the job has
// exited, so a reused group id is never signalled). The destructor says 0,
// closes the socket and reaps the watchdog.
//
// Thread-safety: one thread. fork() happens in start(); call it before
// starting threads.
#pragma once

#include <sys/types.h>

#include "base/result.h"

namespace greenrun::runner {

class Watchdog {
 public:
  [[nodiscard]] static Result<Watchdog> start();

  Watchdog(Watchdog&& o) noexcept;
  Watchdog& operator=(Watchdog&&) = delete;
  ~Watchdog();

  // Tells the watchdog which process group to resume if greenrun dies.
  [[nodiscard]] Status protect(pid_t pgid);
  pid_t pid() const { return pid_; }

 private:
  Watchdog(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace greenrun::runner
