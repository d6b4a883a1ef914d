// The built greenrun as a real child process, for end-to-end tests: a
// sandboxed environment under a test's temporary folder, stdout and stderr
// captured to files there, and the exit status as a shell reports it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "testing/paths.h"  // read_file

namespace greenrun::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Forks and execs cli_path() with `args` in its own process group. The child
// gets GREENRUN_STORE=dir/greenrun.db, GREENRUN_NO_METADATA=1, XDG config and
// cache folders under `dir`, none of the caller's other GREENRUN_* settings
// (zone, time scale, forecast provider, provider URLs and credentials), then
// `env` on top; its stdout and stderr go to dir/stdout.txt and dir/stderr.txt
// (stderr to `stderr_fd` instead when it is >= 0, e.g. a pipe's write end).
pid_t start_cli(const std::vector<std::string>& args, const std::filesystem::path& dir, const EnvVars& env = {},
                int stderr_fd = -1);

// Waits for `pid`: its exit code, or 128 + the signal that killed it.
int wait_exit(pid_t pid);
// The state letter of /proc/PID/stat ('R', 'S', 'T' stopped, 'Z' zombie);
// '?' when the process is gone.
char proc_state(pid_t pid);
// The pid of the first "start pid=N" line in a job's log written by
// examples/checkpointing_job.py; 0 when there is none yet.
pid_t started_pid(const std::string& log);
// Polls `done` every 20 ms, at most `tries` times (a bound, not a timing
// assumption: tests wait for a condition, never for a fixed time).
bool eventually(const std::function<bool()>& done, int tries);

// The port in `greenrun serve`'s "listening on http://HOST:PORT" line; 0
// while the line has not been written.
int listening_port(const std::string& stdout_text);

}  // namespace greenrun::testing
