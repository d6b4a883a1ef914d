#include "scheduling/threshold_policy.h"

#include <gtest/gtest.h>

#include "test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(ThresholdPolicy, RunsOnlyAtOrBelowAnAbsoluteThresholdUntilTheGuard) {
  ThresholdOptions o;
  o.absolute = CarbonIntensity::grams_per_kwh(100);
  o.decision_interval = hours(1);
  const UtcTime t0 = test::at("2023-01-01T00:00Z");
  auto p = ThresholdPolicy::make(o, hours(2), t0 + hours(10));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->decide(t0, CarbonIntensity::grams_per_kwh(150), Duration(0)), Decision::kPause);
  EXPECT_EQ(p->decide(t0 + hours(1), CarbonIntensity::grams_per_kwh(100), Duration(0)), Decision::kRun);
  // 2 h of work left, 3 h to the deadline: idling one more hour would leave 2 h: still fine.
  EXPECT_EQ(p->decide(t0 + hours(7), CarbonIntensity::grams_per_kwh(900), Duration(0)), Decision::kPause);
  // 2 h left before the deadline with 2 h of work: the guard runs it.
  EXPECT_EQ(p->decide(t0 + hours(8), CarbonIntensity::grams_per_kwh(900), Duration(0)), Decision::kRun);
  EXPECT_TRUE(p->guard_active());
  EXPECT_EQ(p->decide(t0 + hours(9), CarbonIntensity::grams_per_kwh(10), hours(2)), Decision::kPause)
      << "nothing left to do";
}

TEST(ThresholdPolicy, PercentileFollowsTheRecentPast) {
  ThresholdOptions o;
  o.percentile = 50;
  o.lookback = hours(4);
  o.decision_interval = hours(1);
  const UtcTime t0 = test::at("2023-01-01T00:00Z");
  auto p = ThresholdPolicy::make(o, hours(1), t0 + hours(100));
  ASSERT_TRUE(p);
  for (int h = 0; h < 4; ++h)
    (void)p->decide(t0 + hours(h), CarbonIntensity::grams_per_kwh(100.0 * (h + 1)), Duration(0));
  // The 4 h look-back drops the observation at t0: 200, 300, 400 and now 250;
  // the nearest-rank median of four is the second smallest, 250.
  EXPECT_EQ(p->decide(t0 + hours(4), CarbonIntensity::grams_per_kwh(250), Duration(0)), Decision::kRun);
  EXPECT_DOUBLE_EQ(p->current_threshold(), 250);
  EXPECT_EQ(p->decide(t0 + hours(5), CarbonIntensity::grams_per_kwh(390), Duration(0)), Decision::kPause);
  EXPECT_FALSE(ThresholdPolicy::make(ThresholdOptions{}, hours(1), t0));
}

TEST(ThresholdPolicy, SimulationAlwaysFinishesBeforeTheDeadline) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 100; ++iter) {
    const auto s = test::random_series(rng, 96, minutes(30), 500);
    const Duration dur = minutes(std::uniform_int_distribution<int>(1, 40)(rng) * 15);
    const Duration slack = minutes(std::uniform_int_distribution<int>(0, 40)(rng) * 15);
    const Job job = *Job::make(dur, PowerProfile::constant(Power::watts(100)));
    ThresholdOptions o;
    if (iter % 2) {
      o.percentile = 30;
    } else {
      o.absolute = CarbonIntensity::grams_per_kwh(200);
    }
    o.lookback = hours(6);
    o.decision_interval = minutes(15);
    const UtcTime e = s.start() + hours(6);
    auto run = simulate_threshold(s, job, e, e + dur + slack, o);
    ASSERT_TRUE(run) << run.error().message;
    Duration ran{0};
    for (const Segment& seg : run->plan.segments) {
      EXPECT_LE(seg.end, e + dur + slack);
      ran += seg.end - seg.start;
    }
    EXPECT_EQ(ran, dur);
    EXPECT_GT(run->plan.emissions.grams() + 1e-9, 0);
  }
}

}  // namespace
}  // namespace greenrun::scheduling
