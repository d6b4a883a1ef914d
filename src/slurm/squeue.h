// The jobs in `squeue --json` (Slurm 22.05's data_parser 0.0.38 shape): the
// fields the agent needs. Times are seconds since the epoch in the JSON;
// 0 means unset.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::slurm {

struct QueuedJob {
  std::string id;
  std::string state;         // PENDING, RUNNING, SUSPENDED, COMPLETING, ...
  std::string state_reason;  // BeginTime, Resources, None, ...
  std::string comment;
  std::optional<UtcTime> start;   // a pending job's expected/earliest start; a running job's start
  std::optional<UtcTime> suspend_time;  // last suspend or resume
  Duration pre_suspend{0};        // run time before the last suspend
  std::optional<Duration> time_limit;  // none: unlimited
  std::optional<UtcTime> deadline;
  std::string nodes;
  int64_t restarts = 0;   // restart_cnt: how often Slurm requeued it
  bool requeue = true;    // may be requeued (false: --no-requeue or JobRequeue=0)

  // Run time so far, suspended time excluded (how Slurm counts it).
  Duration run_time(UtcTime now) const;
};

// Errors: not JSON, or no "jobs" array ("squeue --json: ..." and the JSON path).
[[nodiscard]] Result<std::vector<QueuedJob>> parse_squeue_json(std::string_view text);

}  // namespace greenrun::slurm
