#include "scheduling/rank_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "test_series.h"

namespace greenrun::scheduling {
namespace {

size_t next_in(const std::set<size_t>& s, size_t r) {
  auto it = r == RankSet::kNone ? s.begin() : s.upper_bound(r);
  return it == s.end() ? RankSet::kNone : *it;
}

size_t prev_in(const std::set<size_t>& s, size_t r) {
  auto it = r == RankSet::kNone ? s.end() : s.lower_bound(r);
  return it == s.begin() ? RankSet::kNone : *std::prev(it);
}

TEST(RankSet, NextAndPreviousMatchAnOrderedSetUnderRandomEdits) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  // Sizes around the level boundaries (64, 4096) and a sparse large one.
  for (size_t n : {1u, 63u, 64u, 65u, 700u, 4096u, 4097u, 300000u}) {
    SCOPED_TRACE("n " + std::to_string(n));
    RankSet set(n);
    std::set<size_t> ref;
    std::uniform_int_distribution<size_t> any(0, n - 1);
    for (int op = 0; op < 3000; ++op) {
      const size_t r = any(rng);
      if (rng() % 3 == 0) {
        set.erase(r);
        ref.erase(r);
      } else {
        set.insert(r);
        ref.insert(r);
      }
      const size_t probe = rng() % 8 == 0 ? RankSet::kNone : any(rng);
      ASSERT_EQ(set.contains(r), ref.count(r) == 1);
      ASSERT_EQ(set.next_after(probe), next_in(ref, probe)) << "probe " << probe;
      ASSERT_EQ(set.prev_before(probe), prev_in(ref, probe)) << "probe " << probe;
    }
  }
}

TEST(RankSet, EmptySetHasNoMembers) {
  RankSet set(5000);
  EXPECT_EQ(set.next_after(RankSet::kNone), RankSet::kNone);
  EXPECT_EQ(set.prev_before(RankSet::kNone), RankSet::kNone);
  set.insert(4999);
  set.insert(0);
  EXPECT_EQ(set.next_after(0), 4999u);
  EXPECT_EQ(set.prev_before(4999), 0u);
  EXPECT_EQ(set.prev_before(0), RankSet::kNone);
  EXPECT_EQ(set.next_after(4999), RankSet::kNone);
}

}  // namespace
}  // namespace greenrun::scheduling
