#include "sensors/rapl/rapl_counter.h"
#include "testing/seed.h"

#include <gtest/gtest.h>

#include <random>

namespace greenrun::sensors::rapl {
namespace {

constexpr uint64_t kRange = 262143328850ULL;  // a real max_energy_range_uj

TEST(RaplDelta, CountsForwardWithoutWrap) {
  EXPECT_DOUBLE_EQ(delta({1'000'000}, {3'500'000}, kRange).joules(), 2.5);
  EXPECT_DOUBLE_EQ(delta({7}, {7}, kRange).joules(), 0.0);
}

TEST(RaplDelta, CountsOneWrapBetweenSamples) {
  // 1 J before the top, 2 J after zero: 3 J plus the step from range to 0.
  const auto e = delta({kRange - 1'000'000}, {2'000'000}, kRange);
  EXPECT_DOUBLE_EQ(e.joules(), 3.000001);
}

TEST(RaplDelta, WrapFromTheTopToZero) {
  EXPECT_DOUBLE_EQ(delta({kRange}, {0}, kRange).joules(), 1e-6);
}

TEST(RaplDelta, ReadingAboveTheRangeCountsNothing) {
  EXPECT_DOUBLE_EQ(delta({kRange + 5}, {10}, kRange).joules(), 0.0);
  EXPECT_DOUBLE_EQ(delta({10}, {kRange + 5}, kRange).joules(), 0.0);
}

TEST(RaplDelta, PropertyDeltaSurvivesAWrap) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t range = 1 + rng() % (1ULL << 40);
    const uint64_t start = rng() % (range + 1);
    const uint64_t step = rng() % (range + 1);  // at most one full turn
    // The counter takes values 0..range: range + 1 states.
    const uint64_t end = (start + step) % (range + 1);
    ASSERT_DOUBLE_EQ(delta({start}, {end}, range).joules(), static_cast<double>(step) * 1e-6)
        << "range " << range << " start " << start << " step " << step;
  }
}

}  // namespace
}  // namespace greenrun::sensors::rapl
