// The agent's watchdog: a small process that resumes every job the agent
// suspended when the agent dies, even by SIGKILL, so no job stays suspended
// (pending jobs need none: their start is never set past their latest start,
// and Slurm starts them itself).
//
// start() forks it (call it before any thread starts). It leaves the agent's
// session and process group (setsid), so a kill of the agent's group does not
// take it, and holds one end of a pipe the agent writes to:
//   "S <id>\n"  the agent suspended job <id>
//   "R <id>\n"  job <id> was resumed or has left the queue
//   "Q\n"       a deliberate, clean exit: nothing to do
// At end-of-file without "Q" it runs `scontrol resume <id>` for each job still
// marked suspended (with Slurm's environment as the agent had it), retrying
// each up to 8 times over about 50 s, writes one line per job on stderr, and
// exits.
//
// Thread-safety: one thread (the agent's).
#pragma once

#include <sys/types.h>

#include <string>

#include "greenrun/base/result.h"

namespace greenrun::slurm {

class AgentWatchdog {
 public:
  AgentWatchdog() = default;
  ~AgentWatchdog();  // says "Q" unless a crash is being simulated, closes, reaps
  AgentWatchdog(const AgentWatchdog&) = delete;
  AgentWatchdog& operator=(const AgentWatchdog&) = delete;

  [[nodiscard]] Status start();
  void suspended(const std::string& id) { say("S " + id); }
  void resumed(const std::string& id) { say("R " + id); }
  pid_t pid() const { return pid_; }

 private:
  void say(const std::string& line);
  int fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace greenrun::slurm
