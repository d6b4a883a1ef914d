#include "testing/paths.h"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace greenrun::testing {

std::filesystem::path shared_data() {
  if (const char* env = std::getenv("GREENRUN_SHARED_DATA")) return env;
  return std::filesystem::path(GREENRUN_SHARED_DATA);
}

bool has_shared_data() {
  return std::filesystem::exists(shared_data() / "electricitymaps-hourly");
}

std::filesystem::path source_dir() { return GREENRUN_SOURCE_DIR; }

std::filesystem::path cli_path() {
  if (const char* env = std::getenv("GREENRUN_CLI")) return env;
  return std::filesystem::path(GREENRUN_BINARY_DIR) / "apps" / "greenrun" / "greenrun";
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::random_device rd;
  for (int i = 0; i < 100; ++i) {
    auto p = std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(rd()) + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(p, ec)) return p;
  }
  return std::filesystem::temp_directory_path() / prefix;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace greenrun::testing
