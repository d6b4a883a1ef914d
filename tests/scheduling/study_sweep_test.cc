#include "scheduling/study_sweep.h"

#include <gtest/gtest.h>

#include <bit>
#include <limits>
#include <random>

#include "greenrun/scheduling/pause_resume.h"
#include "test_series.h"

namespace greenrun::scheduling {
namespace {

std::vector<double> values_of(const intensity::IntensitySeries& s, size_t from, size_t n) {
  std::vector<double> v;
  for (size_t i = from; i < from + n && i < s.size(); ++i) v.push_back(s.point(i).value.grams_per_kwh());
  return v;
}

std::vector<double> with_noise(const std::vector<double>& v, std::mt19937& rng, double sigma) {
  std::normal_distribution<double> d(0, sigma);
  std::vector<double> out(v);
  for (double& x : out) x = std::max(0.0, x + d(rng));
  return out;
}

void expect_same(const std::vector<StartOutcome>& a, const std::vector<StartOutcome>& b, bool pauses) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_NEAR(a[k].baseline, b[k].baseline, 1e-6 * std::max(1.0, b[k].baseline)) << "start " << k;
    EXPECT_NEAR(a[k].optimum, b[k].optimum, 1e-6 * std::max(1.0, b[k].optimum)) << "start " << k;
    if (pauses) {
      EXPECT_EQ(a[k].pauses, b[k].pauses) << "start " << k;
    }
  }
}

TEST(StudySweep, FlexibleMatchesPerStartScanOnRealDataWithNoise) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto truth = values_of(test::real_series("green-dcc/US-CAL-CISO_2022_hourly.csv"), 0, 2000);
  ASSERT_EQ(truth.size(), 2000u);
  for (int iter = 0; iter < 20; ++iter) {
    const auto plan = iter % 2 ? with_noise(truth, rng, 30) : truth;
    const size_t full = std::uniform_int_distribution<size_t>(0, 40)(rng);
    const double frac = iter % 3 == 0 ? 0.0 : 0.3;
    const size_t window = std::uniform_int_distribution<size_t>(0, 48)(rng);
    std::vector<size_t> starts;
    for (size_t t = 0; t + window + full + 1 <= truth.size(); t += 1 + (iter % 4) * 37) starts.push_back(t);
    expect_same(sweep_flexible(plan, truth, full == 0 && frac == 0 ? 1 : full, frac, window, starts),
                naive_flexible(plan, truth, full == 0 && frac == 0 ? 1 : full, frac, window, starts), false);
  }
}

TEST(StudySweep, PauseResumeMatchesPerStartSortOnRealDataWithNoise) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto truth = values_of(test::real_series("green-dcc/GB_2023_hourly.csv"), 100, 1500);
  for (int iter = 0; iter < 20; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto plan = iter % 2 ? with_noise(truth, rng, 25) : truth;
    const size_t K = std::uniform_int_distribution<size_t>(1, 60)(rng);
    const size_t w = K + std::uniform_int_distribution<size_t>(0, 60)(rng);
    std::vector<size_t> starts;
    // Dense starts slide; sparse ones (every 200) refill the trees.
    for (size_t t = 0; t + w <= truth.size(); t += iter % 3 == 0 ? 200 : 1) starts.push_back(t);
    const SlotRanks ranks = rank_slots(plan);
    expect_same(sweep_pause_resume(truth, ranks, K, w, starts),
                naive_pause_resume(plan, truth, K, w, starts), true);
  }
}

// Jobs that are not a whole number of steps: q steps + `part` of g slots.
// The kernel on the steps must equal the per-start sort over the g-times
// repeated slots (the model the study used before), sums and pauses.
TEST(StudySweep, PauseResumeOnStepsEqualsRepeatedSlotsOnRealDataWithNoise) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  const auto truth = values_of(test::real_series("green-dcc/DE-LU_2023_hourly.csv"), 3000, 700);
  ASSERT_EQ(truth.size(), 700u);
  for (int iter = 0; iter < 40; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto plan = iter % 2 ? with_noise(truth, rng, 25) : truth;
    const size_t g = std::uniform_int_distribution<size_t>(2, 12)(rng);
    const size_t part = std::uniform_int_distribution<size_t>(1, g - 1)(rng);
    const size_t q = std::uniform_int_distribution<size_t>(0, 30)(rng);
    const size_t m = q + std::uniform_int_distribution<size_t>(0, 30)(rng);
    std::vector<size_t> starts, slot_starts;
    for (size_t t = 0; t + m < truth.size(); t += iter % 3 == 0 ? 90 : 1) {
      starts.push_back(t);
      slot_starts.push_back(t * g);
    }
    const auto fast = sweep_pause_resume_steps(truth, rank_slots(plan), q, part, g, m, starts);
    const auto ref = naive_pause_resume(repeat_slots(plan, g), repeat_slots(truth, g), q * g + part,
                                        m * g + part, slot_starts);
    expect_same(fast, ref, true);
  }
}

