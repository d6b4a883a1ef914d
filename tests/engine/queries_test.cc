// The engine's read-only queries on a store holding a real year of GB data
// (../shared/data): locations by zone, cloud region and imported zone;
// the series a range returns; runs filtered by project, phase and date.
#include "greenrun/queries.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "runner/run_store.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;

class EngineQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-engine-queries");
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.env = [](std::string_view) { return std::optional<std::string>{}; };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Imports the real 2022 GB hourly file, both average signals.
  void import_gb() {
    const auto file = greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/GB_2022_hourly.csv";
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    for (auto signal : {intensity::Signal::kAverageLifecycle, intensity::Signal::kAverageDirect}) {
      intensity::ImportOptions options;
      options.electricitymaps_signal = signal;
      auto parsed = intensity::import_file(file.string(), options);
      ASSERT_TRUE(parsed) << parsed.error().message;
      auto done = store->import(parsed->series);
      ASSERT_TRUE(done) << done.error().message;
    }
  }

  static runner::RunRecord record(std::string id, std::string project, std::string phase, const char* started) {
    runner::RunRecord r;
    r.id = std::move(id);
    r.project = std::move(project);
    r.phase = std::move(phase);
    r.command = {"true"};
    r.started = *parse_utc(started);
    r.ended = r.started + 1min;
    r.duration = 1min;
    r.zone = "GB";
    return r;
  }

  std::filesystem::path dir_;
  Services services_;
};

TEST_F(EngineQueries, ResolvesZonesCloudRegionsAndBareRegionNames) {
  auto zone = resolve("DE", services_);
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ(zone->zone, "DE");
  auto region = resolve("azure:westus", services_);
  ASSERT_TRUE(region) << region.error().message;
  EXPECT_EQ(region->cloud_region.value_or(""), "azure:westus");
  auto bare = resolve("eastus", services_);  // the Carbon Aware SDK's location names
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->cloud_region.value_or(""), "azure:eastus");
  EXPECT_FALSE(bare->zone.empty());
  auto unknown = resolve("nowhere-land", services_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(unknown.error().message.find("nowhere-land"), std::string::npos) << unknown.error().message;
  auto empty = resolve("", services_);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::kUsage);
}

TEST_F(EngineQueries, ReturnsTheStoredPointsOfARangeAndPrefersLifeCycle) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_gb();
  IntensityRequest req{"GB", *parse_utc("2022-03-01T10:30:00Z"), *parse_utc("2022-03-01T14:00:00Z"),
                       intensity::Origin::kActual, std::nullopt};
  auto out = intensity(req, services_);
  ASSERT_TRUE(out) << out.error().message;
  // Whole points overlapping the range: 10:00 (partly), 11, 12, 13.
  ASSERT_EQ(out->series.size(), 4u);
  EXPECT_EQ(out->series.start(), *parse_utc("2022-03-01T10:00:00Z"));
  EXPECT_EQ(out->series.end(), *parse_utc("2022-03-01T14:00:00Z"));
  EXPECT_EQ(out->key.signal, intensity::Signal::kAverageLifecycle);
  EXPECT_NE(out->label.find("average-lifecycle"), std::string::npos) << out->label;

  req.signal = intensity::Signal::kAverageDirect;
  auto direct = intensity(req, services_);
  ASSERT_TRUE(direct) << direct.error().message;
  ASSERT_EQ(direct->series.size(), 4u);
  // The file's direct figures are below its life-cycle ones, hour by hour.
  for (size_t i = 0; i < 4; ++i)
    EXPECT_LT(direct->series.point(i).value.grams_per_kwh(), out->series.point(i).value.grams_per_kwh());
}

TEST_F(EngineQueries, ARangeWithoutDataIsEmptyNotAnErrorAndAReversedRangeIsAUsageError) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_gb();
  auto none = intensity({"GB", *parse_utc("2030-01-01T00:00:00Z"), *parse_utc("2030-01-02T00:00:00Z"),
                         intensity::Origin::kActual, std::nullopt},
                        services_);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->series.empty());
  EXPECT_NE(none->label.find("no data"), std::string::npos) << none->label;
  auto forecast_none = intensity({"GB", *parse_utc("2022-03-01T00:00:00Z"), *parse_utc("2022-03-02T00:00:00Z"),
                                  intensity::Origin::kForecast, std::nullopt},
                                 services_);
  ASSERT_TRUE(forecast_none) << forecast_none.error().message;
  EXPECT_TRUE(forecast_none->series.empty()) << "actual data was returned as a forecast";
  auto reversed = intensity({"GB", *parse_utc("2022-03-02T00:00:00Z"), *parse_utc("2022-03-01T00:00:00Z"),
                             intensity::Origin::kActual, std::nullopt},
                            services_);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().kind, ErrorKind::kUsage);
}

