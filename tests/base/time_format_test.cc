#include "greenrun/base/time_format.h"

#include <gtest/gtest.h>

namespace greenrun {
namespace {

int64_t secs(const Result<UtcTime>& t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

TEST(ParseUtc, ReadsEveryProviderShapeAsTheSameInstant) {
  const int64_t expected = 1577836800;  // 2020-01-01T00:00:00Z
  for (const char* s : {"2020-01-01 00:00:00", "2020-01-01T00:00:00+00:00", "2020-01-01T00:00Z",
                        "2020-01-01T00:00:00.000Z", "2020-01-01T01:00:00+01:00", "2019-12-31T19:00:00-05:00",
                        "2020-01-01", "2020-01-01T00:00:00-0000"}) {
    auto t = parse_utc(s);
    ASSERT_TRUE(t) << s << ": " << t.error().message;
    EXPECT_EQ(secs(t), expected) << s;
  }
}

TEST(ParseUtc, KeepsMilliseconds) {
  auto t = parse_utc("2023-01-23T17:00:00.250Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count() % 1000, 250);
}

TEST(ParseUtc, AppliesDefaultOffsetOnlyWithoutExplicitZone) {
  auto local = parse_utc("2020-01-01 01:00:00", 60);
  auto explicit_z = parse_utc("2020-01-01T01:00:00Z", 60);
  ASSERT_TRUE(local && explicit_z);
  EXPECT_EQ(secs(local), 1577836800);
  EXPECT_EQ(secs(explicit_z), 1577836800 + 3600);
}

TEST(ParseUtc, RejectsMalformedDates) {
  for (const char* s : {"", "n/a", "2020-13-01", "2021-02-29", "2020-01-01T25:00", "2020-01-01T10:61",
                        "2020-01-01T00:00:00+25:00", "2020-01-01T00:00:00junk", "20200101"}) {
    auto t = parse_utc(s);
    EXPECT_FALSE(t) << s;
    if (!t) {
      EXPECT_NE(t.error().message.find("expected"), std::string::npos);
    }
  }
}

TEST(ParseUtc, AcceptsLeapDay) { EXPECT_TRUE(parse_utc("2024-02-29T00:00:00Z")); }

TEST(FormatUtc, RoundTripsThroughParse) {
  for (int64_t s : {0LL, 1577836800LL, 1709164800LL, 4102444799LL}) {
    const UtcTime t{Duration(s * 1000)};
    auto back = parse_utc(format_utc(t));
    ASSERT_TRUE(back) << format_utc(t);
    EXPECT_EQ(*back, t);
  }
  EXPECT_EQ(format_utc(UtcTime(Duration(1577836800123))), "2020-01-01T00:00:00.123Z");
}

TEST(ToCivil, MatchesKnownDate) {
  const CivilTime c = to_civil(UtcTime(Duration(1709251199000)));  // 2024-02-29T23:59:59Z
  EXPECT_EQ(c.year, 2024);
  EXPECT_EQ(c.month, 2u);
  EXPECT_EQ(c.day, 29u);
  EXPECT_EQ(c.hour, 23u);
  EXPECT_EQ(c.second, 59u);
}

}  // namespace
}  // namespace greenrun
