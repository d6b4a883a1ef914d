// The opt-in a job carries in its Slurm comment (docs/slurm.md): a comment
// that is "greenrun" or starts with "greenrun:" puts the job in greenrun's
// hands; any other comment (or none) means the agent never touches it.
//
//   greenrun                                   opted in; time limit as duration
//   greenrun:deadline=2026-12-07T18:00:00Z,interruptible,zone=DE,duration=3600
//   greenrun:deadline=...,duration=7200,checkpoint=120
//
// Keys: deadline (UTC, ISO 8601 with Z, or seconds since the epoch),
// duration (seconds: the expected run time; default the time limit),
// interruptible (may be suspended while it runs), zone (default the agent's),
// checkpoint[=GRACE] (at a planned pause the job is signalled, given GRACE
// seconds (default 60) to checkpoint, then requeued; it resumes from its
// checkpoint when restarted).
// Written by the agent for a checkpointing job, so its state survives an
// agent restart: done=S (seconds of work saved before the current run) and
// signalled=EPOCH/RESTARTS (the run with Slurm's restart count RESTARTS was
// signalled at EPOCH; a later run ignores it).
// Everything in the job, so the agent's state is rebuilt from Slurm alone.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::slurm {

struct OptIn {
  std::optional<UtcTime> deadline;
  std::optional<Duration> duration;
  bool interruptible = false;
  std::optional<std::string> zone;
  std::optional<Duration> checkpoint_grace;  // set: a checkpointing job (requeued at pauses)
  Duration done{0};                          // work saved before the current run (the agent's)
  struct Signalled {
    UtcTime at{};
    int64_t restarts = 0;  // Slurm's restart count of the run that was signalled
  };
  std::optional<Signalled> signalled;  // the agent's
};

// A checkpointing job's grace when `checkpoint` has no value.
inline constexpr Duration kDefaultCheckpointGrace = std::chrono::seconds(60);

// None: the comment does not opt in. Error: it opts in but a key or value is
// malformed (the agent then leaves the job alone and logs the message).
[[nodiscard]] Result<std::optional<OptIn>> parse_opt_in(std::string_view comment);
std::string format_opt_in(const OptIn& o);

}  // namespace greenrun::slurm
