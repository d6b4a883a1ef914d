#include "greenrun/intensity/seasonal_forecast.h"

#include <gtest/gtest.h>

#include <cmath>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

using std::chrono::hours;
UtcTime at(const char* s) { return *parse_utc(s); }

IntensitySeries periodic(size_t n, size_t period, UtcTime t0 = at("2023-01-02T00:00:00Z")) {
  IntensitySeries s("TEST", Signal::kAverageLifecycle);
  for (size_t i = 0; i < n; ++i)
    EXPECT_TRUE(s.append(t0 + hours(static_cast<int64_t>(i)), hours(1),
                         CarbonIntensity::grams_per_kwh(100 + 50 * std::sin(6.283185307 * static_cast<double>(i % period) /
                                                                             static_cast<double>(period)) +
                                                        static_cast<double>(i % period))));
  return s;
}

TEST(SeasonalForecast, AWeeklySeriesIsForecastExactlyByTheWeeklyModels) {
  const auto s = periodic(24 * 7 * 8, 168);
  auto b = backtest(s, at("2023-02-13T00:00:00Z"), hours(48), hours(24));
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->models.size(), 4u);
  EXPECT_GT(b->models[0].mae, 1.0);                // seasonal-day misses the weekly shape
  EXPECT_NEAR(b->models[1].mae, 0.0, 1e-9);        // seasonal-week
  EXPECT_NEAR(b->models[2].mae, 0.0, 1e-9);        // weekly profile
  EXPECT_EQ(b->best, SeasonalModel::kSeasonalWeek);
  EXPECT_EQ(b->models[0].mae_by_step.size(), 48u);
  EXPECT_EQ(b->forecasts, 13u);  // 14 days of test, the last day has no full horizon
}

TEST(SeasonalForecast, TheLagCalendarModelLearnsAMixOfItsLagsOnTheTrainingSpanOnly) {
  // A weekly shape plus an AR(1) weather term (e = 0.9 e + noise, a fixed
  // LCG seed): the best forecast at short horizons is the shape plus the
  // decaying last deviation, which no single seasonal model expresses.
  IntensitySeries s("TEST", Signal::kAverageLifecycle);
  const UtcTime t0 = at("2023-01-02T00:00:00Z");
  uint64_t state = 20261207;  // seed
  std::printf("seed %llu\n", static_cast<unsigned long long>(state));
  double e = 0;
  for (size_t i = 0; i < 24 * 7 * 10; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double noise = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;  // [-0.5, 0.5)
    e = 0.9 * e + 40 * noise;
    const double x = 250 + 60 * std::sin(6.283185307 * static_cast<double>(i % 168) / 168.0) +
                     20 * std::sin(6.283185307 * static_cast<double>(i % 24) / 24.0) + e;
    ASSERT_TRUE(s.append(t0 + hours(static_cast<int64_t>(i)), hours(1), CarbonIntensity::grams_per_kwh(x)));
  }
  auto b = backtest(s, at("2023-02-27T00:00:00Z"), hours(24), hours(24));
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->models.size(), 4u);
  const auto& lag = b->models[static_cast<size_t>(SeasonalModel::kLagCalendar)];
  for (const auto& m : b->models)
    std::printf("%s: MAE %.2f g/kWh\n", std::string(to_string(m.model)).c_str(), m.mae);
  EXPECT_EQ(b->best, SeasonalModel::kLagCalendar);
  for (const auto& m : b->models) {
    if (m.model != SeasonalModel::kLagCalendar) {
      EXPECT_LT(lag.mae_by_step.front(), 0.8 * m.mae_by_step.front()) << to_string(m.model);
    }
  }
  // Only the history before the issue time is read: changing what follows it changes nothing.
  const UtcTime issue = at("2023-03-06T00:00:00Z");
  auto a = seasonal_forecast(s, SeasonalModel::kLagCalendar, issue, hours(24));
  IntensitySeries cut("TEST", Signal::kAverageLifecycle);
  for (size_t i = 0; i < s.size(); ++i) {
    const auto p = s.point(i);
    ASSERT_TRUE(cut.append(p.start, p.duration, p.start < issue ? p.value : CarbonIntensity::grams_per_kwh(9999)));
  }
  auto c = seasonal_forecast(cut, SeasonalModel::kLagCalendar, issue, hours(24));
  ASSERT_TRUE(a && c);
  for (size_t i = 0; i < a->size(); ++i) EXPECT_DOUBLE_EQ(a->point(i).value.grams_per_kwh(), c->point(i).value.grams_per_kwh());
}

