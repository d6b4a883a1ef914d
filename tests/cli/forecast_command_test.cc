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
  // The bands: their forecast is never worse than the best single model on
  // the backtest they were chosen on; a model worse than naive says so.
  const auto& by_band = j["backtest"]["by_band"];
  EXPECT_LE(by_band["mae_g_per_kwh"].get<double>(), best + 1e-3);
  ASSERT_GE(j["backtest"]["bands"].size(), 1u);
  EXPECT_EQ(j["backtest"]["bands"].back()["to_h"], 24.0);
  double naive = 0;
  for (const auto& m : j["backtest"]["models"])
    if (m["model"] == "seasonal-day") naive = m["mae_g_per_kwh"].get<double>();
  for (const auto& m : j["backtest"]["models"])
    EXPECT_EQ(m["worse_than_seasonal_naive"].get<bool>(), m["mae_g_per_kwh"].get<double>() > naive) << m["model"];
  // Planning on it: daily 1 h jobs in 12 h windows; perfect foresight is
  // the best Flexible Start can do, so no forecast beats the actuals.
  const auto& pl = j["backtest"]["planning"];
  EXPECT_EQ(pl["jobs"], j["backtest"]["forecasts"]);
  EXPECT_EQ(pl["window_h"], 12.0);
  EXPECT_GT(pl["saving_on_actuals_percent"].get<double>(), 0);
  ASSERT_EQ(pl["saving_on_forecast_percent"].size(), 5u);  // the four models and by-band
  for (const auto& [name, saving] : pl["saving_on_forecast_percent"].items())
    EXPECT_LE(saving.get<double>(), pl["saving_on_actuals_percent"].get<double>() + 1e-9) << name;
  ASSERT_EQ(cli({"forecast", "--zone", "DE"}), 0) << err_.str();
  EXPECT_NE(out_.str().find("planning on it"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("<- used"), std::string::npos) << out_.str();
  EXPECT_EQ(cli({"forecast", "--zone", "DE", "--horizon", "90m"}), 2);
  EXPECT_EQ(cli({"forecast", "--zone", "FR"}), 1);
  EXPECT_NE(err_.str().find("no stored actual intensity data for zone FR"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace greenrun::cli
