// Paths the tests need: the shared reference data (tests that need it skip
// with a reason when it is absent), the source tree, the built CLI, and a
// fresh temporary folder per test, and reading a file whole.
#pragma once

#include <filesystem>
#include <string>

namespace greenrun::testing {

// ../shared/data beside the checkout, or $GREENRUN_SHARED_DATA.
std::filesystem::path shared_data();
bool has_shared_data();
std::filesystem::path source_dir();
// The greenrun executable built with the tests.
std::filesystem::path cli_path();
// A new empty folder under the system temp folder, removed by the caller.
std::filesystem::path make_temp_dir(const std::string& prefix);
// The run folder (DIR/<run id>/, holding run.json and timeline.jsonl) that
// the latest run under the runs folder `root` (its --out) wrote: the one
// whose run.json, else timeline.jsonl, changed last. Runs in one test run
// one after another, so "last" is the latest run. An empty path when there
// is none yet.
std::filesystem::path latest_run_folder(const std::filesystem::path& root);
// The whole file ("" when it cannot be read).
std::string read_file(const std::filesystem::path& p);

// Skips the current test with a reason when the shared data is absent.
#define GREENRUN_REQUIRE_SHARED_DATA()                                              \
  do {                                                                              \
    if (!::greenrun::testing::has_shared_data())                                    \
      GTEST_SKIP() << "needs ../shared/data (set GREENRUN_SHARED_DATA); not found at " \
                   << ::greenrun::testing::shared_data();                           \
  } while (0)

}  // namespace greenrun::testing
