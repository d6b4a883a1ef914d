#include "runner/run_emissions.h"

#include <gtest/gtest.h>

#include <random>

#include "base/time_format.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
using sensors::Component;
using sensors::Method;

IntervalRecord interval(UtcTime start, Duration d, double job_j) {
  IntervalRecord r;
  r.start = start;
  r.end = start + d;
  r.components[Component::kCpu] = {Energy::joules(job_j * 2), Energy::joules(job_j), Method::kEstimated};
  r.components[Component::kPlatform] = {Energy::joules(1e9), Energy::joules(1e9), Method::kMeasured};
  return r;
}

intensity::IntensitySeries germany_2022() {
  auto imported = intensity::import_file(
      (greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv").string(), {});
  EXPECT_TRUE(imported) << imported.error().message;
  return imported->series.at(0);
}

TEST(RunEmissions, UsesEachIntervalsOwnHour) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  // Half an hour either side of 12:00 on 2022-06-01: two different hours.
  const UtcTime t0 = *parse_utc("2022-06-01T11:30:00Z");
  std::vector<IntervalRecord> iv;
  for (int i = 0; i < 60; ++i) iv.push_back(interval(t0 + std::chrono::minutes(i), 1min, 3.6e6 / 60));  // 1 kWh total
  auto e = emissions_over(iv, 1.0, &de, std::nullopt, "average-lifecycle");
  const double h11 = de.at(*parse_utc("2022-06-01T11:00:00Z"))->grams_per_kwh();
  const double h12 = de.at(*parse_utc("2022-06-01T12:00:00Z"))->grams_per_kwh();
  ASSERT_NE(h11, h12);
  EXPECT_NEAR(e.job.grams(), (h11 + h12) / 2, 1e-6);
  EXPECT_DOUBLE_EQ(e.coverage, 1.0);
  EXPECT_NE(e.source.find("store: DE"), std::string::npos) << e.source;
}

TEST(RunEmissions, PueMultipliesAndEmissionsAreLinearInEnergy) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const UtcTime t0 = *parse_utc("2022-03-10T00:00:00Z") + std::chrono::minutes(rng() % 10000);
  std::vector<IntervalRecord> a, b;
  for (int i = 0; i < 100; ++i) {
    const double j = static_cast<double>(rng() % 100000);
    a.push_back(interval(t0 + std::chrono::seconds(10 * i), 10s, j));
    b.push_back(interval(t0 + std::chrono::seconds(10 * i), 10s, 3 * j));
  }
  const auto ea = emissions_over(a, 1.0, &de, std::nullopt, "x");
  EXPECT_NEAR(emissions_over(b, 1.0, &de, std::nullopt, "x").job.grams(), 3 * ea.job.grams(), 1e-9 * ea.job.grams());
  EXPECT_NEAR(emissions_over(a, 1.5, &de, std::nullopt, "x").job.grams(), 1.5 * ea.job.grams(), 1e-9 * ea.job.grams());
}

TEST(RunEmissions, UncoveredTimeUsesTheLabelledFallback) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const UtcTime t0 = *parse_utc("2022-12-31T23:00:00Z");  // the last hour, then no data
  std::vector<IntervalRecord> iv = {interval(t0, 1h, 3.6e6), interval(t0 + 1h, 1h, 3.6e6)};
  const Fallback world{CarbonIntensity::grams_per_kwh(475), "world average"};
  auto e = emissions_over(iv, 1.0, &de, world, "average-lifecycle");
  const double last = de.at(t0)->grams_per_kwh();
  EXPECT_NEAR(e.job.grams(), last + 475, 1e-6);
  EXPECT_DOUBLE_EQ(e.coverage, 0.5);
  EXPECT_NE(e.source.find("world average for uncovered time"), std::string::npos) << e.source;
  auto none = emissions_over(iv, 1.0, &de, std::nullopt, "marginal");
  EXPECT_NEAR(none.job.grams(), last, 1e-6);
}

TEST(RunEmissions, NoSeriesAtAllUsesOnlyTheFallback) {
  std::vector<IntervalRecord> iv = {interval(*parse_utc("2026-01-01T00:00:00Z"), 1h, 3.6e6)};
  auto e = emissions_over(iv, 1.0, nullptr, Fallback{CarbonIntensity::grams_per_kwh(475), "world"}, "a");
  EXPECT_DOUBLE_EQ(e.job.grams(), 475);
  EXPECT_DOUBLE_EQ(e.mean_g_per_kwh, 475);
  EXPECT_DOUBLE_EQ(e.coverage, 0);
  EXPECT_EQ(e.source, "world");
}

}  // namespace
}  // namespace greenrun::runner
