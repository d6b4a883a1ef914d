#include <CLI/CLI.hpp>

#include "commands.h"

namespace greenrun::cli {

// Placeholder until this subcommand lands; registers nothing.
void add_demo_command(CLI::App& app, Context& ctx, Action& action) {
  (void)app;
  (void)ctx;
  (void)action;
}

}  // namespace greenrun::cli
