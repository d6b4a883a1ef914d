#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

class PlanCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SHARED_DATA();
    dir_ = greenrun::testing::make_temp_dir("plan");
    store_ = (dir_ / "s.db").string();
    ASSERT_EQ(cli({"intensity", "import",
                   (greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2023_hourly.csv").string()}),
              0)
        << err_.str();
    ASSERT_EQ(cli({"intensity", "import",
                   (greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/GB_2023_hourly.csv").string()}),
              0)
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

TEST_F(PlanCommand, JsonHasBothModesAndPauseResumeNeverLoses) {
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "6h", "--energy", "3.1kWh", "--window", "30h",
                 "--mode", "both", "--from", "2023-05-01T00:00Z", "--json"}),
            0)
      << err_.str();
  const auto doc = nlohmann::json::parse(out_.str());
  EXPECT_EQ(doc["schema"], "greenrun.plan/1");
  EXPECT_EQ(doc["modes"], nlohmann::json::array({"flexible", "pause-resume"}));
  ASSERT_EQ(doc["locations"].size(), 1u) << "each location once";
  nlohmann::json j;
  for (const auto& p : doc["locations"][0]["plans"]) j[p["mode"].get<std::string>()] = p;
  for (const char* m : {"flexible", "pause-resume"}) {
    ASSERT_TRUE(j.contains(m)) << m;
    EXPECT_TRUE(j[m].contains("segments"));
    EXPECT_LE(j[m]["emissions_g"].get<double>(), j[m]["at_once_g"].get<double>());
    EXPECT_GE(j[m]["saving_percent"].get<double>(), 0);
  }
  EXPECT_LE(j["pause-resume"]["emissions_g"].get<double>(), j["flexible"]["emissions_g"].get<double>() + 1e-3);
  EXPECT_EQ(j["flexible"]["start"], "2023-05-01T08:00:00Z");
  EXPECT_LE(j["flexible"]["end"].get<std::string>(), "2023-05-02T06:00:00Z");
  // Energy 3.1 kWh over 6 h: at once = 3.1 kWh x the mean of the first 6 hours.
  EXPECT_NEAR(j["flexible"]["at_once_g"].get<double>(), j["pause-resume"]["at_once_g"].get<double>(), 1e-3);
  // `best` points at one of them.
  const auto& best = doc["best"];
  EXPECT_EQ(doc["locations"][best["location"].get<size_t>()]["plans"][best["plan"].get<size_t>()]["mode"],
            best["mode"]);
  EXPECT_EQ(doc["job"]["duration_s"], 21600);
}

TEST_F(PlanCommand, TextShowsThePlanTheSavingAndAChart) {
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "4h", "--power", "300W", "--max-delay", "100%", "--mode",
                 "pause-resume", "--pause-overhead", "2m", "--from", "2023-05-01T00:00Z"}),
            0)
      << err_.str();
  const std::string o = out_.str();
  EXPECT_NE(o.find("pause-resume"), std::string::npos) << o;
  EXPECT_NE(o.find("starting now: saves"), std::string::npos) << o;
  EXPECT_NE(o.find("█"), std::string::npos) << o;
  EXPECT_NE(o.find("stored actual data used as a perfect forecast"), std::string::npos) << o;
}

TEST_F(PlanCommand, ComparesRegionsAndPicksTheCleanest) {
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--zone", "GB", "--duration", "6h", "--power", "1kW", "--window", "24h",
                 "--mode", "flexible", "--from", "2023-02-01T00:00Z", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  ASSERT_EQ(j["locations"].size(), 2u);
  const double de = j["locations"][0]["plans"][0]["emissions_g"], gb = j["locations"][1]["plans"][0]["emissions_g"];
  EXPECT_EQ(j["best"]["zone"], de < gb ? "DE" : "GB");
  EXPECT_EQ(j["best"]["emissions_g"].get<double>(), std::min(de, gb));
}

TEST_F(PlanCommand, ComparingPlacesRanksOneWithoutTimeResolvedDataAtItsAnnualMean) {
  // FR (aws:eu-west-3) has no stored data and no typical profile: it is
  // ranked at its labelled annual mean instead of aborting the comparison.
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--region", "aws:eu-west-3", "--duration", "2h", "--from",
                 "2023-05-01T00:00Z", "--json"}),
            0)
      << err_.str();
  EXPECT_NE(err_.str().find("--region aws:eu-west-3: no time-resolved data for zone FR"), std::string::npos)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  ASSERT_EQ(j["locations"].size(), 2u);
  const std::string label = j["locations"][1]["forecast"]["label"];
  EXPECT_NE(label.find("annual mean, not time-resolved"), std::string::npos) << label;
  // The same annual mean, labelled as `greenrun emissions` labels it for an
  // energy log priced in FR with no stored data (one builder for both).
  const auto log = dir_ / "fr.csv";
  std::ofstream(log) << "start,duration_s,cpu_kwh,method\n2031-01-01T00:00:00Z,3600,1,measured\n";
  ASSERT_EQ(cli({"emissions", "--energy", log.string(), "--zone", "FR", "--json"}), 0) << err_.str();
  const auto e = nlohmann::json::parse(out_.str());
  const std::string source = e["operational"]["average"]["fallback"]["source"];
  EXPECT_EQ(label, "annual mean, not time-resolved (" + source + ")");
  // Alone, it is an error naming the place as typed.
  EXPECT_EQ(cli({"plan", "--region", "aws:eu-west-3", "--duration", "2h", "--from", "2023-05-01T00:00Z"}), 1);
  EXPECT_NE(err_.str().find("greenrun: --region aws:eu-west-3: "), std::string::npos) << err_.str();
}

