// greenrun's entry point: one call into the CLI library.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  // A closed stdout or stderr (`greenrun run ... 2>&1 | head -n 2`) must never
  // kill a run: writes fail instead (and status output stops); the job gets
  // the default SIGPIPE back (runner/child_process.h).
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv, argv + argc);
  return greenrun::cli::run_cli(args, std::cout, std::cerr);
}