TEST_F(EngineQueries, AnImportedZoneOutsideTheCatalogueResolves) {
  intensity::IntensitySeries s("MYDC", intensity::Signal::kAverageLifecycle);
  ASSERT_TRUE(s.append(*parse_utc("2026-01-01T00:00:00Z"), 1h, CarbonIntensity::grams_per_kwh(100)));
  auto store = intensity::IntensityStore::open(services_.store_path);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE(store->import({s}));
  auto loc = resolve("MYDC", services_);
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->zone, "MYDC");
  auto listed = stored_series(services_);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key.zone, "MYDC");
}

TEST_F(EngineQueries, ForecastFallsBackToTheTypicalProfileLabelled) {
  greenrun::testing::FakeClock clock(*parse_utc("2026-12-01T00:00:00Z"));
  services_.clock = &clock;
  auto out = forecast({"DE", *parse_utc("2026-12-01T00:00:00Z"), *parse_utc("2026-12-02T00:00:00Z"), {}}, services_);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->series.covers(*parse_utc("2026-12-01T00:00:00Z"), *parse_utc("2026-12-02T00:00:00Z")));
  EXPECT_NE(out->label.find("typical profile"), std::string::npos) << out->label;
  EXPECT_FALSE(out->warnings.empty());
}

TEST_F(EngineQueries, FindsRunsByProjectPhaseAndDate) {
  EXPECT_TRUE(find_runs({}, services_)->empty()) << "an absent store holds no runs";
  EXPECT_FALSE(std::filesystem::exists(services_.store_path)) << "a query created the store";
  {
    auto store = runner::RunStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE(store->insert(record("20261201T000000Z-aaaaaa", "llm", "train", "2026-12-01T00:00:00Z")));
    ASSERT_TRUE(store->insert(record("20261202T000000Z-bbbbbb", "llm", "eval", "2026-12-02T00:00:00Z")));
    ASSERT_TRUE(store->insert(record("20261203T000000Z-cccccc", "cv", "train", "2026-12-03T00:00:00Z")));
  }
  auto all = find_runs({}, services_);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "20261203T000000Z-cccccc") << "newest first";

  RunFilter llm_train;
  llm_train.project = "llm";
  llm_train.phase = "train";
  auto one = find_runs(llm_train, services_);
  ASSERT_TRUE(one) << one.error().message;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, "20261201T000000Z-aaaaaa");

  RunFilter dates;
  dates.since = *parse_utc("2026-12-02T00:00:00Z");
  dates.until = *parse_utc("2026-12-03T00:00:00Z");
  auto in_range = find_runs(dates, services_);
  ASSERT_TRUE(in_range) << in_range.error().message;
  ASSERT_EQ(in_range->size(), 1u);
  EXPECT_EQ((*in_range)[0].id, "20261202T000000Z-bbbbbb");

  RunFilter limited;
  limited.limit = 2;
  limited.phase = "train";
  auto first_two = find_runs(limited, services_);
  ASSERT_TRUE(first_two);
  EXPECT_EQ(first_two->size(), 2u);

  auto by_prefix = get_run("20261202", services_);
  ASSERT_TRUE(by_prefix) << by_prefix.error().message;
  EXPECT_EQ(by_prefix->phase, "eval");
  auto missing = get_run("1999", services_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);

  auto totals = run_totals("project", std::nullopt, services_);
  ASSERT_TRUE(totals) << totals.error().message;
  ASSERT_EQ(totals->size(), 2u);
  EXPECT_EQ((*totals)[0].key, "cv");
  EXPECT_EQ((*totals)[1].runs, 2u);
  RunFilter december_2nd_on;
  december_2nd_on.since = *parse_utc("2026-12-02T00:00:00Z");
  auto by_month = run_totals("month", december_2nd_on, services_);
  ASSERT_TRUE(by_month) << by_month.error().message;
  ASSERT_EQ(by_month->size(), 1u);
  EXPECT_EQ((*by_month)[0].key, "2026-12");
  EXPECT_EQ((*by_month)[0].runs, 2u);
  auto rows = find_run_rows(llm_train, services_);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "20261201T000000Z-aaaaaa");
  auto bad = run_totals("weekday", RunFilter{}, services_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kUsage);
}

}  // namespace
}  // namespace greenrun::engine