// Every K-subset of the slots of small windows (values with many ties): the
// kernel on steps finds the least sum.
TEST(StudySweep, PauseResumeOnStepsMatchesBruteForceOverSlotSubsets) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t g = std::uniform_int_distribution<size_t>(2, 4)(rng);
    const size_t part = std::uniform_int_distribution<size_t>(1, g - 1)(rng);
    const size_t q = std::uniform_int_distribution<size_t>(0, 3)(rng);
    const size_t max_m = (15 - part) / g;
    if (q > max_m) continue;
    const size_t m = std::uniform_int_distribution<size_t>(q, max_m)(rng);
    std::vector<double> v(m + 1 + std::uniform_int_distribution<size_t>(0, 3)(rng));
    for (double& x : v) x = std::uniform_int_distribution<int>(0, 4)(rng);
    std::vector<size_t> starts;
    for (size_t t = 0; t + m < v.size(); ++t) starts.push_back(t);
    const auto out = sweep_pause_resume_steps(v, rank_slots(v), q, part, g, m, starts);
    const std::vector<double> slots = repeat_slots(v, g);
    const size_t K = q * g + part, w = m * g + part;
    for (size_t k = 0; k < starts.size(); ++k) {
      double best = std::numeric_limits<double>::infinity();
      for (uint32_t mask = 0; mask < (1u << w); ++mask) {
        if (static_cast<size_t>(std::popcount(mask)) != K) continue;
        double c = 0;
        for (size_t i = 0; i < w; ++i)
          if (mask >> i & 1) c += slots[starts[k] * g + i];
        best = std::min(best, c);
      }
      EXPECT_EQ(out[k].optimum, best) << "start " << starts[k];
      double base = 0;
      for (size_t i = 0; i < K; ++i) base += slots[starts[k] * g + i];
      EXPECT_EQ(out[k].baseline, base) << "start " << starts[k];
    }
  }
}

TEST(StudySweep, PauseResumeEqualsCleanestSlotsAndNeverLosesToFlexible) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::vector<double> v(400);
  for (double& x : v) x = std::uniform_int_distribution<int>(0, 50)(rng);
  const size_t K = 7, window = 10;
  std::vector<size_t> starts;
  for (size_t t = 0; t + window + K <= v.size(); ++t) starts.push_back(t);
  const auto pr = sweep_pause_resume(v, rank_slots(v), K, window + K, starts);
  const auto fs = sweep_flexible(v, v, K, 0.0, window, starts);
  for (size_t k = 0; k < starts.size(); ++k) {
    const std::span<const double> win(v.data() + starts[k], window + K);
    double c = 0;
    for (size_t i : cleanest_slots(win, K)) c += win[i];
    EXPECT_DOUBLE_EQ(pr[k].optimum, c);
    EXPECT_LE(pr[k].optimum, fs[k].optimum);
    EXPECT_DOUBLE_EQ(pr[k].baseline, fs[k].baseline);
  }
}

// The least sum of K of the w slots from t whose runs are at least P slots
// apart: every K-subset of the window (the oracle of the planners' tests).
double brute_force_min_pause(const std::vector<double>& v, size_t t, size_t K, size_t w, size_t P) {
  double best = std::numeric_limits<double>::infinity();
  for (uint32_t mask = 0; mask < (1u << w); ++mask) {
    if (static_cast<size_t>(std::popcount(mask)) != K) continue;
    bool ok = true;
    size_t last_end = 0;
    bool any = false;
    for (size_t i = 0; i < w && ok; ++i) {
      if (!(mask >> i & 1) || (i > 0 && (mask >> (i - 1) & 1))) continue;  // not a run's first slot
      if (any && i - last_end < P) ok = false;
      size_t j = i;
      while (j < w && (mask >> j & 1)) ++j;
      last_end = j;
      any = true;
    }
    if (!ok) continue;
    double c = 0;
    for (size_t i = 0; i < w; ++i)
      if (mask >> i & 1) c += v[t + i];
    best = std::min(best, c);
  }
  return best;
}

