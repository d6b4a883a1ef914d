#include "scheduling/flexible_start.h"

#include <gtest/gtest.h>

#include "test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using test::at;

Job constant_job(Duration d, double watts = 1000) {
  return *Job::make(d, PowerProfile::constant(Power::watts(watts)));
}

// The oracle: every candidate, integrated independently.
Plan brute_force(const intensity::IntensitySeries& s, const Job& job, UtcTime earliest,
                 UtcTime latest, Duration step) {
  Plan best;
  double best_g = 1e300;
  for (UtcTime t = earliest; t <= latest; t += step) {
    const double g = emissions_at(s, job, t).grams();
    if (g < best_g) {
      best_g = g;
      best.segments = {Segment{t, t + job.duration(), Duration(0)}};
    }
  }
  best.emissions = Mass::grams(best_g);
  return best;
}

TEST(FlexibleStart, MatchesEveryStartOracleOnRandomSeries) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const Duration data_step = minutes(std::uniform_int_distribution<int>(1, 4)(rng) * 15);
    const auto series = test::random_series(rng, 60, data_step);
    const Duration dur = minutes(std::uniform_int_distribution<int>(1, 300)(rng));
    const Duration step = minutes(std::uniform_int_distribution<int>(1, 60)(rng));
    const UtcTime earliest = series.start() + minutes(std::uniform_int_distribution<int>(0, 120)(rng));
    const UtcTime latest = earliest + minutes(std::uniform_int_distribution<int>(0, 400)(rng));
    if (latest + dur > series.end()) continue;
    const Job job = constant_job(dur);
    auto plan = plan_flexible_start(series, job, {earliest, latest, step});
    ASSERT_TRUE(plan) << plan.error().message;
    const Plan oracle = brute_force(series, job, earliest, latest, step);
    EXPECT_NEAR(plan->emissions.grams(), oracle.emissions.grams(), 1e-9 * oracle.emissions.grams() + 1e-9);
    EXPECT_EQ(plan->start(), oracle.start()) << "ties go to the earliest start";
    EXPECT_LE(plan->end(), latest + dur);
    EXPECT_NEAR(plan->baseline.grams(), emissions_at(series, job, earliest).grams(), 1e-9);
  }
}

// Without a step, candidates are aligned to the forecast: from an earliest
// start that is off the data's grid (10:17:23), the plan is never worse than
// any start on a one-minute grid, for constant and per-interval power, and
// the plan's emissions are those of its own start.
TEST(FlexibleStart, AlignedCandidatesAreNeverWorseThanAnyStart) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 120; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const Duration data_step = minutes(std::uniform_int_distribution<int>(1, 4)(rng) * 15);
    const auto series = test::random_series(rng, 60, data_step);
    const UtcTime earliest = series.start() + minutes(std::uniform_int_distribution<int>(0, 120)(rng)) +
                             std::chrono::seconds(std::uniform_int_distribution<int>(1, 59)(rng));
    const UtcTime latest = earliest + minutes(std::uniform_int_distribution<int>(0, 400)(rng));
    std::vector<PowerInterval> parts;
    Duration dur{0};
    const int pieces = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < pieces; ++k) {
      const Duration d = minutes(std::uniform_int_distribution<int>(5, 120)(rng)) + std::chrono::seconds(7 * k);
      parts.push_back({d, Power::watts(std::uniform_int_distribution<int>(1, 500)(rng))});
      dur += d;
    }
    if (latest + dur > series.end()) continue;
    const Job job = pieces == 1 ? constant_job(dur, parts[0].power.watts()) : *Job::make(dur, *PowerProfile::intervals(parts));
    auto plan = plan_flexible_start(series, job, {earliest, latest, std::nullopt});
    ASSERT_TRUE(plan) << plan.error().message;
    const Plan grid = brute_force(series, job, earliest, latest, std::chrono::seconds(60));
    EXPECT_LE(plan->emissions.grams(), grid.emissions.grams() + 1e-9 * grid.emissions.grams() + 1e-9);
    EXPECT_NEAR(plan->emissions.grams(), emissions_at(series, job, plan->start()).grams(),
                1e-9 * plan->emissions.grams() + 1e-9);
    EXPECT_GE(plan->start(), earliest);
    EXPECT_LE(plan->start(), latest);
  }
}

TEST(FlexibleStart, HonoursAPerIntervalPowerProfile) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 100; ++iter) {
    const auto series = test::random_series(rng, 48, hours(1));
    std::vector<PowerInterval> parts;
    Duration total{0};
    for (int k = 0; k < 4; ++k) {
      const Duration d = minutes(std::uniform_int_distribution<int>(10, 90)(rng));
      parts.push_back({d, Power::watts(std::uniform_int_distribution<int>(0, 500)(rng))});
      total += d;
    }
    const Job job = *Job::make(total, *PowerProfile::intervals(parts));
    const UtcTime e = series.start();
    const UtcTime l = e + hours(24);
    auto plan = plan_flexible_start(series, job, {e, l, minutes(30)});
    ASSERT_TRUE(plan) << plan.error().message;
    const Plan oracle = brute_force(series, job, e, l, minutes(30));
    EXPECT_NEAR(plan->emissions.grams(), oracle.emissions.grams(), 1e-9);
    EXPECT_EQ(plan->start(), oracle.start());
  }
}

TEST(FlexibleStart, FindsTheCleanHoursOfRealGermanData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = test::real_series("green-dcc/DE-LU_2023_hourly.csv");
  const Job job = constant_job(hours(6), 300);
  const UtcTime from = at("2023-05-01T00:00Z");
  auto plan = plan_flexible_start(de, job, {from, from + hours(24), std::nullopt});
  ASSERT_TRUE(plan) << plan.error().message;
  const Plan oracle = brute_force(de, job, from, from + hours(24), hours(1));
  EXPECT_NEAR(plan->emissions.grams(), oracle.emissions.grams(), 1e-6);
  EXPECT_EQ(plan->start(), oracle.start());
  EXPECT_GT(plan->saving_percent(), 0);
  EXPECT_LE(plan->emissions, plan->baseline);
}

TEST(FlexibleStart, RejectsAForecastThatDoesNotCoverTheWindow) {
  std::mt19937 rng(1);
  const auto s = test::random_series(rng, 24, hours(1));
  auto plan = plan_flexible_start(s, constant_job(hours(6)), {s.start(), s.start() + hours(20), std::nullopt});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("does not cover"), std::string::npos) << plan.error().message;
  auto back = plan_flexible_start(s, constant_job(hours(1)), {s.start() + hours(2), s.start(), std::nullopt});
  ASSERT_FALSE(back);
}

TEST(Job, RejectsZeroAndNegativeDurationsAndMismatchedProfiles) {
  EXPECT_FALSE(Job::make(Duration(0), PowerProfile::constant(Power::watts(1))));
  EXPECT_FALSE(Job::make(Duration(-5), PowerProfile::constant(Power::watts(1))));
  EXPECT_FALSE(Job::make(hours(1), PowerProfile::constant(Power::watts(-1))));
  auto p = PowerProfile::intervals({{minutes(30), Power::watts(100)}});
  ASSERT_TRUE(p);
  EXPECT_FALSE(Job::make(hours(1), *p));
  auto e = Job::with_energy(hours(6), Energy::kilowatt_hours(3.1));
  ASSERT_TRUE(e);
  EXPECT_NEAR(e->power().mean_power().watts(), 3100.0 / 6, 1e-9);
}

}  // namespace
}  // namespace greenrun::scheduling
