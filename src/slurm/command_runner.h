// The seam between greenrun and Slurm's commands (sbatch, squeue, scontrol):
// tests substitute a fake that answers from canned output and records what
// was asked; the real one runs the program.
//
// Thread-safety: ProcessCommandRunner is safe to call from any thread (each
// call forks its own child); fakes are one-thread.
#pragma once

#include <string>
#include <vector>

#include "greenrun/base/units.h"

namespace greenrun::slurm {

struct CommandResult {
  int status = -1;  // exit status; 127: could not run; 128 + N: killed by signal N
  std::string out;
  std::string err;
  bool ok() const { return status == 0; }
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv[0] (searched on PATH) with the rest as arguments.
  virtual CommandResult run(const std::vector<std::string>& argv) = 0;
};

// fork + execvp, stdout and stderr captured; a command that runs past
// `timeout` is killed (SIGKILL) and reported as status 124.
class ProcessCommandRunner final : public CommandRunner {
 public:
  explicit ProcessCommandRunner(Duration timeout = std::chrono::seconds(30)) : timeout_(timeout) {}
  CommandResult run(const std::vector<std::string>& argv) override;

 private:
  Duration timeout_;
};

}  // namespace greenrun::slurm
