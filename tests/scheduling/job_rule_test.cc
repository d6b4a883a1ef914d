#include "greenrun/scheduling/job_rule.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/base/time_format.h"

namespace greenrun::scheduling {
namespace {

UtcTime at(const char* s) { return *parse_utc(s); }
using std::chrono::hours, std::chrono::minutes;

class JobRules : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin"))
      GTEST_SKIP()
          << "needs the tzdata package (/usr/share/zoneinfo/Europe/Berlin)";
    tz_ = *TimeZone::load("Europe/Berlin");
  }
  JobRule rule(const char* text) {
    auto r = parse_job_rule(text, tz_);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
    return r ? *r : JobRule{};
  }
  JobWindow window(const char* text, const char* nominal, Duration d) {
    return resolve_window(rule(text), at(nominal), d, tz_);
  }
  TimeZone tz_;
};

// Each kind across the spring DST change (Berlin, 2023-03-26 02:00 -> 03:00)
// and the leap day 2024-02-29.
TEST_F(JobRules, SlackAndWithinAreElapsedTimeAcrossDst) {
  const auto w =
      window("slack:6h", "2023-03-25T23:00:00Z", hours(2));  // 00:00 CET
  EXPECT_EQ(w.open, at("2023-03-25T23:00:00Z"));
  EXPECT_EQ(w.deadline,
            at("2023-03-26T07:00:00Z"));  // 8 h later, 09:00 CEST on the wall
  const auto v = window("within:24h", "2024-02-28T12:00:00Z", hours(2));
  EXPECT_EQ(v.deadline, at("2024-02-29T12:00:00Z"));
}

TEST_F(JobRules, AroundOpensBeforeTheNominalTime) {
  const auto w = window("around:2h/4h", "2023-03-26T00:00:00Z", hours(1));
  EXPECT_EQ(w.open, at("2023-03-25T22:00:00Z"));
  EXPECT_EQ(w.deadline, at("2023-03-26T05:00:00Z"));
  const auto s = window("around:3h", "2024-02-29T01:00:00Z", hours(1));
  EXPECT_EQ(s.open, at("2024-02-28T22:00:00Z"));
  EXPECT_EQ(s.deadline, at("2024-02-29T05:00:00Z"));
}

TEST_F(JobRules, NextWorkdayIsLocalAndSkipsTheWeekend) {
  // Friday 18:00 CET -> Monday 09:00 CEST (the clocks went forward on Sunday).
  EXPECT_EQ(
      window("next-workday@09:00", "2023-03-24T17:00:00Z", hours(1)).deadline,
      at("2023-03-27T07:00:00Z"));
  // Wednesday 20:00 CET -> the leap day, 09:00 CET.
  EXPECT_EQ(
      window("next-workday@09:00", "2024-02-28T19:00:00Z", hours(1)).deadline,
      at("2024-02-29T08:00:00Z"));
  // Wednesday 23:30 UTC is already Thursday (the leap day) in Berlin: Friday.
  EXPECT_EQ(
      window("next-workday@09:00", "2024-02-28T23:30:00Z", hours(1)).deadline,
      at("2024-03-01T08:00:00Z"));
}

TEST_F(JobRules, WeeklySlotsTakeTheFirstTheJobCanMake) {
  // Thursday, leap day, 10:00 CET + 1 h: Thursday 09:00 has passed -> Monday.
  EXPECT_EQ(
      window("weekly:mon,thu@09:00", "2024-02-29T09:00:00Z", hours(1)).deadline,
      at("2024-03-04T08:00:00Z"));
  // Saturday before the change -> Monday 09:00 CEST.
  EXPECT_EQ(
      window("weekly:mon,thu@09:00", "2023-03-25T11:00:00Z", hours(1)).deadline,
      at("2023-03-27T07:00:00Z"));
  // A job that ends exactly at a slot makes it.
  EXPECT_EQ(
      window("weekly:thu@09:00", "2024-02-29T07:00:00Z", hours(1)).deadline,
      at("2024-02-29T08:00:00Z"));
}

TEST_F(JobRules, DeadlineIsLocalUnlessItHasAnOffset) {
  EXPECT_EQ(
      window("deadline:2024-02-29T23:00", "2024-02-29T00:00:00Z", hours(1))
          .deadline,
      at("2024-02-29T22:00:00Z"));
  EXPECT_EQ(
      window("deadline:2023-03-26T12:00:00Z", "2023-03-26T00:00:00Z", hours(1))
          .deadline,
      at("2023-03-26T12:00:00Z"));
}

TEST_F(JobRules, MalformedRulesSayWhatWasExpected) {
  for (const char* bad : {"", "slack", "slack:soon", "around:2h/x",
                          "next-workday@25:00", "weekly:mon,funday@09:00",
                          "weekly:mon", "deadline:yesterday", "hourly:3"}) {
    auto r = parse_job_rule(bad, tz_);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("expected"), std::string::npos)
        << r.error().message;
  }
}

TEST_F(JobRules, DailyStartsFollowTheWallClockAcrossDst) {
  auto s = parse_start_schedule("daily@02:30");
  ASSERT_TRUE(s) << s.error().message;
  const auto t = schedule_times(*s, at("2023-03-24T00:00:00Z"),
                                at("2023-03-28T00:00:00Z"), tz_);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], at("2023-03-24T01:30:00Z"));
  EXPECT_EQ(t[1], at("2023-03-25T01:30:00Z"));
  EXPECT_EQ(t[2],
            at("2023-03-26T01:30:00Z"));  // 02:30 does not exist: 03:30 CEST
  EXPECT_EQ(t[3], at("2023-03-27T00:30:00Z"));
  // Autumn: 02:30 happens twice; the job starts once, at the first.
  const auto a = schedule_times(*s, at("2023-10-28T12:00:00Z"),
                                at("2023-10-30T12:00:00Z"), tz_);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], at("2023-10-29T00:30:00Z"));
  EXPECT_EQ(a[1], at("2023-10-30T01:30:00Z"));
}

TEST_F(JobRules, WeekdaysAndCronCountTheLeapDay) {
  auto w = parse_start_schedule("weekdays@01:00");
  ASSERT_TRUE(w);
  EXPECT_EQ(schedule_times(*w, at("2024-01-31T23:00:00Z"),
                           at("2024-02-29T23:00:00Z"), tz_)
                .size(),
            21u);
  auto c = parse_start_schedule("cron:0 */6 29 2 *");
  ASSERT_TRUE(c) << c.error().message;
  const auto t = schedule_times(*c, at("2023-01-01T00:00:00Z"),
                                at("2026-01-01T00:00:00Z"), tz_);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], at("2024-02-28T23:00:00Z"));  // 00:00 CET on the 29th
  EXPECT_EQ(t[3], at("2024-02-29T17:00:00Z"));
  // Both day fields restricted: either matches (as cron): the 1st or Mondays.
  auto both = parse_start_schedule("cron:0 12 1 * 1");
  ASSERT_TRUE(both);
  EXPECT_EQ(schedule_times(*both, at("2024-04-01T00:00:00Z"),
                           at("2024-05-01T00:00:00Z"), tz_)
                .size(),
            5u);
  for (const char* bad : {"daily@", "daily@7", "cron:0 1 * *",
                          "cron:60 * * * *", "cron:0 1 * * 8", "sometimes"})
    EXPECT_FALSE(parse_start_schedule(bad)) << bad;
}

}  // namespace
}  // namespace greenrun::scheduling
