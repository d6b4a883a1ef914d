#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

class ForecastCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SHARED_DATA();
    dir_ = greenrun::testing::make_temp_dir("forecast");
    store_ = (dir_ / "s.db").string();
    const auto f = greenrun::testing::shared_data() / "electricitymaps-hourly" / "green-dcc/DE-LU_2022_hourly.csv";
    ASSERT_EQ(cli({"intensity", "import", f.string()}), 0) << err_.str();
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

TEST_F(ForecastCommand, ForecastsFromHistoryWithItsBacktest) {
  ASSERT_EQ(cli({"forecast", "--zone", "DE", "--horizon", "24h", "--from", "2022-11-01", "--json"}), 0) << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["schema"], "greenrun.forecast/1");
  ASSERT_EQ(j["points"].size(), 24u);
  EXPECT_EQ(j["points"][0]["start"], "2022-11-01T00:00:00Z");
  ASSERT_EQ(j["backtest"]["models"].size(), 4u);  // the three seasonal models and lag-calendar
  EXPECT_EQ(j["backtest"]["test_to"], "2022-11-01T00:00:00Z") << "never tested on data after the issue time";
  EXPECT_NE(j["label"].get<std::string>().find("not a provider's"), std::string::npos);
  double best = 1e300;
  for (const auto& m : j["backtest"]["models"]) best = std::min(best, m["mae_g_per_kwh"].get<double>());
  for (const auto& m : j["backtest"]["models"]) {
    if (m["model"] == j["model"]) {
      EXPECT_EQ(m["mae_g_per_kwh"].get<double>(), best);
    }
  }
  ASSERT_EQ(cli({"forecast", "--zone", "DE"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("<- used"), std::string::npos) << out_.str();
  EXPECT_EQ(cli({"forecast", "--zone", "DE", "--horizon", "90m"}), 2);
  EXPECT_EQ(cli({"forecast", "--zone", "FR"}), 1);
  EXPECT_NE(err_.str().find("no stored actual intensity data for zone FR"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace greenrun::cli