// Issue 15: plan chooses the series it plans on, and a plan made on a
// forecast is also paid on the stored actuals where they cover the window.
TEST_F(PlanCommand, PlanOnChoosesTheStoredSeriesAndForecastPlansArePaidOnActuals) {
  // A hand-made forecast for DE whose only clean hour is 03:00 (the fixture
  // stored the real 2023 actuals).
  const auto forecast = dir_ / "forecast.csv";
  {
    std::ofstream f(forecast);
    f << "time,value\n";
    const int values[] = {500, 500, 500, 10, 500, 500, 500};
    for (int h = 0; h < 7; ++h) f << "2023-05-01T0" << h << ":00:00Z," << values[h] << "\n";
  }
  ASSERT_EQ(cli({"intensity", "import", forecast.string(), "--format", "generic-csv", "--zone", "DE", "--origin",
                 "forecast"}),
            0)
      << err_.str();
  const std::vector<std::string> job = {"plan", "--zone", "DE", "--duration", "1h", "--power", "1000W", "--window",
                                        "6h", "--mode", "flexible", "--from", "2023-05-01T00:00Z", "--json"};
  const auto plan = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = job;
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_EQ(cli(args), 0) << err_.str();
    return nlohmann::json::parse(out_.str())["locations"][0];
  };
  // What the actuals say: 1 kWh at 00:00 (at once) and at 03:00.
  const auto at_once_on_actuals = [&](const std::string& from) {
    EXPECT_EQ(cli({"plan", "--zone", "DE", "--duration", "1h", "--power", "1000W", "--window", "1h", "--mode",
                   "flexible", "--from", from, "--plan-on", "actual", "--json"}),
              0)
        << err_.str();
    return nlohmann::json::parse(out_.str())["locations"][0]["plans"][0]["at_once_g"].get<double>();
  };
  const double actual_now = at_once_on_actuals("2023-05-01T00:00Z");
  const double actual_at_3 = at_once_on_actuals("2023-05-01T03:00Z");
  ASSERT_GT(actual_now, 0);

  for (const auto& l : {plan({}), plan({"--plan-on", "forecast"})}) {
    EXPECT_EQ(l["forecast"]["origin"], "forecast");
    EXPECT_EQ(l["plans"][0]["start"], "2023-05-01T03:00:00Z");
    EXPECT_NEAR(l["plans"][0]["emissions_g"].get<double>(), 10, 1e-6) << "on the forecast";
    ASSERT_TRUE(l["on_actuals"].is_object()) << l.dump();
    EXPECT_NE(l["on_actuals"]["label"].get<std::string>().find("stored actual data"), std::string::npos);
    const auto& paid = l["on_actuals"]["plans"][0];
    EXPECT_EQ(paid["start"], "2023-05-01T03:00:00Z") << "the same plan";
    EXPECT_NEAR(paid["emissions_g"].get<double>(), actual_at_3, 1e-3);
    EXPECT_NEAR(paid["at_once_g"].get<double>(), actual_now, 1e-3);
  }
  const auto on_actual = plan({"--plan-on", "actual"});
  EXPECT_EQ(on_actual["forecast"]["origin"], "actual");
  EXPECT_TRUE(on_actual["on_actuals"].is_null()) << "planned on the actuals already";

  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "1h", "--window", "6h", "--from", "2023-05-01T00:00Z"}), 0);
  EXPECT_NE(out_.str().find("  On stored actual data"), std::string::npos) << out_.str();

  EXPECT_EQ(cli({"plan", "--zone", "DE", "--duration", "1h", "--plan-on", "hindsight"}), 2);
  EXPECT_NE(err_.str().find("--plan-on: expected actual or forecast, got hindsight"), std::string::npos) << err_.str();
  EXPECT_EQ(cli({"plan", "--zone", "DE", "--duration", "1h", "--plan-on", "actual", "--forecast-provider", "uk"}), 2);
  EXPECT_NE(err_.str().find("--plan-on actual plans on a stored series; it cannot be given with --forecast-provider"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(cli({"plan", "--zone", "DE", "--duration", "1h", "--window", "6h", "--from", "2023-06-01T00:00Z",
                 "--plan-on", "forecast"}),
            1);
  EXPECT_NE(err_.str().find("no stored forecast series for zone DE covers the window"), std::string::npos)
      << err_.str();
}

TEST_F(PlanCommand, BadInputIsOneLineAndNonZero) {
  // Usage errors (a flag that cannot be valid) exit 2; a place greenrun does
  // not know exits 1 (errors/kinds in one place: cli.h exit_status_for).
  const std::vector<std::pair<std::vector<std::string>, int>> bad = {
      {{"plan", "--zone", "NOWHERE", "--duration", "6h", "--from", "2023-05-01T00:00Z"}, 1},
      {{"plan", "--region", "aws:mars-1", "--duration", "6h", "--from", "2023-05-01T00:00Z"}, 1},
      {{"plan", "--zone", "DE", "--duration", "6h", "--window", "4h", "--from", "2023-05-01T00:00Z"}, 2},
      {{"plan", "--zone", "DE", "--duration", "0h", "--from", "2023-05-01T00:00Z"}, 2},
      {{"plan", "--zone", "DE", "--duration", "-2h", "--from", "2023-05-01T00:00Z"}, 2},
      {{"plan", "--zone", "DE", "--duration", "6h", "--deadline", "2023-04-30T00:00Z", "--from", "2023-05-01T00:00Z"},
       2},
      {{"plan", "--zone", "DE", "--duration", "6h", "--mode", "sometimes", "--from", "2023-05-01T00:00Z"}, 2},
  };
  for (const auto& [args, status] : bad) {
    SCOPED_TRACE(args[2] + " " + args[3] + " " + args[5]);
    EXPECT_EQ(cli(args), status);
    const std::string e = err_.str();
    EXPECT_EQ(e.rfind("greenrun: ", 0), 0u) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  }
  cli(bad[2].first);
  EXPECT_NE(err_.str().find("shorter than the job"), std::string::npos) << err_.str();
  cli(bad[5].first);
  EXPECT_NE(err_.str().find("in the past"), std::string::npos) << err_.str();
}

TEST_F(PlanCommand, APartlyCoveredWindowContinuesWithGreenrunsOwnForecastLikeARunDoes) {
  // The store ends with 2023: a 48 h window from 2023-12-31 is planned on the
  // stored data where it has points and, after them, greenrun's own forecast
  // issued at the end of the history (backtested, its model named) —
  // labelled and warned about, the same policy as a carbon-aware run.
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "6h", "--window", "48h", "--from", "2023-12-31T00:00Z",
                 "--json"}),
            0)
      << err_.str();
  EXPECT_NE(err_.str().find("planning on greenrun"), std::string::npos) << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  const std::string label = j["locations"][0]["forecast"]["label"];
  EXPECT_NE(label.find("where it has points, then the greenrun"), std::string::npos) << label;
  EXPECT_NE(label.find("forecast (not a provider's), trained on"), std::string::npos) << label;
  EXPECT_NE(label.find("backtest MAE"), std::string::npos) << label;
  EXPECT_EQ(label.find("typical profile"), std::string::npos) << label;
}

