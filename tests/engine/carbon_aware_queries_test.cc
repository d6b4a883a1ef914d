// The Carbon Aware SDK's semantics over real Electricity Maps data
// (../shared/data) imported into a scratch store: defaults, ranges, ties,
// rolling windows from dataStartAt, coverage and the problems' parameters.
#include "greenrun/carbon_aware_queries.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;
using greenrun::testing::FakeClock;
using Kind = QueryProblem::Kind;

constexpr const char* kPjm2023 = "electricitymaps-hourly/green-dcc/US-MIDA-PJM_2023_hourly.csv";
constexpr const char* kCaiso2023 = "electricitymaps-hourly/green-dcc/US-CAL-CISO_2023_hourly.csv";
constexpr const char* kGermany2023 = "electricitymaps-hourly/green-dcc/DE-LU_2023_hourly.csv";

UtcTime at(const char* text) { return *parse_utc(text); }

class CarbonAwareQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!greenrun::testing::has_shared_data()) GTEST_SKIP() << "needs ../shared/data; not found at " << greenrun::testing::shared_data();
    dir_ = greenrun::testing::make_temp_dir("sdk-queries");
    store_path_ = (dir_ / "greenrun.db").string();
    auto store = intensity::IntensityStore::open(store_path_);
    ASSERT_TRUE(store) << store.error().message;
    for (const char* file : {kPjm2023, kCaiso2023, kGermany2023}) {
      auto imported = intensity::import_file((greenrun::testing::shared_data() / file).string(), {});
      ASSERT_TRUE(imported) << imported.error().message;
      ASSERT_TRUE(store->import(imported->series));
      for (const auto& s : imported->series)
        if (s.signal() == intensity::Signal::kAverageLifecycle) actual_[s.zone()] = s;
    }
    // Germany's 2023 life-cycle series, stored once more as a forecast: real
    // values with the shape of a provider's hourly forecast.
    const auto& de = actual_.at("DE");
    intensity::IntensitySeries forecast("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
    for (const auto& p : de.points()) ASSERT_TRUE(forecast.append(p.start, p.duration, p.value));
    ASSERT_TRUE(store->import({forecast}));
    forecast_ = forecast;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<CarbonAwareQueries> open() {
    QuerySources sources;
    sources.store_path = store_path_;
    sources.clock = &clock_;
    auto q = CarbonAwareQueries::open(sources);
    EXPECT_TRUE(q) << q.error().message;
    return q ? std::move(*q) : nullptr;
  }

  double value(const std::string& zone, const char* time) { return actual_.at(zone).at(at(time))->grams_per_kwh(); }

  std::filesystem::path dir_;
  std::string store_path_;
  FakeClock clock_{at("2023-03-01T00:00:00Z")};
  std::map<std::string, intensity::IntensitySeries> actual_;
  intensity::IntensitySeries forecast_;
};

TEST_F(CarbonAwareQueriesTest, ByLocationsReturnsThePointsOverlappingTheRangePerLocationInOrder) {
  auto q = open();
  auto points = q->emissions({{"eastus", "westus"}, at("2023-06-01T10:30:00Z"), at("2023-06-01T12:00:00Z")});
  ASSERT_TRUE(points) << points->size();
  // 10:00 (overlaps from 10:30), 11:00 and 12:00 (starts at toTime) for each location.
  ASSERT_EQ(points->size(), 6u);
  EXPECT_EQ((*points)[0].location, "eastus");
  EXPECT_EQ((*points)[0].time, at("2023-06-01T10:00:00Z"));
  EXPECT_EQ((*points)[0].duration, 1h);
  EXPECT_DOUBLE_EQ((*points)[0].rating, value("US-MIDA-PJM", "2023-06-01T10:00:00Z"));
  EXPECT_EQ((*points)[2].time, at("2023-06-01T12:00:00Z"));
  EXPECT_EQ((*points)[3].location, "westus");
  EXPECT_DOUBLE_EQ((*points)[3].rating, value("US-CAL-CISO", "2023-06-01T10:00:00Z"));
}

TEST_F(CarbonAwareQueriesTest, AMissingTimeMeansNowAndAMissingToTimeMeansTime) {
  auto q = open();
  auto now = q->emissions({{"DE"}, std::nullopt, std::nullopt});
  ASSERT_TRUE(now);
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ(now->front().time, clock_.utc_now());
  auto instant = q->emissions({{"de"}, at("2023-03-01T05:20:00Z"), std::nullopt});
  ASSERT_TRUE(instant);
  ASSERT_EQ(instant->size(), 1u);
  EXPECT_EQ(instant->front().time, at("2023-03-01T05:00:00Z"));
  EXPECT_EQ(instant->front().location, "DE");
}

