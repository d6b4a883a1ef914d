#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

class SimulateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SHARED_DATA();
    dir_ = greenrun::testing::make_temp_dir("simulate");
    store_ = (dir_ / "s.db").string();
    for (const char* f : {"green-dcc/DE-LU_2022_hourly.csv", "decarbonization-potential/ES_2022_hourly.csv"})
      ASSERT_EQ(cli({"intensity", "import", (greenrun::testing::shared_data() / "electricitymaps-hourly" / f).string()}), 0)
          << err_.str();
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  int cli(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"greenrun", "--store", store_});
    return run_cli(args, out_, err_);
  }
  std::filesystem::path dir_;
  std::string store_;
  std::ostringstream out_, err_;
};

TEST_F(SimulateCommand, JsonRowsPerZonePresetAlgorithmWindow) {
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--zone", "ES", "--presets", "bert-finetune,vit-base", "--windows",
                 "24h,100%", "--algorithms", "flexible,pause-resume", "--starts", "monthly:1,7,13,19,25@00:00",
                 "--from", "2022-01-01", "--to", "2023-01-01", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  ASSERT_EQ(j["rows"].size(), 2u * 2 * 2 * 2);
  ASSERT_EQ(j["overall"].size(), 2u * 2 * 2);
  EXPECT_NE(j["sampling"].get<std::string>().find("days 1,7,13,19,25"), std::string::npos);
  EXPECT_EQ(j["provenance"].size(), 2u);
  for (const auto& r : j["rows"]) {
    for (const char* k : {"zone", "preset", "algorithm", "window", "starts", "mean_reduction_percent", "median",
                          "p10", "p90", "pauses_per_hour"})
      EXPECT_TRUE(r.contains(k)) << k;
    EXPECT_TRUE(r["window"] == "24h" || r["window"] == "100%");
    EXPECT_GT(r["starts"].get<int>(), 50);
    EXPECT_GE(r["mean_reduction_percent"].get<double>(), -1e-9);
  }
}

TEST_F(SimulateCommand, CsvAndMarkdownStateSamplingAndProvenance) {
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--presets", "densenet-201", "--windows", "6h", "--starts", "hourly",
                 "--from", "2022-03-01", "--to", "2022-03-08", "--error", "0.1", "--repeat", "3", "--seed", "7",
                 "--csv"}),
            0)
      << err_.str();
  const std::string csv = out_.str();
  EXPECT_NE(csv.find("# sampling: every hour"), std::string::npos) << csv;
  EXPECT_NE(csv.find("3 repetitions, seed 7"), std::string::npos) << csv;
  EXPECT_NE(csv.find("# data: DE: electricitymaps-csv"), std::string::npos) << csv;
  EXPECT_NE(csv.find("zone,preset,algorithm,window,starts"), std::string::npos);
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--presets", "bert-finetune", "--windows", "12h", "--markdown"}), 0);
  EXPECT_NE(out_.str().find("| zone | preset |"), std::string::npos);
  // A user CSV of jobs.
  const auto jobs = dir_ / "jobs.csv";
  std::ofstream(jobs) << "name,duration,energy\nnightly,3h,2kWh\n";
  ASSERT_EQ(cli({"simulate", "--zone", "ES", "--presets", jobs.string(), "--windows", "50%", "--json"}), 0) << err_.str();
  EXPECT_EQ(nlohmann::json::parse(out_.str())["rows"][0]["preset"], "nightly");
}

TEST_F(SimulateCommand, BadInputIsOneLineAndNonZero) {
  // A malformed flag is a usage error (2); missing data is a failure (1).
  const std::vector<std::pair<std::vector<std::string>, int>> bad = {
      {{"simulate", "--zone", "FR"}, 1},
      {{"simulate", "--zone", "DE", "--presets", "gpt-5"}, 2},
      {{"simulate", "--zone", "DE", "--windows", "soon"}, 2},
      {{"simulate", "--zone", "DE", "--starts", "weekly"}, 2},
      {{"simulate", "--zone", "DE", "--algorithms", "threshold"}, 2},
      {{"simulate", "--zone", "DE", "--from", "2022-05-01", "--to", "2022-04-01"}, 2},
  };
  for (const auto& [args, status] : bad) {
    SCOPED_TRACE(args.back());
    EXPECT_EQ(cli(args), status);
    const std::string e = err_.str();
    EXPECT_EQ(e.rfind("greenrun: ", 0), 0u) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  }
}

}  // namespace
}  // namespace greenrun::cli