TEST_F(PlanCommand, AWindowBeyondTheForecastsReachLayersTheTypicalProfile) {
  // Ten days after the history ends is too far for a forecast from it (its
  // reach is a week): stored data where it has points... none here, so the
  // typical profile, saying why greenrun's own forecast was not used.
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "6h", "--window", "24h", "--from", "2024-01-10T00:00Z",
                 "--json"}),
            0)
      << err_.str();
  EXPECT_NE(err_.str().find("too far from the window"), std::string::npos) << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  const std::string label = j["locations"][0]["forecast"]["label"];
  EXPECT_NE(label.find("typical profile, not a forecast"), std::string::npos) << label;
}

TEST_F(PlanCommand, WindowWithNoStoredDataUsesTheLabelledTypicalProfile) {
  // The store holds 2023 only; a window in 2026 has no data at all, so the
  // planner uses the embedded typical profile and says so.
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "6h", "--power", "300W", "--window", "24h", "--from",
                 "2026-12-01T00:00Z", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_NE(j.dump().find("typical profile, not a forecast"), std::string::npos) << j.dump();
  ASSERT_EQ(cli({"plan", "--zone", "DE", "--duration", "6h", "--power", "300W", "--window", "24h", "--from",
                 "2026-12-01T00:00Z"}),
            0);
  EXPECT_NE(out_.str().find("typical profile, not a forecast"), std::string::npos) << out_.str();
}

}  // namespace
}  // namespace greenrun::cli