TEST_F(CarbonAwareQueriesTest, ToTimeWithoutTimeAndReversedRangesNameTheParameter) {
  auto q = open();
  auto no_time = q->emissions({{"eastus"}, std::nullopt, at("2023-03-01T05:00:00Z")});
  ASSERT_FALSE(no_time);
  EXPECT_EQ(no_time.error().parameter, "toTime");
  auto reversed = q->emissions({{"eastus"}, at("2023-03-02T00:00:00Z"), at("2023-03-01T00:00:00Z")});
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().kind, Kind::kInvalid);
  EXPECT_EQ(reversed.error().parameter, "time");
  auto unknown = q->emissions({{"eastus", "narnia-central"}, std::nullopt, std::nullopt});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().parameter, "location");
  EXPECT_NE(unknown.error().message.find("narnia-central"), std::string::npos);
  auto none = q->emissions({{}, std::nullopt, std::nullopt});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().parameter, "location");
}

TEST_F(CarbonAwareQueriesTest, NoDataInTheRangeIsAnEmptyAnswerNotAnError) {
  auto q = open();
  auto points = q->emissions({{"eastus"}, at("2021-01-01T00:00:00Z"), at("2021-01-02T00:00:00Z")});
  ASSERT_TRUE(points);
  EXPECT_TRUE(points->empty());
}

TEST_F(CarbonAwareQueriesTest, AnAnswerOfMoreThanTheMostPointsIsRefusedNamingToTime) {
  auto q = open();
  // 23 x a year of hourly points = 201,480 > kMaxEmissionsPoints.
  const std::vector<std::string> many(23, "eastus");
  auto all = q->emissions({many, at("2023-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z")});
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().parameter, "toTime");
  // best() keeps only the minima, so it answers the same range.
  auto best = q->best({many, at("2023-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z")});
  ASSERT_TRUE(best) << best.error().message;
  EXPECT_EQ(best->size() % 23, 0u);
}

TEST_F(CarbonAwareQueriesTest, BestKeepsEveryPointAtTheMinimumIncludingTies) {
  auto q = open();
  const auto from = at("2023-06-01T00:00:00Z"), to = at("2023-06-02T00:00:00Z");
  // eastus and eastus2 are both PJM: every minimum is a tie of two locations.
  auto best = q->best({{"eastus", "eastus2", "westus"}, from, to});
  ASSERT_TRUE(best);
  double least = 1e9;
  // Kept in a variable: a range-for over *q->emissions(...) would read a destroyed temporary.
  const auto all = q->emissions({{"eastus", "eastus2", "westus"}, from, to});
  ASSERT_TRUE(all);
  for (const auto& p : *all) least = std::min(least, p.rating);
  ASSERT_GE(best->size(), 1u);
  for (const auto& p : *best) EXPECT_EQ(p.rating, least);
  const auto count = [&](const std::string& l) {
    return std::count_if(best->begin(), best->end(), [&](const EmissionsPoint& p) { return p.location == l; });
  };
  EXPECT_EQ(count("eastus"), count("eastus2"));
  // The minimum over the day is California's (its solar noon) for this day.
  EXPECT_GT(count("westus") + count("eastus"), 0);
}

TEST_F(CarbonAwareQueriesTest, ForecastWithoutWindowReturnsTheHorizonsPointsAndItsMinima) {
  auto q = open();
  auto f = q->forecast({"DE", std::nullopt, std::nullopt, std::nullopt, 0});
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->requested_at, clock_.utc_now());
  EXPECT_EQ(f->data_start_at, clock_.utc_now());
  EXPECT_EQ(f->data_end_at, clock_.utc_now() + kForecastHorizon);
  ASSERT_EQ(f->data.size(), 72u);
  EXPECT_EQ(f->data.front().duration_minutes, 60);
  double least = 1e9;
  for (const auto& v : f->data) least = std::min(least, v.value);
  ASSERT_FALSE(f->optimal.empty());
  for (const auto& v : f->optimal) EXPECT_EQ(v.value, least);
}

TEST_F(CarbonAwareQueriesTest, RollingWindowsStartExactlyAtDataStartAtAndAreTimeWeighted) {
  auto q = open();
  const auto start = at("2023-03-01T00:30:00Z"), end = at("2023-03-01T06:00:00Z");
  auto f = q->forecast({"DE", std::nullopt, start, end, 120});
  ASSERT_TRUE(f) << f.error().message;
  // Windows [00:30, 02:30), [01:30, 03:30), ... the last ends by 06:00: [03:30, 05:30).
  ASSERT_EQ(f->data.size(), 4u);
  EXPECT_EQ(f->data.front().timestamp, start);
  EXPECT_EQ(f->data.front().duration_minutes, 120);
  EXPECT_EQ(f->data.back().timestamp, at("2023-03-01T03:30:00Z"));
  const double v0 = value("DE", "2023-03-01T00:00:00Z"), v1 = value("DE", "2023-03-01T01:00:00Z"),
               v2 = value("DE", "2023-03-01T02:00:00Z");
  EXPECT_NEAR(f->data.front().value, (0.5 * v0 + v1 + 0.5 * v2) / 2, 1e-9);
  double least = 1e9;
  for (const auto& v : f->data) least = std::min(least, v.value);
  for (const auto& v : f->optimal) EXPECT_EQ(v.value, least);
}

