// Absurd inputs are usage errors naming the flag, before anything runs —
// never a hang, exhausted memory, or "inf"/"nan" printed as a figure.
#include <gtest/gtest.h>

#include <filesystem>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;

class BoundsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-bounds"); }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  fs::path dir_;
};

TEST_F(BoundsTest, EveryWindowOverheadPowerAndScaleIsBoundedWithAMessageNamingTheFlag) {
  const fs::path ran = dir_ / "ran";
  const std::vector<std::string> job = {"--", "touch", ran.string()};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "--zone", "DE", "--start-within", "10000000h", "--expected-duration", "1h"}, "--start-within"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1e9h", "--expected-duration", "1h"}, "--max-delay"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1e12%", "--expected-duration", "1h"}, "--max-delay"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--expected-duration", "100000h"},
       "--duration"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--expected-duration", "1h", "--time-scale",
        "1e300"},
       "--time-scale"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--expected-duration", "1h", "--time-scale", "0"},
       "--time-scale"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--expected-duration", "1h", "--expected-power",
        "1e300W"},
       "--power"},
      {{"run", "--zone", "DE", "--embodied-kg", "1e300"}, "--embodied-kg"},
  };
  for (const auto& [args, flag] : cases) {
    SCOPED_TRACE(flag);
    std::vector<std::string> full = args;
    full.insert(full.end(), job.begin(), job.end());
    EXPECT_EQ(run(full), 2) << err();
    EXPECT_NE(err().find("greenrun: " + flag + ":"), std::string::npos) << err();
    EXPECT_FALSE(fs::exists(ran)) << "the job ran";
  }
  const std::vector<std::pair<std::vector<std::string>, std::string>> plans = {
      {{"plan", "--zone", "DE", "--duration", "1h", "--pause-overhead", "1000000000h"}, "--pause-overhead"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--power", "1e300W"}, "--power"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--max-delay", "1e9h"}, "--max-delay"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--window", "1e9h"}, "--window"},
  };
  for (const auto& [args, flag] : plans) {
    SCOPED_TRACE(flag);
    EXPECT_EQ(run(args), 2) << err();
    EXPECT_NE(err().find("greenrun: " + flag + ":"), std::string::npos) << err();
    EXPECT_EQ(err().find("inf"), std::string::npos) << err();
  }
}

}  // namespace
}  // namespace greenrun::cli
