#include "scheduling/sliding_selection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "scheduling/study_sweep.h"
#include "test_series.h"

namespace greenrun::scheduling {
namespace {

struct Reference {
  double sum = 0;
  size_t selected = 0, runs = 0;
  size_t threshold = SlidingSelection::kNone, next = SlidingSelection::kNone;
};

// By sorting the window's slots by (plan, index): the K first are selected.
Reference by_sort(const std::vector<double>& plan, const std::vector<double>& truth,
                  const SlotRanks& ranks, size_t begin, size_t end, size_t K) {
  std::vector<size_t> idx(end - begin);
  std::iota(idx.begin(), idx.end(), begin);
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return plan[a] < plan[b] || (plan[a] == plan[b] && a < b);
  });
  Reference r;
  r.selected = std::min(K, idx.size());
  std::vector<char> chosen(end - begin, 0);
  for (size_t i = 0; i < r.selected; ++i) {
    r.sum += truth[idx[i]];
    chosen[idx[i] - begin] = 1;
  }
  if (r.selected > 0) r.threshold = ranks.rank[idx[r.selected - 1]];
  if (r.selected < idx.size()) r.next = ranks.rank[idx[r.selected]];
  for (size_t i = 0; i < chosen.size(); ++i)
    if (chosen[i] && (i == 0 || !chosen[i - 1])) ++r.runs;
  return r;
}

TEST(SlidingSelection, SumRunsAndThresholdMatchASortOfEveryWindow) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 60; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t n = std::uniform_int_distribution<size_t>(1, 600)(rng);
    // Few distinct plan values make real ties; integer truths make sums exact.
    const int distinct = iter % 2 ? 4 : 1000;
    std::vector<double> plan(n), truth(n);
    for (double& x : plan) x = std::uniform_int_distribution<int>(0, distinct)(rng);
    for (double& x : truth) x = std::uniform_int_distribution<int>(0, 500)(rng);
    const SlotRanks ranks = rank_slots(plan);
    const size_t K = std::uniform_int_distribution<size_t>(0, std::min<size_t>(n, 70))(rng);
    SlidingSelection sel(ranks.rank, ranks.order, truth, K);
    for (int op = 0; op < 400; ++op) {
      const unsigned what = static_cast<unsigned>(rng() % 16);
      if (what == 0) {
        sel.reset(std::uniform_int_distribution<size_t>(0, n)(rng));
      } else if (what < 9 && sel.end() < n) {
        sel.push_back();
      } else if (sel.begin() < sel.end()) {
        sel.pop_front();
      } else if (sel.end() < n) {
        sel.push_back();
      }
      const Reference ref = by_sort(plan, truth, ranks, sel.begin(), sel.end(), K);
      ASSERT_EQ(sel.selected(), ref.selected) << "op " << op;
      ASSERT_EQ(sel.sum(), ref.sum) << "op " << op << " window [" << sel.begin() << ", " << sel.end() << ")";
      ASSERT_EQ(sel.runs(), ref.runs) << "op " << op;
      ASSERT_EQ(sel.threshold(), ref.threshold) << "op " << op;
      ASSERT_EQ(sel.next_rank(), ref.next) << "op " << op;
    }
  }
}

TEST(SlidingSelection, KSmallestSumOfSlidingWindowsMatchesSortOnALargeSeries) {
  // A year of 5-minute slots (3 bitset levels), windows of 1 day sliding by one.
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  const size_t n = 105'120, w = 288, K = 100;
  std::vector<double> v(n);
  for (double& x : v) x = std::uniform_int_distribution<int>(0, 900)(rng);
  const SlotRanks ranks = rank_slots(v);
  SlidingSelection sel(ranks.rank, ranks.order, v, K);
  while (sel.end() < w) sel.push_back();
  for (size_t t = 0; t + w <= n; t += 1) {
    if (t > 0) {
      sel.push_back();
      sel.pop_front();
    }
    if (t % 997 != 0) continue;  // check a spread of windows against a sort
    std::vector<double> win(v.begin() + static_cast<std::ptrdiff_t>(t),
                            v.begin() + static_cast<std::ptrdiff_t>(t + w));
    std::nth_element(win.begin(), win.begin() + K, win.end());
    const double expected = std::accumulate(win.begin(), win.begin() + K, 0.0);
    ASSERT_EQ(sel.sum(), expected) << "start " << t;
  }
}

}  // namespace
}  // namespace greenrun::scheduling
