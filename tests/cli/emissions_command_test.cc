// `greenrun emissions` driven in-process with a temporary --store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;
using intensity::IntensitySeries;
using intensity::Signal;

struct CliResult {
  int status;
  std::string out;
  std::string err;
};

class EmissionsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("emissions-cli");
    store_ = (dir_ / "store.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"greenrun", "--store", store_, "emissions"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  // The shared Electricity Maps DE 2023 year, imported into the store.
  const IntensitySeries& import_de_2023() {
    const auto path = greenrun::testing::shared_data() / "electricitymaps-hourly" / "green-dcc" / "DE-LU_2023_hourly.csv";
    auto r = intensity::import_file(path.string(), intensity::ImportOptions{});
    EXPECT_TRUE(r) << r.error().message;
    de_ = r->series.at(0);
    auto store = intensity::IntensityStore::open(store_);
    EXPECT_TRUE(store) << store.error().message;
    auto ok = store->import(r->series);
    EXPECT_TRUE(ok) << ok.error().message;
    return de_;
  }

  fs::path dir_;
  std::string store_;
  IntensitySeries de_;
};

// Two hours of a GPU job across an hour boundary, unaligned.
const char* kTimeline =
    "{\"start\":\"2023-03-14T09:30:00Z\",\"duration_s\":3600,\"joules\":{\"gpu\":1800000,\"cpu\":360000},"
    "\"method\":{\"gpu\":\"measured\",\"cpu\":\"estimated\"}}\n"
    "{\"start\":\"2023-03-14T10:30:00Z\",\"duration_s\":3600,\"joules\":{\"gpu\":1800000,\"cpu\":360000},"
    "\"method\":{\"gpu\":\"measured\",\"cpu\":\"estimated\"}}\n";

UtcTime at(const char* s) { return *parse_utc(s); }

TEST_F(EmissionsCommand, PricesALogAgainstTheStoredSeriesHourByHour) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const IntensitySeries& de = import_de_2023();
  const std::string log = write("timeline.jsonl", kTimeline);
  auto r = run({"--energy", log, "--zone", "DE", "--pue", "1.2", "--instance", "aws:p3.2xlarge", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "greenrun.emissions/1");
  EXPECT_EQ(j["location"]["zone"], "DE");
  // Expected: each half hour at its own hour's intensity; 2.16 MJ = 0.6 kWh per hour.
  const double kwh_per_half_hour = 0.3;
  double expected = 0;
  for (const char* h : {"2023-03-14T09:00Z", "2023-03-14T10:00Z", "2023-03-14T10:00Z", "2023-03-14T11:00Z"})
    expected += kwh_per_half_hour * de.at(at(h))->grams_per_kwh();
  const auto& avg = j["operational"]["average"];
  EXPECT_NEAR(avg["grams"].get<double>(), expected, 1e-9 * expected);
  EXPECT_EQ(avg["fallback"], nullptr);
  EXPECT_EQ(avg["coverage"]["fallback_j"], 0.0);
  EXPECT_TRUE(avg["complete"].get<bool>());
  EXPECT_EQ(j["energy"]["components"][0]["component"], "gpu");
  EXPECT_EQ(j["energy"]["components"][0]["method"], "measured");
  EXPECT_EQ(j["energy"]["components"][1]["method"], "estimated");
  EXPECT_NEAR(j["pue"]["overhead_grams"].get<double>(), 0.2 * expected, 1e-9 * expected);
  // One p3.2xlarge for two hours: 3543.79 kg x 8/72 vCPUs x 2 h / 4 years.
  const double embodied = 3543.79e3 * (8.0 / 72.0) * 2.0 / (4 * 8766.0);
  EXPECT_NEAR(j["embodied"]["grams"].get<double>(), embodied, 1e-9);
  // The lines shown add up to the total shown.
  EXPECT_DOUBLE_EQ(j["total"]["grams"].get<double>(),
                   avg["grams"].get<double>() + j["pue"]["overhead_grams"].get<double>() +
                       j["embodied"]["grams"].get<double>());
  EXPECT_TRUE(j["total"]["estimate"].get<bool>());  // cpu is estimated, embodied too
  EXPECT_EQ(j["operational"]["marginal"], nullptr);
}

