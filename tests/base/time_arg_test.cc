#include "greenrun/base/time_arg.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"

namespace greenrun {
namespace {

using namespace std::chrono_literals;

TEST(TimeArg, ReadsNowRelativeTimesAndIso8601) {
  const UtcTime now = *parse_utc("2026-12-07T10:15:00Z");
  EXPECT_EQ(*parse_time_arg("now", now), now);
  EXPECT_EQ(*parse_time_arg("now+12h", now), now + 12h);
  EXPECT_EQ(*parse_time_arg("now-1d", now), now - 24h);
  EXPECT_EQ(*parse_time_arg(" now+90m ", now), now + 90min);
  EXPECT_EQ(*parse_time_arg("2026-12-08T00:00:00Z", now), *parse_utc("2026-12-08T00:00:00Z"));
  EXPECT_EQ(*parse_time_arg("2026-12-08T01:00:00+01:00", now), *parse_utc("2026-12-08T00:00:00Z"));
  EXPECT_EQ(*parse_time_arg("2026-12-08", now), *parse_utc("2026-12-08T00:00:00Z"));
}

TEST(TimeArg, SaysWhatWasExpected) {
  const UtcTime now = *parse_utc("2026-12-07T10:15:00Z");
  auto bad = parse_time_arg("now+soon", now);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kUsage);
  EXPECT_NE(bad.error().message.find("now+12h"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("now+soon"), std::string::npos) << bad.error().message;
  auto junk = parse_time_arg("tomorrow", now);
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().message.find("now+12h"), std::string::npos) << junk.error().message;
}

}  // namespace
}  // namespace greenrun
