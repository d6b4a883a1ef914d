#include "greenrun/scheduling/threshold_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

#include "test_series.h"
#include "testing/seed.h"

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

TEST(ThresholdPolicy, TheSlidingPercentileIsTheNearestRankOfTheLookBackWindow) {
  // Oracle: copy the window's values and select the nearest rank, as the
  // policy did before it kept a sorted window. Random values with many ties
  // (rounded to 5 g) and irregular decision times, so values leave the window
  // in every order.
  const uint64_t seed = greenrun::testing::property_seed();
  std::mt19937_64 rng(seed);
  for (double pct : {0.0, 10.0, 33.3, 50.0, 90.0, 100.0}) {
    ThresholdOptions o;
    o.percentile = pct;
    o.lookback = hours(6);
    o.decision_interval = minutes(5);
    const UtcTime t0 = test::at("2023-01-01T00:00Z");
    auto p = ThresholdPolicy::make(o, hours(1), t0 + hours(1000));
    ASSERT_TRUE(p);
    std::deque<std::pair<UtcTime, double>> window;
    UtcTime t = t0;
    for (int i = 0; i < 3000; ++i) {
      t += minutes(1 + static_cast<int>(rng() % 30));
      const double v = 5.0 * static_cast<double>(rng() % 80);
      window.emplace_back(t, v);
      while (window.front().first <= t - o.lookback) window.pop_front();
      (void)p->decide(t, CarbonIntensity::grams_per_kwh(v), Duration(0));
      std::vector<double> values;
      for (const auto& w : window) values.push_back(w.second);
      const auto rank = static_cast<size_t>(std::ceil(pct / 100.0 * static_cast<double>(values.size())));
      const size_t k = rank == 0 ? 0 : rank - 1;
      std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
      ASSERT_EQ(p->current_threshold(), values[k]) << "p" << pct << ", decision " << i << ", seed " << seed;
    }
  }
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
