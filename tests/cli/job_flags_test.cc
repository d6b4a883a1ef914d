// One vocabulary for a job (issue 10, items 18 and 21): plan and run take the
// same job flags with the same aliases and power units, assume the same
// default power and say so, refuse bad values with exit 2 naming the flag,
// and honour a minimum pause length.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;

class JobFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-job-flags"); }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string out() const { return greenrun::testing::read_file(dir_ / "stdout.txt"); }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  // The GB typical profile on 2024-03-01 calls for a one-hour pause.
  std::vector<std::string> gb_plan(const std::string& min_pause) const {
    return {"plan", "--zone", "GB", "--duration", "8h", "--from", "2024-03-01T00:00Z", "--window", "24h",
            "--mode", "pause-resume", "--min-pause", min_pause, "--json"};
  }
  static Duration shortest_pause(const nlohmann::json& plan) {
    Duration m = std::chrono::hours(1000);
    const auto& segs = plan["segments"];
    for (size_t k = 1; k < segs.size(); ++k) {
      const auto a = parse_utc(segs[k - 1]["end"].get<std::string>());
      const auto b = parse_utc(segs[k]["start"].get<std::string>());
      m = std::min(m, *b - *a);
    }
    return m;
  }
  fs::path dir_;
};

TEST_F(JobFlagsTest, PlanTakesRunsSpellingsAndTheSamePowerUnits) {
  ASSERT_EQ(run({"plan", "--zone", "DE", "--expected-duration", "2h", "--expected-power", "0.5kW", "--json"}), 0)
      << err();
  auto j = nlohmann::json::parse(out());
  EXPECT_EQ(j["job"]["duration_s"], 7200);
  EXPECT_EQ(j["job"]["power_w"], 500);
  ASSERT_EQ(run({"plan", "--zone", "DE", "--duration", "2h", "--power", "250", "--json"}), 0) << err();
  j = nlohmann::json::parse(out());
  EXPECT_EQ(j["job"]["power_w"], 250) << "a bare number is watts on every power flag";
}

TEST_F(JobFlagsTest, RunTakesPlansSpellings) {
  const fs::path ran = dir_ / "ran";
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--out", (dir_ / "out").string(), "--start-within",
                 "0s", "--duration", "1m", "--power", "0.25kW", "--", "touch", ran.string()}),
            0)
      << err();
  EXPECT_TRUE(fs::exists(ran));
  EXPECT_NE(err().find("power: 250.0 W (given)"), std::string::npos) << err();
}

TEST_F(JobFlagsTest, PlanAndRunAssumeOneDefaultPowerAndSaySo) {
  ASSERT_EQ(run({"plan", "--zone", "DE", "--duration", "1h"}), 0) << err();
  const std::string line = "power: 300.0 W (default: assumed, no --power given; an estimate, not a measurement)";
  EXPECT_NE(out().find(line), std::string::npos) << out();
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--out", (dir_ / "out").string(), "--start-within",
                 "0s", "--duration", "1m", "--", "true"}),
            0)
      << err();
  EXPECT_NE(err().find(line), std::string::npos) << err();
}

TEST_F(JobFlagsTest, EveryBadJobFlagIsAUsageErrorNamingIt) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"plan", "--zone", "DE", "--duration", "soon"}, "--duration"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--power", "lots"}, "--power"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--expected-power", "-3W"}, "--power"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--min-pause", "-1m"}, "--min-pause"},
      {{"plan", "--zone", "DE", "--duration", "1h", "--min-pause", "48h"}, "--min-pause"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--duration", "1h", "--power", "3 horses", "--",
        "true"},
       "--power"},
      {{"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--duration", "1h", "--min-pause", "x", "--",
        "true"},
       "--min-pause"},
      {{"simulate", "--zone", "DE", "--min-pause", "-1m"}, "--min-pause"},
      {{"simulate", "--zone", "DE", "--min-pause", "25h"}, "--min-pause"},
  };
  for (const auto& [args, flag] : cases) {
    SCOPED_TRACE(args[0] + " " + flag);
    EXPECT_EQ(run(args), 2) << err();
    EXPECT_NE(err().find("greenrun: " + flag + ":"), std::string::npos) << err();
  }
  EXPECT_EQ(run({"plan", "--zone", "DE", "--duraton", "1h"}), 2);
  EXPECT_NE(err().find("did you mean --duration?"), std::string::npos) << err();
  EXPECT_EQ(run({"run", "--projct", "x", "--", "true"}), 2);
  EXPECT_NE(err().find("did you mean --project?"), std::string::npos) << err();
  EXPECT_EQ(run({"pln", "--zone", "DE"}), 2);
  EXPECT_NE(err().find("did you mean plan?"), std::string::npos) << err();
}

TEST_F(JobFlagsTest, NoPlannedPauseIsShorterThanTheMinimumPause) {
  ASSERT_EQ(run(gb_plan("0")), 0) << err();
  const auto any = nlohmann::json::parse(out())["locations"][0]["plans"][0];
  ASSERT_LT(shortest_pause(any), std::chrono::hours(3)) << "the profile must call for a short pause: " << any.dump();
  ASSERT_EQ(run(gb_plan("3h")), 0) << err();
  const auto held = nlohmann::json::parse(out())["locations"][0]["plans"][0];
  EXPECT_GE(shortest_pause(held), std::chrono::hours(3)) << held.dump();
  EXPECT_GE(held["emissions_g"].get<double>(), any["emissions_g"].get<double>());
}

TEST_F(JobFlagsTest, SparklinesOfSeveralZonesShareOneScaleAndPrintIt) {
  ASSERT_EQ(run({"plan", "--zone", "DE", "--zone", "GB", "--duration", "2h", "--from", "2024-03-01T00:00Z"}), 0)
      << err();
  std::vector<std::string> ranges;
  const std::string text = out();
  for (size_t at = text.find("  forecast "); at != std::string::npos; at = text.find("  forecast ", at + 1)) {
    const std::string line = text.substr(at, text.find('\n', at) - at);
    const size_t g = line.find(" g/kWh");
    ASSERT_NE(g, std::string::npos) << line;
    ranges.push_back(line.substr(line.rfind(' ', g - 1) + 1, g - line.rfind(' ', g - 1) - 1));
  }
  ASSERT_EQ(ranges.size(), 2u) << text;
  EXPECT_EQ(ranges[0], ranges[1]) << "one scale for both zones";
  EXPECT_NE(ranges[0].find(".."), std::string::npos) << ranges[0];
}

}  // namespace
}  // namespace greenrun::cli
