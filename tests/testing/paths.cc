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

std::filesystem::path latest_run_folder(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::path found;
  std::filesystem::file_time_type newest{};
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    if (!entry.is_directory()) continue;
    for (const char* name : {"run.json", "timeline.jsonl"}) {
      const auto t = std::filesystem::last_write_time(entry.path() / name, ec);
      if (ec) continue;
      if (found.empty() || t > newest) {
        found = entry.path();
        newest = t;
      }
      break;
    }
  }
  return found;
}

}  // namespace greenrun::testing
