#include "scheduling/study_sweep.h"

#include <gtest/gtest.h>

#include <random>

#include "scheduling/pause_resume.h"
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
