// Slurm's commands as typed calls, over a CommandRunner, with bounded
// retries: a command that fails (slurmctld unreachable, a timeout) is tried
// again after 0.2 s, 0.4 s, 0.8 s ... up to `attempts` times, then the last
// error is returned (the agent tries again on its next pass).
//
// Thread-safety: one thread (the runner and sleeper are called in turn).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "slurm/command_runner.h"
#include "slurm/squeue.h"

namespace greenrun::slurm {

class SlurmClient {
 public:
  using Sleeper = std::function<void(Duration)>;
  // `sleep`: null is std::this_thread::sleep_for (tests pass a no-op).
  explicit SlurmClient(CommandRunner& runner, int attempts = 4, Sleeper sleep = nullptr);

  // sbatch --parsable ARGS: the job id.
  [[nodiscard]] Result<std::string> sbatch(const std::vector<std::string>& args);
  // squeue --json (all jobs this user may see).
  [[nodiscard]] Result<std::vector<QueuedJob>> queue();
  // scontrol update jobid=ID StartTime=T (T in local time, as Slurm reads it).
  [[nodiscard]] Status set_start(const std::string& id, UtcTime t);
  [[nodiscard]] Status suspend(const std::string& id);
  [[nodiscard]] Status resume(const std::string& id);
  // scontrol update jobid=ID Comment=TEXT (the agent's state for a checkpointing job).
  [[nodiscard]] Status set_comment(const std::string& id, const std::string& comment);
  // scancel --signal=SIG --full ID: every process of the job, batch script included.
  [[nodiscard]] Status signal(const std::string& id, const std::string& sig);
  // scontrol requeue ID: the job ends (SIGTERM, KillWait, SIGKILL) and waits, pending, to run again.
  [[nodiscard]] Status requeue(const std::string& id);

 private:
  Result<std::string> call(const std::vector<std::string>& argv);
  CommandRunner& runner_;
  int attempts_;
  Sleeper sleep_;
};

// T as Slurm's time arguments read it: local time, YYYY-MM-DDTHH:MM:SS
// (--begin, --deadline, StartTime=).
std::string slurm_time(UtcTime t);

}  // namespace greenrun::slurm
