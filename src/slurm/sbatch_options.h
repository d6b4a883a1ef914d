// What greenrun needs to know of an sbatch command line and its batch
// script: the time limit (--time/-t, or `#SBATCH --time` in the script; the
// command line wins, as in sbatch), the comment, and whether --begin or
// --deadline were given (greenrun sets those itself). Slurm's time formats:
// "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"; "UNLIMITED"/"INFINITE" is
// no limit.
//
// An option's value is found in all of sbatch's forms: --time=10, --time 10,
// -t 10, -t10; the first argument that is not an option (or an option's
// value) is the script, and the arguments after it are the script's own.
//
// Thread-safety: pure functions (scan_sbatch reads the script file).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::slurm {

// Errors: a malformed time ("--time: expected minutes, M:S, H:M:S, D-H, D-H:M
// or D-H:M:S, got ..."). None: UNLIMITED / INFINITE.
[[nodiscard]] Result<std::optional<Duration>> parse_slurm_time(std::string_view text);

struct SbatchOptions {
  std::optional<Duration> time_limit;
  std::string time_limit_source;  // "--time" or "SCRIPT line N"
  std::optional<std::string> comment;
  bool has_begin = false;
  bool has_deadline = false;
  std::optional<std::string> script;  // none: --wrap or standard input
};

// Errors name the flag, or the script's file and line, and what was expected.
[[nodiscard]] Result<SbatchOptions> scan_sbatch(const std::vector<std::string>& args);

}  // namespace greenrun::slurm
