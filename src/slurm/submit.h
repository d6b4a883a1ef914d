// `greenrun slurm submit`: a batch job submitted to start when its zone's
// forecast is cleanest within its window (Flexible Start, planned by the
// engine: include/greenrun/batch_scheduling.h), with sbatch's --begin and
// --deadline, opted in to the agent through its comment (opt_in.h), and the
// plan recorded beside the store (<store folder>/slurm/<job id>.json,
// "greenrun.slurm-submit/1") for the agent's log and `greenrun runs`.
//
// The job's duration: --expected-duration, else its time limit (--time / -t
// on the sbatch command line, else `#SBATCH --time` in its script). No
// duration, or no deadline: not flexible; submitted at once, and the result
// says why.
//
// Thread-safety: one call at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/batch_scheduling.h"
#include "slurm/slurm_client.h"

namespace greenrun::slurm {

struct SubmitRequest {
  std::vector<std::string> sbatch_args;  // everything after `--`
  std::string zone;
  std::optional<Duration> expected_duration;
  std::optional<UtcTime> deadline;
  std::optional<engine::Delay> max_delay;
  std::optional<Power> power;
  engine::ForecastChoice forecast;
  bool interruptible = false;  // the agent may suspend it while it runs
  std::optional<Duration> checkpoint_grace;  // set: the agent may requeue it at pauses (opt_in.h)
  bool dry_run = false;        // plan only: nothing submitted, nothing recorded
};

struct Submitted {
  std::string job_id;  // "" on a dry run
  engine::BatchStart start;
  Duration duration{0};           // 0: unknown
  std::string duration_source;    // "--expected-duration", "--time", "SCRIPT line N", ""
  std::vector<std::string> sbatch_argv;  // what was (or would be) run
  std::string record_path;        // "" on a dry run
};

// Errors: bad arguments (kUsage, naming the flag or script line); a plan that
// cannot be made (kUsage); sbatch failing (kUnavailable, with its message).
[[nodiscard]] Result<Submitted> submit(const SubmitRequest& request, SlurmClient& slurm,
                                       const engine::Services& services, engine::Observer& observer);

}  // namespace greenrun::slurm
