// --min-saving as the CLI reads it. The schedules it shapes (a tiny saving
// runs at once and says why; a worthwhile one still waits) are tested on a
// fake clock in tests/engine/scheduled_run_test.cc.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "greenrun/base/clock.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class MinSavingTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-min-saving"); }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  std::vector<std::string> flexible(const std::string& min_saving) const {
    return {"run", "--zone", "DE", "--sensors", "fake", "--out", (dir_ / "out").string(), "--time-scale", "3600",
            "--start-within", "6h", "--expected-duration", "1h", "--min-saving", min_saving, "--", "true"};
  }
  fs::path dir_;
};

TEST_F(MinSavingTest, AMalformedMinSavingIsAUsageError) {
  EXPECT_EQ(run(flexible("lots")), 2);
  EXPECT_NE(err().find("greenrun: --min-saving:"), std::string::npos) << err();
}

}  // namespace
}  // namespace greenrun::cli