TEST(SeasonalForecast, ADailySeriesPicksSeasonalDay) {
  const auto s = periodic(24 * 7 * 6, 24);
  auto b = backtest(s, at("2023-01-30T00:00:00Z"), hours(24), hours(24));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_NEAR(b->models[0].mae, 0.0, 1e-9);
  EXPECT_EQ(b->best, SeasonalModel::kSeasonalDay);
}

TEST(SeasonalForecast, UsesOnlyTheHistoryBeforeTheIssueTime) {
  auto s = periodic(24 * 7 * 3, 168);
  const UtcTime issue = at("2023-01-16T00:00:00Z");
  auto a = seasonal_forecast(s, SeasonalModel::kWeeklyProfile, issue, hours(36));
  ASSERT_TRUE(a) << a.error().message;
  // Change everything from the issue time on: the forecast must not move.
  IntensitySeries changed("TEST", Signal::kAverageLifecycle);
  for (size_t i = 0; i < s.size(); ++i) {
    auto p = s.point(i);
    ASSERT_TRUE(changed.append(p.start, p.duration,
                               p.start >= issue ? CarbonIntensity::grams_per_kwh(999) : p.value));
  }
  auto b = seasonal_forecast(changed, SeasonalModel::kWeeklyProfile, issue, hours(36));
  ASSERT_TRUE(b);
  ASSERT_EQ(a->size(), 36u);
  for (size_t i = 0; i < a->size(); ++i) EXPECT_EQ(a->point(i).value.grams_per_kwh(), b->point(i).value.grams_per_kwh());
  EXPECT_EQ(a->origin(), Origin::kForecast);
  EXPECT_NE(a->provenance().origin.find("trained on"), std::string::npos);
}

TEST(SeasonalForecast, BadInputIsAnError) {
  const auto s = periodic(24 * 10, 24);
  EXPECT_FALSE(backtest(s, at("2023-01-03T00:00:00Z"), hours(24), hours(24)));  // less than a week of training
  EXPECT_FALSE(backtest(s, at("2023-01-11T12:00:00Z"), hours(24), hours(24)));  // no full horizon after
  EXPECT_FALSE(backtest(s, at("2023-01-10T00:00:00Z"), std::chrono::minutes(90), hours(24)));
  EXPECT_FALSE(seasonal_forecast(s, SeasonalModel::kSeasonalDay, at("2023-01-04T00:00:00Z"), hours(24)));
  IntensitySeries gap("TEST", Signal::kAverageLifecycle);
  ASSERT_TRUE(gap.append(at("2023-01-01T00:00:00Z"), hours(1), CarbonIntensity::grams_per_kwh(1)));
  ASSERT_TRUE(gap.append(at("2023-01-01T05:00:00Z"), hours(1), CarbonIntensity::grams_per_kwh(1)));
  auto g = backtest(gap, at("2023-01-01T05:00:00Z"), hours(1), hours(1));
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message.find("gap-free"), std::string::npos) << g.error().message;
}

// The real series: trained on January-October 2022, tested on November and
// December; every model has a real error, and the chosen one is the best.
TEST(SeasonalForecast, BacktestsOnMonthsNotTrainedOn) {
  GREENRUN_REQUIRE_SHARED_DATA();
  for (const char* f : {"green-dcc/DE-LU_2022_hourly.csv", "decarbonization-potential/ES_2022_hourly.csv"}) {
    auto r = import_file((greenrun::testing::shared_data() / "electricitymaps-hourly" / f).string(), {});
    ASSERT_TRUE(r) << r.error().message;
    const auto& s = r->series.front();
    auto b = backtest(s, at("2022-11-01T00:00:00Z"), hours(48), hours(24));
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->train_to, at("2022-11-01T00:00:00Z"));
    EXPECT_EQ(b->forecasts, 60u);
    for (const auto& m : b->models) {
      std::printf("%s %s: MAE %.1f g/kWh (%.1f %%), step 1 %.1f, step 48 %.1f\n", f, std::string(to_string(m.model)).c_str(),
                  m.mae, m.mae_percent, m.mae_by_step.front(), m.mae_by_step.back());
      EXPECT_GT(m.mae, 1.0);
      EXPECT_LE(b->models[static_cast<size_t>(b->best)].mae, m.mae);
    }
  }
}

}  // namespace
}  // namespace greenrun::intensity
