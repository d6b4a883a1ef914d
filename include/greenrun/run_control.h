// Runs that outlive the command that started them: `greenrun run --detach`
// for carbon-aware runs that wait for hours, and the commands that look at
// and stop them (`greenrun runs status|cancel ID`).
//
//  detach_run   forks a supervisor in a session of its own (setsid), with
//               stdin from /dev/null and stdout and stderr appended to
//               greenrun.log in the run's folder (<runs folder>/<id>/,
//               created here), and returns twice, like fork(): in the
//               parent with the new run's id, folder, log and supervisor pid;
//               in the supervisor with nothing, after which the caller runs
//               the request (with request.id set) as it would have in the
//               foreground. The supervisor's live-status file
//               (live_runs.h) is what `runs status` reads.
//  run_detached in the supervisor: runs the request (engine::run) and, when
//               it fails after the fork (an error before the job starts,
//               or a command that cannot be executed), keeps the failure
//               where run_status finds it: <store folder>/live/<id>.failed,
//               a live status (greenrun.live/1) with state "failed" and the
//               first line of the error (the whole of it is in greenrun.log).
//  run_status   the live state of a run in progress (its live-status file
//               whose process still runs), or of a detached run that failed.
//  cancel_run   stops a run in progress cleanly: marks it cancelled (a file
//               <store folder>/live/<id>.cancel the run reads when it ends and
//               records as "cancelled") and sends its supervisor SIGTERM. A
//               run still waiting never starts; a running or paused job gets
//               SIGCONT and SIGTERM (runner/job_controller.h); the record is
//               written as for any run.
//
// Thread-safety: detach_run must be called while the process has one thread
// (before any engine operation). The others may be called from any thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/engine.h"
#include "greenrun/live_runs.h"

namespace greenrun::engine {

struct DetachedRun {
  std::string id;
  std::filesystem::path folder;  // <runs folder>/<id>
  std::filesystem::path log;     // folder / "greenrun.log"
  pid_t pid = 0;                 // the supervisor
};

// In the parent: the detached run. In the supervisor: nullopt, with
// request.id set to the run's id. Errors (nothing forked): the folder cannot
// be made (kIo), fork or setsid fail (kIo).
[[nodiscard]] Result<std::optional<DetachedRun>> detach_run(RunRequest& request, const Services& services);

// In the supervisor (after detach_run returned nullopt): engine::run, and
// on failure the failed state above. REQUIRES: request.id set (by detach_run).
[[nodiscard]] Result<RunOutcome> run_detached(const RunRequest& request, const Services& services,
                                              Observer& observer);

// The file that marks a run cancelled (<store folder>/live/<id>.cancel).
std::filesystem::path cancel_marker(const std::string& store_path, const std::string& id);

// The run in progress whose id is `id_or_prefix` or starts with it; else a
// detached run that failed (state "failed", error set). Errors:
// kNotFound (no such run in progress: it ended, or never started; see
// get_run), kNotFound naming the candidates when the prefix is ambiguous.
[[nodiscard]] Result<LiveRun> run_status(const std::string& id_or_prefix, const Services& services);

// Cancels the run in progress (see above) and returns its last live state.
// Errors as run_status; kIo when the signal cannot be sent.
[[nodiscard]] Result<LiveRun> cancel_run(const std::string& id_or_prefix, const Services& services);

}  // namespace greenrun::engine
