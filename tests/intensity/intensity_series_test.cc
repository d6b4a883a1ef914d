#include "greenrun/intensity/intensity_series.h"

#include <gtest/gtest.h>

#include <random>

#include "greenrun/base/time_format.h"
#include "testing/seed.h"

namespace greenrun::intensity {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

UtcTime at(const char* s) { return *parse_utc(s); }
CarbonIntensity g(double v) { return CarbonIntensity::grams_per_kwh(v); }

IntensitySeries hourly(std::initializer_list<double> values, const char* from = "2023-01-01T00:00Z") {
  IntensitySeries s("DE", Signal::kAverageLifecycle);
  UtcTime t = at(from);
  for (double v : values) {
    EXPECT_TRUE(s.append(t, hours(1), g(v)));
    t += hours(1);
  }
  return s;
}

TEST(IntensitySeries, LooksUpThePointCoveringAnInstant) {
  auto s = hourly({100, 200, 300});
  EXPECT_EQ(s.at(at("2023-01-01T00:00Z"))->grams_per_kwh(), 100);
  EXPECT_EQ(s.at(at("2023-01-01T01:59:59Z"))->grams_per_kwh(), 200);
  EXPECT_FALSE(s.at(at("2023-01-01T03:00Z")));  // end is exclusive
  EXPECT_FALSE(s.at(at("2022-12-31T23:59Z")));
}

TEST(IntensitySeries, MeanIsTimeWeightedAcrossMixedSteps) {
  IntensitySeries s("GB", Signal::kAverageDirect);
  ASSERT_TRUE(s.append(at("2023-01-01T00:00Z"), minutes(30), g(100)));
  ASSERT_TRUE(s.append(at("2023-01-01T00:30Z"), minutes(15), g(200)));
  ASSERT_TRUE(s.append(at("2023-01-01T00:45Z"), minutes(15), g(400)));
  // (100*30 + 200*15 + 400*15) / 60 = 200
  EXPECT_DOUBLE_EQ(s.mean(at("2023-01-01T00:00Z"), at("2023-01-01T01:00Z"))->grams_per_kwh(), 200);
  // A window straddling two points: (100*10 + 200*5)/15
  EXPECT_NEAR(s.mean(at("2023-01-01T00:20Z"), at("2023-01-01T00:35Z"))->grams_per_kwh(), 2000.0 / 15, 1e-9);
  // Inside one point: exact.
  EXPECT_EQ(s.mean(at("2023-01-01T00:50Z"), at("2023-01-01T00:55Z"))->grams_per_kwh(), 400);
}

TEST(IntensitySeries, GapsAreExplicitAndMeanOverAGapFails) {
  IntensitySeries s("DE", Signal::kAverageLifecycle);
  ASSERT_TRUE(s.append(at("2023-01-01T00:00Z"), hours(1), g(100)));
  ASSERT_TRUE(s.append(at("2023-01-01T03:00Z"), hours(1), g(300)));
  ASSERT_EQ(s.gaps().size(), 1u);
  EXPECT_EQ(s.gaps()[0].start, at("2023-01-01T01:00Z"));
  EXPECT_EQ(s.gaps()[0].end, at("2023-01-01T03:00Z"));
  auto m = s.mean(at("2023-01-01T00:30Z"), at("2023-01-01T03:30Z"));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("2023-01-01T01:00:00Z"), std::string::npos) << m.error().message;
  EXPECT_FALSE(s.at(at("2023-01-01T02:00Z")));
  EXPECT_FALSE(s.mean(at("2023-01-01T03:30Z"), at("2023-01-01T04:30Z")));  // past the end
  const auto in = s.integrate(at("2023-01-01T00:30Z"), at("2023-01-01T03:30Z"));
  EXPECT_EQ(in.covered, hours(1));
}

TEST(IntensitySeries, RejectsDuplicateOverlappingAndBadValues) {
  auto s = hourly({100, 200});
  EXPECT_FALSE(s.append(at("2023-01-01T01:00Z"), hours(1), g(5)));   // duplicate
  EXPECT_FALSE(s.append(at("2023-01-01T00:30Z"), hours(1), g(5)));   // non-monotonic
  EXPECT_FALSE(s.append(at("2023-01-01T01:30Z"), hours(1), g(5)));   // overlaps
  EXPECT_FALSE(s.append(at("2023-01-01T05:00Z"), hours(1), g(-1)));
  EXPECT_FALSE(s.append(at("2023-01-01T05:00Z"), hours(1), g(std::nan(""))));
  EXPECT_FALSE(s.append(at("2023-01-01T05:00Z"), hours(0), g(1)));
  EXPECT_EQ(s.size(), 2u);
}

