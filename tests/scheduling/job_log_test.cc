#include "greenrun/scheduling/job_log.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"

namespace greenrun::scheduling {
namespace {

UtcTime at(const char* s) { return *parse_utc(s); }

Result<JobLog> parse(const std::string& text, JobLogOptions o = {}) {
  return parse_job_log(text, "jobs.csv", o);
}

TEST(JobLog, ReadsEveryColumnOfTheCsv) {
  auto log = parse(
      "id,submit,duration,energy,earliest,rule,interruptible\n"
      "a,2023-06-01T10:00:00Z,2h,3kWh,,slack:6h,true\n"
      "\"b\",2023-06-01T11:00:00Z,90m,500Wh,2023-06-01T09:00:00Z,next-workday@"
      "09:00,no\n"
      "c,2023-06-02T00:00:00Z,1h,1kWh,,,\n");
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->format, "csv");
  ASSERT_EQ(log->jobs.size(), 3u);
  const auto& a = log->jobs[0];
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.submit, at("2023-06-01T10:00:00Z"));
  EXPECT_DOUBLE_EQ(a.power.watts(), 1500);
  ASSERT_TRUE(a.rule);
  EXPECT_EQ(a.rule->kind, JobRule::Kind::kSlack);
  EXPECT_TRUE(a.interruptible);
  const auto& b = log->jobs[1];
  EXPECT_EQ(b.earliest, at("2023-06-01T09:00:00Z"));
  EXPECT_FALSE(b.interruptible);
  EXPECT_NEAR(b.power.watts(), 333.333, 1e-3);
  EXPECT_FALSE(log->jobs[2].rule);
  EXPECT_TRUE(log->jobs[2].interruptible);
}

TEST(JobLog, PowerAndDeadlineColumnsAndLocalTimes) {
  JobLogOptions o;
  auto tz = TimeZone::load("Europe/Berlin");
  if (!tz) GTEST_SKIP() << "needs the tzdata package: " << tz.error().message;
  o.tz = *tz;
  auto log = parse(
      "id,submit,duration,power,deadline\nx,2024-02-29T09:00,30m,1000W,2024-02-"
      "29T18:00\n",
      o);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->jobs[0].submit, at("2024-02-29T08:00:00Z"));
  EXPECT_EQ(log->jobs[0].deadline, at("2024-02-29T17:00:00Z"));
  EXPECT_DOUBLE_EQ(log->jobs[0].power.watts(), 1000);
}

TEST(JobLog, BadInputNamesTheFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* expect;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"id,submit,power\n", "jobs.csv:1: missing column \"duration\""},
           {"id,submit,duration\n",
            "jobs.csv:1: missing column \"power\" or \"energy\""},
           {"id,submit,duration,power\na,2023-01-01,1h,100W\nb,2023-01-01,soon,"
            "100W\n",
            "jobs.csv:3: column duration: expected"},
           {"id,submit,duration,power\na,2023-13-01,1h,100W\n",
            "jobs.csv:2: column submit: expected an ISO 8601"},
           {"id,submit,duration,power\na,2023-01-01,1h,lots\n",
            "jobs.csv:2: column power:"},
           {"id,submit,duration,power\na,2023-01-01,0s,100W\n",
            "jobs.csv:2: column duration: expected a positive"},
           {"id,submit,duration,power\na,2023-01-01,1h,100W\nb,2023-01-01,1h\n",
            "jobs.csv:3: expected 4 fields, got 3"},
           {"id,submit,duration,power\na,2023-01-01,1h,100W\n\na,2023-01-02,1h,"
            "100W\n",
            "jobs.csv:4: duplicate id \"a\" (first on line 2)"},
           {"id,submit,duration,power,rule\na,2023-01-01,1h,100W,whenever\n",
            "jobs.csv:2: column rule: expected a rule"},
           {"id,submit,duration,power,interruptible\na,2023-01-01,1h,100W,"
            "maybe\n",
            "jobs.csv:2: column interruptible: expected true or false"},
           {"id,submit,duration,power\n,2023-01-01,1h,100W\n",
            "jobs.csv:2: column id: missing"},
           {"", "jobs.csv:1: empty job log"},
       }) {
    auto r = parse(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().message.rfind(c.expect, 0), 0u) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

TEST(JobLog, SacctExportsSkipStepsAndExcludeJobsThatNeverRan) {
  const std::string text =
      "JobID|Submit|Start|Elapsed|TimeLimit|NNodes|ConsumedEnergy|State\n"
      "101|2023-06-01T10:00:00|2023-06-01T10:05:00|02:00:00|04:00:00|2|7.2M|"
      "COMPLETED\n"
      "101.batch|2023-06-01T10:05:00|2023-06-01T10:05:00|02:00:00||2|7.2M|"
      "COMPLETED\n"
      "102|2023-06-01T11:00:00|2023-06-01T11:00:00|1-00:30:00|UNLIMITED|1||"
      "COMPLETED\n"
      "103|2023-06-01T12:00:00|Unknown|00:00:00|01:00:00|1|0|CANCELLED\n";
  auto log = parse_job_log(text, "sacct.txt", {});
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->format, "sacct");
  EXPECT_EQ(log->steps_ignored, 1u);
  ASSERT_EQ(log->jobs.size(), 2u);
  EXPECT_EQ(log->jobs[0].duration, std::chrono::hours(2));
  EXPECT_DOUBLE_EQ(log->jobs[0].power.watts(), 1000);  // 7.2 MJ over 2 h
  EXPECT_EQ(log->jobs[1].duration,
            std::chrono::hours(24) + std::chrono::minutes(30));
  EXPECT_DOUBLE_EQ(log->jobs[1].power.watts(),
                   1000);  // no energy: 1 node x 1000 W
  ASSERT_EQ(log->excluded.size(), 1u);
  EXPECT_EQ(log->excluded[0].id, "103");
  EXPECT_EQ(log->excluded[0].line, 5u);
  auto dup = parse_job_log(
      "JobID|Submit|Elapsed\n7|2023-01-01T00:00:00|01:00:00\n7|2023-01-01T00:"
      "00:00|01:00:00\n",
      "s.txt", {});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message,
            "s.txt:3: duplicate JobID \"7\" (first on line 2)");
  auto bad = parse_job_log(
      "JobID|Submit|Elapsed\n7|2023-01-01T00:00:00|an hour\n", "s.txt", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("s.txt:2: column Elapsed:", 0), 0u)
      << bad.error().message;
  EXPECT_FALSE(parse_job_log("JobID|Start\n1|2023-01-01\n", "s.txt", {}));
}

TEST(JobLog, SlurmDurations) {
  using std::chrono::hours, std::chrono::minutes, std::chrono::seconds;
  EXPECT_EQ(*parse_slurm_duration("01:02:03"),
            hours(1) + minutes(2) + seconds(3));
  EXPECT_EQ(*parse_slurm_duration("2-01:00:00"), hours(49));
  EXPECT_EQ(*parse_slurm_duration("2-01"), hours(49));
  EXPECT_EQ(*parse_slurm_duration("05:30"), minutes(5) + seconds(30));
  EXPECT_EQ(*parse_slurm_duration("45"), minutes(45));
  for (const char* bad : {"", "UNLIMITED", "1:2:3:4", "-1:00:00", "x-01:00"})
    EXPECT_FALSE(parse_slurm_duration(bad)) << bad;
}

}  // namespace
}  // namespace greenrun::scheduling
