// A schedule that would save too little runs at once and says why
// (--min-saving, default 1 %); a schedule that saves more still waits, and
// a flat forecast simply runs at once with nothing to say.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "base/clock.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/stored_forecast.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class MinSavingTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-min-saving"); }
  void TearDown() override { fs::remove_all(dir_); }
  // Hourly forecast for zone DE (testing/stored_forecast.h).
  void store_forecast(const std::vector<double>& pattern, int hours = 30) {
    auto stored = greenrun::testing::store_hourly_forecast(dir_ / "greenrun.db", pattern, hours);
    ASSERT_TRUE(stored) << stored.error().message;
  }
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

TEST_F(MinSavingTest, ATinySavingRunsAtOnceAndSaysWhy) {
  // Waiting for the next hour would save at most 0.7 %.
  store_forecast({300, 300, 300, 298});
  ASSERT_EQ(run(flexible("1%")), 0) << err();
  EXPECT_NE(err().find("below --min-saving 1 %: running at once"), std::string::npos) << err();
  const auto j = nlohmann::json::parse(greenrun::testing::read_file(greenrun::testing::latest_run_folder(dir_ / "out") / "run.json"));
  ASSERT_TRUE(j.contains("schedule")) << j.dump(2);
  // Planned to start at once: the plan's start is the moment it was made,
  // before the run began (ISO times compare as text), and the record says
  // which plan was set aside.
  const auto& s = j["schedule"];
  ASSERT_TRUE(s.contains("planned")) << s.dump(2);
  EXPECT_LE(s["planned"]["segments"][0]["start"].get<std::string>(), s["began"].get<std::string>()) << s.dump(2);
  EXPECT_EQ(s["planned"]["min_saving_percent"], 1.0) << s.dump(2);
}

TEST_F(MinSavingTest, AWorthwhileSavingStillWaits) {
  // Dirty now, clean in two hours: waiting saves far more than 1 %.
  store_forecast({900, 900, 900, 900, 100, 100, 100});
  ASSERT_EQ(run(flexible("1%")), 0) << err();
  EXPECT_EQ(err().find("--min-saving"), std::string::npos) << err();
  const auto j = nlohmann::json::parse(greenrun::testing::read_file(greenrun::testing::latest_run_folder(dir_ / "out") / "run.json"));
  // It waited for the clean hours: at least an hour of schedule time.
  EXPECT_GE(j["schedule"]["waited_s"].get<double>(), 3600) << j["schedule"].dump(2);
}

TEST_F(MinSavingTest, AMalformedMinSavingIsAUsageError) {
  EXPECT_EQ(run(flexible("lots")), 2);
  EXPECT_NE(err().find("greenrun: --min-saving:"), std::string::npos) << err();
}

}  // namespace
}  // namespace greenrun::cli