TEST_F(EmissionsCommand, TextBreakdownShowsEveryLine) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_de_2023();
  const std::string log = write("timeline.jsonl", kTimeline);
  auto r = run({"--energy", log, "--region", "aws:eu-central-1", "--pue", "1.1", "--embodied-kg", "1000", "--share",
                "0.5"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* line : {"aws:eu-central-1", "Energy (IT)", "gpu", "measured", "cpu", "estimated",
                           "Operational, average-lifecycle", "Operational, marginal", "n/a", "PUE overhead (PUE 1.1)",
                           "Embodied (SCI M)", "--embodied-kg", "Total (average-lifecycle)", "electricitymaps-csv",
                           "100.0% of the energy time-resolved"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing \"" << line << "\" in:\n" << r.out;
}

TEST_F(EmissionsCommand, FallsBackToTheAnnualMeanAndSaysSo) {
  // An empty store: everything is priced at the catalogue's annual mean.
  const std::string log = write("timeline.csv",
                                "start,duration_s,gpu_kwh,method\n2031-01-01T00:00:00Z,3600,2,measured\n");
  auto r = run({"--energy", log, "--zone", "DE", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& avg = j["operational"]["average"];
  ASSERT_NE(avg["fallback"], nullptr);
  EXPECT_EQ(avg["fallback"]["note"], "annual mean, not time-resolved");
  const double g_per_kwh = avg["fallback"]["g_per_kwh"].get<double>();
  EXPECT_GT(g_per_kwh, 0);
  EXPECT_DOUBLE_EQ(avg["grams"].get<double>(), 2 * g_per_kwh);
  EXPECT_DOUBLE_EQ(avg["coverage"]["fallback_j"].get<double>(), 7.2e6);
  EXPECT_TRUE(avg["estimate"].get<bool>());
  EXPECT_EQ(j["pue"]["pue"], 1.0);
  EXPECT_EQ(j["embodied"], nullptr);

  auto text = run({"--energy", log, "--zone", "DE"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("annual mean, not time-resolved"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("no time-resolved data for this span"), std::string::npos) << text.out;
}

TEST_F(EmissionsCommand, ShowsTheMarginalLineWhenTheStoreHasOne) {
  IntensitySeries marginal("CAISO_NORTH", Signal::kMarginal);
  marginal.set_provenance({"watttime-v3-json", "test", "synthetic test series"});
  for (int h = 0; h < 4; ++h)
    ASSERT_TRUE(marginal.append(at("2031-01-01T00:00Z") + std::chrono::hours(h), std::chrono::hours(1),
                                CarbonIntensity::grams_per_kwh(400 + 100 * h)));
  auto store = intensity::IntensityStore::open(store_);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE(store->import({marginal}));
  const std::string log = write("timeline.csv",
                                "start,duration_s,gpu_kwh,method\n2031-01-01T00:30:00Z,3600,1,measured\n");
  auto r = run({"--energy", log, "--zone", "US-CAL-CISO", "--marginal-zone", "CAISO_NORTH", "--pue", "1.5", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& m = j["operational"]["marginal"];
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m["signal"], "marginal");
  EXPECT_DOUBLE_EQ(m["grams"].get<double>(), 0.5 * 400 + 0.5 * 500);
  EXPECT_DOUBLE_EQ(j["total"]["grams_marginal"].get<double>(), 450 * 1.5);
  EXPECT_EQ(m["fallback"], nullptr);

  auto missing = run({"--energy", log, "--zone", "US-CAL-CISO", "--marginal-zone", "PJM_DC"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("--marginal-zone PJM_DC: no marginal intensity data"), std::string::npos) << missing.err;
}

TEST_F(EmissionsCommand, BadInputIsOneLineAndANonZeroExit) {
  const std::string good = write("ok.csv", "start,duration_s,gpu_j\n2031-01-01T00:00:00Z,60,100\n");
  const std::string bad = write("bad.jsonl",
                                "{\"start\":\"2031-01-01T00:00:00Z\",\"duration_s\":1,\"joules\":{\"gpu\":-1},"
                                "\"method\":{\"gpu\":\"measured\"}}\n");
  struct Case {
    std::vector<std::string> args;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--energy", bad, "--zone", "DE"}, 1, "bad.jsonl:1: $.joules.gpu: expected a non-negative number"},
      {{"--energy", (dir_ / "absent.csv").string(), "--zone", "DE"}, 1, "cannot read"},
      {{"--energy", good}, 2, "expected --zone Z or --region"},
      {{"--energy", good, "--zone", "ATLANTIS"}, 1, "unknown zone \"ATLANTIS\""},
      {{"--energy", good, "--region", "aws:us-east-42"}, 1, "unknown aws region"},
      {{"--energy", good, "--zone", "DE", "--pue", "0.8"}, 1, "PUE of at least 1.0"},
      {{"--energy", good, "--zone", "DE", "--instance", "aws:p3.2xlarg"}, 2, "close matches: aws:p3.2xlarge"},
      {{"--energy", good, "--zone", "DE", "--instance", "aws:p3.2xlarge", "--embodied-kg", "5"}, 2, "excludes"},
      {{"--energy", good, "--zone", "DE", "--signal", "marginal"}, 1, "--signal: expected average-lifecycle"},
      {{"--energy", good, "--zone", "DE", "--embodied-kg", "100", "--lifetime", "soon"}, 2, "--lifetime"},
      {{"--energy", good, "--zone", "DE", "--embodied-kg", "100", "--share", "2"}, 2, "--share: expected a number in (0, 1]"},
      {{"--energy", good, "--zone", "DE", "--embodied-kg", "1e300"}, 2, "--embodied-kg: expected 0 to 10,000,000 kg"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.back());
    auto r = run(c.args);
    EXPECT_EQ(r.status, c.status) << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.err.starts_with("greenrun: ")) << r.err;
    if (c.status == 1) {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
  }
}

TEST_F(EmissionsCommand, LifetimeChangesTheEmbodiedShare) {
  const std::string log = write("ok.csv", "start,duration_s,gpu_j\n2031-01-01T00:00:00Z,3600,100\n");
  auto four = run({"--energy", log, "--zone", "DE", "--embodied-kg", "876.6", "--json"});
  auto two = run({"--energy", log, "--zone", "DE", "--embodied-kg", "876.6", "--lifetime", "2y", "--json"});
  ASSERT_EQ(four.status, 0) << four.err;
  ASSERT_EQ(two.status, 0) << two.err;
  const double g4 = nlohmann::json::parse(four.out)["embodied"]["grams"].get<double>();
  const double g2 = nlohmann::json::parse(two.out)["embodied"]["grams"].get<double>();
  EXPECT_NEAR(g4, 876.6e3 / (4 * 8766.0), 1e-9);
  EXPECT_NEAR(g2, 2 * g4, 1e-9);
}

}  // namespace
}  // namespace greenrun::cli
