// Names a mistyped flag or subcommand before CLI11 parses, with a
// did-you-mean, so `greenrun run --projct X -- cmd` says "--projct is not a
// flag of `greenrun run`; did you mean --project?" instead of blaming the
// job's arguments, and `plan --duraton 6h` does not say "--duration is
// required". Only the part before a lone "--" is looked at: what follows is
// the job's own command line.
//
// Thread-safety: reads the app's definition only.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace greenrun::cli {

// The one-line message for the first unknown flag or subcommand in `args`
// (args[0] is the program name), or nullopt when every one is known.
std::optional<std::string> unknown_flag_message(const CLI::App& app, const std::vector<std::string>& args);

}  // namespace greenrun::cli
