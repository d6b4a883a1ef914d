#include "intensity/providers/fallback.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"

namespace greenrun::intensity {
namespace {

using namespace std::chrono_literals;

FallbackInputs failed(FetchFailure kind, double coverage, bool typical) {
  FallbackInputs in;
  in.failure = FetchError{kind, "uk: GET /intensity: could not connect (offline?)"};
  in.stored_coverage = coverage;
  in.has_typical_profile = typical;
  return in;
}

TEST(DecideFallback, UsesTheFetchWhenThereIsOne) {
  EXPECT_EQ(decide_fallback(FallbackInputs{}, "GB").choice, FallbackChoice::kFetched);
}

TEST(DecideFallback, TransientFailuresFallBackToStoredThenTypicalThenFail) {
  for (FetchFailure kind : {FetchFailure::kOffline, FetchFailure::kTimeout, FetchFailure::kTruncated,
                            FetchFailure::kServer, FetchFailure::kRateLimited, FetchFailure::kBadResponse}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    const auto stored = decide_fallback(failed(kind, 0.75, true), "GB");
    EXPECT_EQ(stored.choice, FallbackChoice::kStored);
    EXPECT_NE(stored.message.find("stored data for GB (75% of the window)"), std::string::npos) << stored.message;
    const auto typical = decide_fallback(failed(kind, 0.2, true), "GB");
    EXPECT_EQ(typical.choice, FallbackChoice::kTypical);
    EXPECT_NE(typical.message.find("a typical profile, not a forecast"), std::string::npos);
    const auto none = decide_fallback(failed(kind, 0.2, false), "GB");
    EXPECT_EQ(none.choice, FallbackChoice::kNone);
    EXPECT_NE(none.message.find("no stored data or typical profile for GB"), std::string::npos);
  }
}

TEST(DecideFallback, AuthClientAndConfigFailuresNeverFallBack) {
  for (FetchFailure kind : {FetchFailure::kAuth, FetchFailure::kClient, FetchFailure::kConfig}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    const auto d = decide_fallback(failed(kind, 1.0, true), "GB");
    EXPECT_EQ(d.choice, FallbackChoice::kNone);
    EXPECT_EQ(d.message, "uk: GET /intensity: could not connect (offline?)");
  }
}

TEST(DecideFallback, TheCoverageThresholdIsInclusive) {
  FallbackInputs in = failed(FetchFailure::kOffline, 0.5, false);
  EXPECT_EQ(decide_fallback(in, "DE").choice, FallbackChoice::kStored);
  in.min_stored_coverage = 1.0;
  EXPECT_EQ(decide_fallback(in, "DE").choice, FallbackChoice::kNone);
}

IntensitySeries hourly(Origin origin, UtcTime from, int hours, double value) {
  IntensitySeries s("GB", Signal::kAverageDirect, origin);
  for (int h = 0; h < hours; ++h) EXPECT_TRUE(s.append(from + std::chrono::hours(h), 1h, CarbonIntensity::grams_per_kwh(value)));
  return s;
}

class ObtainSeries : public ::testing::Test {
 protected:
  const UtcTime from_ = *parse_utc("2024-05-01T00:00:00Z");
  const UtcTime to_ = from_ + 24h;
  int stored_calls_ = 0;
  SeriesSources sources(std::optional<FetchFailure> failure, int stored_hours, bool typical) {
    SeriesSources s;
    s.fetch = [=, this]() -> FetchResult<IntensitySeries> {
      if (failure) return fetch_error(*failure, "uk: offline");
      return hourly(Origin::kForecast, from_, 24, 100);
    };
    s.stored = [=, this](UtcTime a, UtcTime) -> Result<IntensitySeries> {
      ++stored_calls_;
      return hourly(Origin::kForecast, a, stored_hours, 200);
    };
    s.typical = [=, this](UtcTime a, UtcTime) -> Result<IntensitySeries> {
      if (!typical) return make_error("no typical profile for GB");
      return hourly(Origin::kTypical, a, 24, 300);
    };
    return s;
  }
};

TEST_F(ObtainSeries, ReturnsTheFetchedSeriesWithoutTouchingTheStore) {
  auto r = obtain_series(sources(std::nullopt, 24, true), "GB", from_, to_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->choice, FallbackChoice::kFetched);
  EXPECT_DOUBLE_EQ(r->series.point(0).value.grams_per_kwh(), 100);
  EXPECT_TRUE(r->warning.empty());
  EXPECT_EQ(stored_calls_, 0);
}

TEST_F(ObtainSeries, OfflineUsesStoredDataThatCoversEnough) {
  auto r = obtain_series(sources(FetchFailure::kOffline, 18, true), "GB", from_, to_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->choice, FallbackChoice::kStored);
  EXPECT_DOUBLE_EQ(r->series.point(0).value.grams_per_kwh(), 200);
  EXPECT_NE(r->warning.find("75%"), std::string::npos) << r->warning;
}

TEST_F(ObtainSeries, OfflineWithLittleStoredDataUsesTheTypicalProfile) {
  auto r = obtain_series(sources(FetchFailure::kOffline, 3, true), "GB", from_, to_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->choice, FallbackChoice::kTypical);
  EXPECT_EQ(r->series.origin(), Origin::kTypical);
}

TEST_F(ObtainSeries, OfflineWithNothingToFallBackOnIsAnError) {
  auto r = obtain_series(sources(FetchFailure::kOffline, 0, false), "GB", from_, to_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "uk: offline; and no stored data or typical profile for GB to fall back on");
}

TEST_F(ObtainSeries, BadCredentialsAreAnErrorEvenWithStoredData) {
  auto r = obtain_series(sources(FetchFailure::kAuth, 24, true), "GB", from_, to_);
  ASSERT_FALSE(r);
  EXPECT_EQ(stored_calls_, 0);
}

}  // namespace
}  // namespace greenrun::intensity