TEST_F(CarbonAwareQueriesTest, ForecastBoundsOutsideTheForecastNameTheParameter) {
  auto q = open();
  auto early = q->forecast({"DE", std::nullopt, at("2023-02-28T00:00:00Z"), std::nullopt, 0});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().parameter, "dataStartAt");
  auto late = q->forecast({"DE", std::nullopt, std::nullopt, at("2023-03-10T00:00:00Z"), 0});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().parameter, "dataEndAt");
  auto reversed = q->forecast({"DE", std::nullopt, at("2023-03-01T05:00:00Z"), at("2023-03-01T04:00:00Z"), 0});
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().parameter, "dataStartAt");
  auto negative = q->forecast({"DE", std::nullopt, std::nullopt, std::nullopt, -5});
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().parameter, "windowSize");
  // A window longer than the data: no window fits, an empty answer.
  auto wide = q->forecast({"DE", std::nullopt, at("2023-03-01T00:00:00Z"), at("2023-03-01T03:00:00Z"), 240});
  ASSERT_TRUE(wide);
  EXPECT_TRUE(wide->data.empty());
}

TEST_F(CarbonAwareQueriesTest, AZoneWithoutAForecastIsNoForecastsAndABatchOutsideItNamesRequestedAt) {
  auto q = open();
  auto none = q->forecast({"eastus", std::nullopt, std::nullopt, std::nullopt, 0});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, Kind::kNoForecasts);
  auto batch = q->forecast({"DE", at("2030-01-01T00:00:00Z"), std::nullopt, std::nullopt, 0});
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().parameter, "requestedAt");
  auto issued = q->forecast({"DE", at("2023-07-01T12:15:00Z"), std::nullopt, std::nullopt, 60});
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->requested_at, at("2023-07-01T12:15:00Z"));
  EXPECT_EQ(issued->generated_at, at("2023-07-01T12:00:00Z"));
}

TEST_F(CarbonAwareQueriesTest, AverageIsTheTimeWeightedMeanAndNeedsFullCoverage) {
  auto q = open();
  auto a = q->average({"westus", at("2023-06-01T10:30:00Z"), at("2023-06-01T12:00:00Z")});
  ASSERT_TRUE(a) << a.error().message;
  const double expected =
      (0.5 * value("US-CAL-CISO", "2023-06-01T10:00:00Z") + value("US-CAL-CISO", "2023-06-01T11:00:00Z")) / 1.5;
  EXPECT_NEAR(a->carbon_intensity, expected, 1e-9);
  EXPECT_EQ(a->location, "westus");
  auto before = q->average({"westus", at("2022-12-31T23:00:00Z"), at("2023-01-01T02:00:00Z")});
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().parameter, "startTime");
  auto after = q->average({"westus", at("2023-12-31T20:00:00Z"), at("2024-01-01T02:00:00Z")});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().parameter, "endTime");
  auto reversed = q->average({"westus", at("2023-06-02T00:00:00Z"), at("2023-06-01T00:00:00Z")});
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().parameter, "startTime");
  auto missing = q->average({"westus", std::nullopt, at("2023-06-01T00:00:00Z")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().parameter, "startTime");
}

TEST_F(CarbonAwareQueriesTest, LocationsListCloudRegionsWithCoordinatesAndZones) {
  auto q = open();
  const auto all = q->locations();
  const auto find = [&](const std::string& n) {
    return std::find_if(all.begin(), all.end(), [&](const ApiLocation& l) { return l.name == n; });
  };
  ASSERT_NE(find("eastus"), all.end());
  EXPECT_NEAR(*find("eastus")->latitude, 37.3719, 1e-4);
  EXPECT_EQ(find("eastus")->zone, "US-MIDA-PJM");
  ASSERT_NE(find("DE"), all.end());
  EXPECT_FALSE(find("DE")->latitude);
  auto upper = q->resolve("EastUS");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->name, "eastus");
}

TEST(RollingWindows, AWindowOverAGapIsLeftOutAndTheSeriesStopsAtTheDataEnd) {
  intensity::IntensitySeries s("X", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  const UtcTime t0 = at("2023-01-01T00:00:00Z");
  ASSERT_TRUE(s.append(t0, 1h, CarbonIntensity::grams_per_kwh(100)));
  ASSERT_TRUE(s.append(t0 + 1h, 1h, CarbonIntensity::grams_per_kwh(200)));
  ASSERT_TRUE(s.append(t0 + 3h, 1h, CarbonIntensity::grams_per_kwh(300)));  // a gap at 02:00
  const auto w = rolling_windows(s, "X", t0, t0 + 10h, 1h, 1h);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2].timestamp, t0 + 3h);
  EXPECT_EQ(w[2].value, 300);
}

}  // namespace
}  // namespace greenrun::engine
