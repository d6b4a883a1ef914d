// The opt-in a job carries in its Slurm comment (docs/slurm.md): a comment
// that is "greenrun" or starts with "greenrun:" puts the job in greenrun's
// hands; any other comment (or none) means the agent never touches it.
//
//   greenrun                                   opted in; time limit as duration
//   greenrun:deadline=2026-12-07T18:00:00Z,interruptible,zone=DE,duration=3600
//
// Keys: deadline (UTC, ISO 8601 with Z, or seconds since the epoch),
// duration (seconds: the expected run time; default the time limit),
// interruptible (may be suspended while it runs), zone (default the agent's).
// Everything in the job, so the agent's state is rebuilt from Slurm alone.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/units.h"

namespace greenrun::slurm {

struct OptIn {
  std::optional<UtcTime> deadline;
  std::optional<Duration> duration;
  bool interruptible = false;
  std::optional<std::string> zone;
};

// None: the comment does not opt in. Error: it opts in but a key or value is
// malformed (the agent then leaves the job alone and logs the message).
[[nodiscard]] Result<std::optional<OptIn>> parse_opt_in(std::string_view comment);
std::string format_opt_in(const OptIn& o);

}  // namespace greenrun::slurm