TEST(StudySweep, PauseResumeWithAMinimumPauseMatchesBruteForce) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  size_t constrained = 0;  // starts where the K cleanest pause too briefly
  for (int iter = 0; iter < 300; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t w = std::uniform_int_distribution<size_t>(1, 14)(rng);
    const size_t K = std::uniform_int_distribution<size_t>(1, w)(rng);
    const size_t P = std::uniform_int_distribution<size_t>(2, 5)(rng);
    std::vector<double> v(w + std::uniform_int_distribution<size_t>(0, 4)(rng));
    for (double& x : v) x = std::uniform_int_distribution<int>(0, 9)(rng);
    std::vector<size_t> starts;
    for (size_t t = 0; t + w <= v.size(); ++t) starts.push_back(t);
    std::vector<StartOutcome> out;
    ASSERT_TRUE(sweep_pause_resume_min_pause(v, v, K, w, P, starts, out));
    const auto free = sweep_pause_resume(v, rank_slots(v), K, w, starts);
    for (size_t k = 0; k < starts.size(); ++k) {
      const size_t t = starts[k];
      EXPECT_EQ(out[k].optimum, brute_force_min_pause(v, t, K, w, P)) << "start " << t;
      double base = 0;
      for (size_t i = 0; i < K; ++i) base += v[t + i];
      EXPECT_EQ(out[k].baseline, base);
      EXPECT_GE(out[k].optimum, free[k].optimum) << "a minimum pause never lowers the cost";
      EXPECT_LE(out[k].optimum, base) << "running at once is always allowed";
      if (out[k].optimum > free[k].optimum) ++constrained;
    }
  }
  EXPECT_GT(constrained, 0u) << "the minimum pause never changed a schedule: the test would not see it ignored";
}

// On a noisy forecast (plan on it, pay on the truth) the sweep chooses what
// the planner `plan` and `run` use chooses (plan_pause_resume with
// min_pause), start by start, on real 15-minute-like slots.
TEST(StudySweep, PauseResumeWithAMinimumPauseChoosesWhatThePlannerChooses) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  const auto truth = values_of(test::real_series("green-dcc/GB_2023_hourly.csv"), 2000, 400);
  const auto step = std::chrono::minutes(15);  // the hourly values as quarter hours: many short dips
  const UtcTime t0 = test::at("2023-03-01T00:00:00Z");
  for (int iter = 0; iter < 6; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto plan = with_noise(truth, rng, 40);
    intensity::IntensitySeries series("GB", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
    for (size_t i = 0; i < plan.size(); ++i)
      ASSERT_TRUE(series.append(t0 + step * static_cast<int64_t>(i), step, CarbonIntensity::grams_per_kwh(plan[i])));
    const size_t K = std::uniform_int_distribution<size_t>(2, 12)(rng);
    const size_t w = K + std::uniform_int_distribution<size_t>(4, 30)(rng);
    const size_t P = std::uniform_int_distribution<size_t>(2, 6)(rng);
    std::vector<size_t> starts;
    for (size_t t = 0; t + w <= plan.size(); t += 7) starts.push_back(t);
    std::vector<StartOutcome> out;
    ASSERT_TRUE(sweep_pause_resume_min_pause(plan, truth, K, w, P, starts, out));
    auto job = Job::make(step * static_cast<int64_t>(K), PowerProfile::constant(Power::watts(1000)));
    ASSERT_TRUE(job);
    PauseResumeOptions options;
    options.min_pause = step * static_cast<int64_t>(P);
    for (size_t k = 0; k < starts.size(); ++k) {
      const UtcTime from = t0 + step * static_cast<int64_t>(starts[k]);
      auto p = plan_pause_resume(series, *job, from, from + step * static_cast<int64_t>(w), options);
      ASSERT_TRUE(p) << p.error().message;
      double paid = 0;
      for (const Segment& seg : p->segments)
        for (UtcTime s = seg.start; s < seg.end; s += step) paid += truth[static_cast<size_t>((s - t0) / step)];
      EXPECT_NEAR(out[k].optimum, paid, 1e-9 * paid) << "start " << starts[k];
      EXPECT_EQ(out[k].pauses + 1, p->segments.size()) << "start " << starts[k];
    }
  }
}

TEST(StudySweep, RepeatedRanksEqualRanksOfRepeatedValues) {
  std::mt19937 rng(test::test_seed());
  std::vector<double> v(50);
  for (double& x : v) x = std::uniform_int_distribution<int>(0, 5)(rng);
  const SlotRanks a = repeat_ranks(rank_slots(v), 4);
  const SlotRanks b = rank_slots(repeat_slots(v, 4));
  EXPECT_EQ(a.rank, b.rank);
  EXPECT_EQ(a.order, b.order);
}

}  // namespace
}  // namespace greenrun::scheduling
