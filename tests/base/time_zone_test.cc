#include "greenrun/base/time_zone.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/paths.h"

namespace greenrun {
namespace {

UtcTime at(const char* s) { return *parse_utc(s); }

TimeZone berlin() {
  auto tz = TimeZone::load("Europe/Berlin");
  EXPECT_TRUE(tz) << (tz ? "" : tz.error().message);
  return tz ? *tz : TimeZone::utc();
}

#define REQUIRE_TZDATA()                                                     \
  do {                                                                       \
    if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin"))       \
      GTEST_SKIP()                                                           \
          << "needs the tzdata package (/usr/share/zoneinfo/Europe/Berlin)"; \
  } while (0)

TEST(TimeZone, OffsetsChangeAtTheSpringAndAutumnTransitions) {
  REQUIRE_TZDATA();
  const TimeZone tz = berlin();
  EXPECT_EQ(tz.offset_seconds(at("2023-03-26T00:59:59Z")), 3600);
  EXPECT_EQ(tz.offset_seconds(at("2023-03-26T01:00:00Z")), 7200);
  EXPECT_EQ(tz.offset_seconds(at("2023-10-29T00:59:59Z")), 7200);
  EXPECT_EQ(tz.offset_seconds(at("2023-10-29T01:00:00Z")), 3600);
  EXPECT_EQ(tz.offset_seconds(at("2024-02-29T12:00:00Z")), 3600);
  const CivilTime c = tz.to_local(at("2023-07-01T22:30:00Z"));
  EXPECT_EQ(c.day, 2u);
  EXPECT_EQ(c.hour, 0u);
  EXPECT_EQ(c.minute, 30u);
}

TEST(TimeZone, WallTimesInTheGapMoveForwardAndOverlapsTakeTheEarlier) {
  REQUIRE_TZDATA();
  const TimeZone tz = berlin();
  const long long spring = days_from_civil(2023, 3, 26),
                  autumn = days_from_civil(2023, 10, 29);
  using std::chrono::hours, std::chrono::minutes;
  EXPECT_EQ(tz.from_local(spring, hours(1) + minutes(30)),
            at("2023-03-26T00:30:00Z"));
  EXPECT_EQ(tz.from_local(spring, hours(2) + minutes(30)),
            at("2023-03-26T01:30:00Z"));  // 03:30 CEST
  EXPECT_EQ(tz.from_local(spring, hours(3) + minutes(30)),
            at("2023-03-26T01:30:00Z"));
  EXPECT_EQ(tz.from_local(autumn, hours(2) + minutes(30)),
            at("2023-10-29T00:30:00Z"));  // first 02:30
  EXPECT_EQ(tz.from_local(autumn, hours(3)), at("2023-10-29T02:00:00Z"));
  EXPECT_EQ(tz.from_local(days_from_civil(2024, 2, 29), hours(9)),
            at("2024-02-29T08:00:00Z"));
}

TEST(TimeZone, ParseLocalHonoursAnExplicitOffset) {
  REQUIRE_TZDATA();
  const TimeZone tz = berlin();
  EXPECT_EQ(*parse_local("2023-07-01T10:00", tz), at("2023-07-01T08:00:00Z"));
  EXPECT_EQ(*parse_local("2023-07-01T10:00:00Z", tz),
            at("2023-07-01T10:00:00Z"));
  EXPECT_EQ(*parse_local("2023-07-01T10:00:00+05:00", tz),
            at("2023-07-01T05:00:00Z"));
  EXPECT_EQ(*parse_local("2023-01-10", tz), at("2023-01-09T23:00:00Z"));
  EXPECT_FALSE(parse_local("2023-02-30T10:00", tz));
}

TEST(TimeZone, BadNamesAndFilesAreErrors) {
  auto dir = greenrun::testing::make_temp_dir("tz");
  std::ofstream(dir / "Bogus")
      << "not a tzif file at all, just text long enough to read a header from";
  auto bad = TimeZone::load("Bogus", dir.string());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadData);
  EXPECT_NE(bad.error().message.find("not a TZif"), std::string::npos)
      << bad.error().message;
  auto missing = TimeZone::load("Mars/Olympus", dir.string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(TimeZone::load("../etc/passwd", dir.string()));
  EXPECT_FALSE(TimeZone::load("/etc/passwd", dir.string()));
  EXPECT_EQ(TimeZone::load("UTC", dir.string())
                ->offset_seconds(at("2023-07-01T00:00:00Z")),
            0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun
