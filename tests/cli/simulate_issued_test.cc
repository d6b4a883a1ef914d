// `intensity import --issued` and `simulate --jobs --plan-on issued`: hand-made
// issued forecasts, each job planned on the forecast as known at its submit
// time (the numbers are those of tests/scheduling/replay_issued_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

class SimulateIssued : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("simulate-issued");
    store_ = (dir_ / "s.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  int cli(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"greenrun", "--store", store_});
    return run_cli(args, out_, err_);
  }
  // Hourly g/kWh from 2023-01-02T00:00Z, as a generic CSV.
  std::string csv(const std::string& name, std::vector<int> values) {
    const auto path = dir_ / name;
    std::ofstream f(path);
    f << "time,value\n";
    for (size_t h = 0; h < values.size(); ++h)
      f << "2023-01-02T" << (h < 10 ? "0" : "") << h << ":00:00Z," << values[h] << "\n";
    return path.string();
  }
  int import(const std::string& file, const char* origin, const char* issued = nullptr) {
    std::vector<std::string> args = {"intensity", "import", file, "--format", "generic-csv", "--zone", "DE",
                                     "--unit", "g/kWh", "--origin", origin};
    if (issued) args.insert(args.end(), {"--issued", issued});
    return cli(args);
  }
  std::filesystem::path dir_;
  std::string store_;
  std::ostringstream out_, err_;
};

TEST_F(SimulateIssued, EachJobIsPlannedOnTheForecastKnownAtItsSubmitTime) {
  ASSERT_EQ(import(csv("actual.csv", {300, 200, 100, 400, 50, 300, 300, 300}), "actual"), 0) << err_.str();
  ASSERT_EQ(import(csv("f1.csv", {300, 100, 250, 400, 300, 300}), "forecast", "2023-01-01T23:00:00Z"), 0)
      << err_.str();
  ASSERT_EQ(import(csv("f2.csv", {300, 300, 300, 10, 300, 300}), "forecast", "2023-01-02T00:30:00Z"), 0)
      << err_.str();
  ASSERT_EQ(import(csv("f3.csv", {300, 1}), "forecast", "2023-01-02T00:45:00Z"), 0) << err_.str();
  // Each import keeps its issue time; the actuals have none.
  ASSERT_EQ(cli({"intensity", "list", "--json"}), 0) << err_.str();
  std::vector<std::string> issued;
  for (const auto& series : nlohmann::json::parse(out_.str()))
    for (const auto& imp : series["imports"])
      issued.push_back(imp["issued"].is_null() ? series["origin"].get<std::string>() + ": none"
                                               : imp["issued"].get<std::string>());
  std::sort(issued.begin(), issued.end());
  EXPECT_EQ(issued, (std::vector<std::string>{"2023-01-01T23:00:00Z", "2023-01-02T00:30:00Z",
                                              "2023-01-02T00:45:00Z", "actual: none"}));
  const auto log = dir_ / "jobs.csv";
  std::ofstream(log) << "id,submit,duration,power\n"
                        "A,2023-01-02T00:00:00Z,1h,1000W\n"
                        "B,2023-01-02T01:00:00Z,1h,1000W\n"
                        "C,2023-01-02T04:00:00Z,1h,1000W\n";
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--rule", "slack:3h", "--policies", "flexible",
                 "--plan-on", "issued", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_NE(j["planned_on"].get<std::string>().find("as known at each decision"), std::string::npos);
  EXPECT_NE(j["planned_on"].get<std::string>().find("3 issued forecasts"), std::string::npos);
  ASSERT_EQ(j["excluded"].size(), 1u);
  EXPECT_EQ(j["excluded"][0]["id"], "C");
  const auto& s = j["settings"].at(0);
  EXPECT_NEAR(s["totals"]["emissions_g"].get<double>(), 600, 1e-6);
  EXPECT_NEAR(s["totals"]["at_once_g"].get<double>(), 500, 1e-6);
  EXPECT_NEAR(s["perfect_saving_percent"].get<double>(), 70, 1e-6);
  ASSERT_EQ(s["jobs"].size(), 2u);
  EXPECT_EQ(s["jobs"][0]["start"], "2023-01-02T01:00:00Z");
  EXPECT_EQ(s["jobs"][1]["start"], "2023-01-02T03:00:00Z");

  // The merged forecast (each point as last stored: f3's 01:00 = 1) plans
  // differently, which is why the issue times matter.
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--rule", "slack:3h", "--policies", "flexible",
                 "--plan-on", "forecast", "--json"}),
            0)
      << err_.str();
  const auto m = nlohmann::json::parse(out_.str());
  EXPECT_EQ(m["settings"][0]["jobs"][0]["start"], "2023-01-02T01:00:00Z");
  EXPECT_EQ(m["settings"][0]["jobs"][1]["start"], "2023-01-02T01:00:00Z");
}

// WattTime's /v3/forecast/historical answer holds many generations of the
// forecast: each is kept whole with its generated_at as issue time, so the
// same three forecasts as above, given as one such file, plan the same.
TEST_F(SimulateIssued, WattTimeForecastGenerationsKeepTheirIssueTimes) {
  ASSERT_EQ(cli({"intensity", "import", csv("actual.csv", {300, 200, 100, 400, 50, 300, 300, 300}), "--format",
                 "generic-csv", "--zone", "DE", "--unit", "g/kWh", "--origin", "actual", "--generic-signal",
                 "marginal"}),
            0)
      << err_.str();
  const auto generation = [](const std::string& at, std::vector<int> values) {
    std::string g = R"({"generated_at":")" + at + R"(","forecast":[)";
    for (size_t h = 0; h < values.size(); ++h)
      g += std::string(h ? "," : "") + R"({"point_time":"2023-01-02T0)" + std::to_string(h) +
           R"(:00:00+00:00","value":)" + std::to_string(values[h]) + "}";
    return g + "]}";
  };
  const auto file = dir_ / "forecast_historical.json";
  std::ofstream(file) << R"({"data":[)" << generation("2023-01-01T23:00:00+00:00", {300, 100, 250, 400, 300, 300})
                      << "," << generation("2023-01-02T00:30:00+00:00", {300, 300, 300, 10, 300, 300}) << ","
                      << generation("2023-01-02T00:45:00+00:00", {300, 1})
                      << R"(],"meta":{"region":"DE","signal_type":"co2_moer","units":"g_co2_per_kwh",)"
                      << R"("data_point_period_seconds":3600}})";
  ASSERT_EQ(cli({"intensity", "import", file.string()}), 0) << err_.str();
  EXPECT_NE((out_.str() + err_.str()).find("3 forecast generations also kept whole"), std::string::npos)
      << out_.str() << err_.str();
  const auto log = dir_ / "jobs.csv";
  std::ofstream(log) << "id,submit,duration,power\n"
                        "A,2023-01-02T00:00:00Z,1h,1000W\n"
                        "B,2023-01-02T01:00:00Z,1h,1000W\n";
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--rule", "slack:3h", "--policies", "flexible",
                 "--plan-on", "issued", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_NE(j["planned_on"].get<std::string>().find("3 issued forecasts"), std::string::npos) << j["planned_on"];
  const auto& s = j["settings"].at(0);
  EXPECT_NEAR(s["totals"]["emissions_g"].get<double>(), 600, 1e-6);
  ASSERT_EQ(s["jobs"].size(), 2u);
  EXPECT_EQ(s["jobs"][0]["start"], "2023-01-02T01:00:00Z") << "A: the 23:00 generation's cleanest hour";
  EXPECT_EQ(s["jobs"][1]["start"], "2023-01-02T03:00:00Z") << "B: the 00:45 generation ends at 02:00, so 00:30's";
}

TEST_F(SimulateIssued, BadUseIsAOneLineError) {
  ASSERT_EQ(import(csv("actual.csv", {300, 200}), "actual", "2023-01-01T00:00:00Z"), 2) << err_.str();
  EXPECT_NE(err_.str().find("--issued: only a forecast has an issue time"), std::string::npos) << err_.str();
  EXPECT_EQ(import(csv("f.csv", {1, 2}), "forecast", "yesterday-ish"), 2);
  EXPECT_NE(err_.str().find("--issued"), std::string::npos) << err_.str();
  ASSERT_EQ(import(csv("actual.csv", {300, 200, 100}), "actual"), 0) << err_.str();
  const auto log = dir_ / "jobs.csv";
  std::ofstream(log) << "id,submit,duration,power\nA,2023-01-02T00:00:00Z,1h,1000W\n";
  EXPECT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--rule", "slack:1h", "--plan-on", "issued"}), 1);
  EXPECT_NE(err_.str().find("no forecast with an issue time"), std::string::npos) << err_.str();
  EXPECT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--plan-on", "hindsight"}), 2);
  EXPECT_NE(err_.str().find("expected actual, forecast or issued"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace greenrun::cli