TEST(IntensitySeries, ResamplesToCoarserStepByTimeWeightedMean) {
  auto s = hourly({100, 200, 300, 400, 500, 600});
  auto r = s.resample(hours(3));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_DOUBLE_EQ(r->point(0).value.grams_per_kwh(), 200);
  EXPECT_DOUBLE_EQ(r->point(1).value.grams_per_kwh(), 500);
  EXPECT_EQ(r->point(1).duration, hours(3));
}

TEST(IntensitySeries, ResamplesToFinerStepKeepingValues) {
  auto s = hourly({100, 200});
  auto r = s.resample(minutes(15));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 8u);
  EXPECT_EQ(r->point(3).value.grams_per_kwh(), 100);
  EXPECT_EQ(r->point(4).value.grams_per_kwh(), 200);
}

TEST(IntensitySeries, ResampleLeavesPartlyCoveredBucketsOut) {
  IntensitySeries s("DE", Signal::kAverageLifecycle);
  ASSERT_TRUE(s.append(at("2023-01-01T00:00Z"), hours(1), g(100)));
  ASSERT_TRUE(s.append(at("2023-01-01T02:00Z"), hours(1), g(300)));  // 01:00 missing
  auto r = s.resample(hours(2));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 0u) << "both 2h buckets are partly covered";
  auto est = hourly({1, 2});
  IntensitySeries e("X", Signal::kMarginal);
  ASSERT_TRUE(e.append(at("2023-01-01T00:00Z"), hours(1), g(1), true));
  ASSERT_TRUE(e.append(at("2023-01-01T01:00Z"), hours(1), g(3), false));
  auto re = e.resample(hours(2));
  ASSERT_TRUE(re && re->size() == 1);
  EXPECT_TRUE(re->point(0).estimated);
}

// Property: the prefix-sum mean equals a brute-force time-weighted mean for
// random windows over a random series with mixed steps.
TEST(IntensitySeries, MeanMatchesBruteForceOnRandomWindows) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  IntensitySeries s("Z", Signal::kMarginal);
  std::vector<IntensityPoint> pts;
  UtcTime t = at("2023-03-01T00:00Z");
  for (int i = 0; i < 500; ++i) {
    const Duration d = minutes(std::uniform_int_distribution<int>(1, 4)(rng) * 15);
    const double v = std::uniform_real_distribution<double>(0, 900)(rng);
    ASSERT_TRUE(s.append(t, d, g(v)));
    pts.push_back({t, d, g(v), false});
    t += d;
  }
  for (int k = 0; k < 2000; ++k) {
    const auto span = (s.end() - s.start()).count();
    int64_t a = std::uniform_int_distribution<int64_t>(0, span - 1)(rng);
    int64_t b = std::uniform_int_distribution<int64_t>(a + 1, span)(rng);
    const UtcTime wa = s.start() + Duration(a), wb = s.start() + Duration(b);
    double acc = 0;
    for (const auto& p : pts) {
      const auto lo = std::max(p.start, wa), hi = std::min(p.end(), wb);
      if (lo < hi) acc += p.value.grams_per_kwh() * static_cast<double>((hi - lo).count());
    }
    const double expect = acc / static_cast<double>(b - a);
    auto m = s.mean(wa, wb);
    ASSERT_TRUE(m);
    ASSERT_NEAR(m->grams_per_kwh(), expect, 1e-6 * std::max(1.0, expect));
  }
}

TEST(IntensitySeries, AYearOfFiveMinutePointsFitsInFourMegabytes) {
  IntensitySeries s("US-CAL-CISO", Signal::kMarginal);
  const size_t n = 365 * 24 * 12;
  s.reserve(n);
  UtcTime t = at("2023-01-01T00:00Z");
  for (size_t i = 0; i < n; ++i, t += minutes(5)) ASSERT_TRUE(s.append(t, minutes(5), g(static_cast<double>(i % 500))));
  EXPECT_LE(s.memory_bytes(), 4u * 1000 * 1000);
}

}  // namespace
}  // namespace greenrun::intensity
