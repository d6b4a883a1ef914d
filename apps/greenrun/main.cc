// greenrun's entry point: one call into the CLI library.
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return greenrun::cli::run_cli(args, std::cout, std::cerr);
}
