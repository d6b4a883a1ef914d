// The greenrun command line: parses flags, builds library objects, calls them
// and maps errors to exit statuses. main() is one call to run_cli().
//
// Exit statuses: 0 success; 1 a failure reported on stderr (bad input,
// missing data); 2 a usage error (unknown flag, missing argument). `greenrun
// run` exits with the wrapped command's own status.
//
// Thread-safety: one call at a time per process.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"

namespace CLI {
class App;
}

namespace greenrun::cli {

// Everything a subcommand needs besides its own flags.
struct Context {
  std::ostream* out;
  std::ostream* err;
  std::optional<std::string> store_override;  // --store
  // Status lines, notes, warnings and summaries on stderr: `err` itself, or
  // a stream that drops everything under the global --quiet (errors still go
  // to `err`; the requested output to `out`).
  std::ostream* info = nullptr;
  bool quiet = false;  // --quiet
  // The store path after --store / GREENRUN_STORE / XDG resolution.
  std::string store_path() const;
};

// The one mapping from an error's kind to an exit status (kUsage: 2, every
// other kind: 1), and the one way an error is printed ("greenrun: " + the
// error's one line). Returns the exit status.
int exit_status_for(ErrorKind kind);
int report_error(const Context& ctx, const Error& error);

// Runs the CLI with argv-style arguments (args[0] is the program name).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Each subcommand registers itself; it stores its action in `action`, which
// run_cli calls after parsing and whose return value is the exit status.
using Action = std::function<int()>;

}  // namespace greenrun::cli
