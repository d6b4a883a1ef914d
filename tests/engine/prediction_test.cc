// engine::predict_epochs (greenrun/prediction.h): warm-up detection, the
// interval, the honest label when one epoch gives no spread, bad input.
#include <gtest/gtest.h>

#include <vector>

#include "greenrun/prediction.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;

std::vector<EpochObservation> epochs(const std::vector<double>& joules) {
  std::vector<EpochObservation> out;
  for (double j : joules) out.push_back({10s, Energy::joules(j)});
  return out;
}

TEST(PredictEpochs, ConstantEpochsGiveTheExactTotalAndAZeroWidthInterval) {
  auto p = predict_epochs(epochs({100, 100, 100}), 10);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_DOUBLE_EQ(p->energy_j.mid, 1000);
  EXPECT_DOUBLE_EQ(p->energy_j.low, 1000);
  EXPECT_DOUBLE_EQ(p->energy_j.high, 1000);
  EXPECT_DOUBLE_EQ(p->duration_s.mid, 100);
  EXPECT_EQ(p->warmup_excluded, 0u);
}

TEST(PredictEpochs, AWarmUpEpochIsCountedButLeftOutOfTheModel) {
  auto p = predict_epochs(epochs({300, 100, 101, 99}), 10);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->warmup_excluded, 1u);
  // 600 measured + 6 more at the mean of 100, 101, 99.
  EXPECT_NEAR(p->energy_j.mid, 600 + 6 * 100, 1e-9);
  EXPECT_NE(p->method.find("warm-up"), std::string::npos) << p->method;
  const Range naive = naive_total(epochs({300, 100, 101, 99}), 10, true);
  EXPECT_NEAR(naive.mid, 1500, 1e-9);  // Carbontracker's rule
}

TEST(PredictEpochs, TwoEpochsNeverExcludeAWarmUp) {
  auto p = predict_epochs(epochs({300, 100}), 4);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->warmup_excluded, 0u);
  EXPECT_NEAR(p->energy_j.mid, 400 + 2 * 200, 1e-9);
  EXPECT_LT(p->energy_j.low, p->energy_j.mid);
}

TEST(PredictEpochs, OneEpochSaysItsIntervalIsAssumed) {
  auto p = predict_epochs(epochs({100}), 11);
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->energy_j.mid, 1100, 1e-9);
  EXPECT_NEAR(p->energy_j.high - p->energy_j.mid, 0.2 * 1000, 1e-9);
  EXPECT_NE(p->method.find("assumed"), std::string::npos) << p->method;
}

TEST(PredictEpochs, AllEpochsKnownIsTheMeasurement) {
  auto p = predict_epochs(epochs({100, 120, 80}), 3);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->energy_j.low, 300);
  EXPECT_DOUBLE_EQ(p->energy_j.high, 300);
}

TEST(PredictEpochs, BadInputIsAUsageError) {
  auto none = predict_epochs({}, 3);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kUsage);
  auto fewer = predict_epochs(epochs({1, 1, 1}), 2);
  ASSERT_FALSE(fewer);
  EXPECT_EQ(fewer.error().message, "epochs: expected at least the 3 epochs already measured, got 2");
  auto negative = predict_epochs(epochs({-1}), 2);
  EXPECT_FALSE(negative);
}

}  // namespace
}  // namespace greenrun::engine
