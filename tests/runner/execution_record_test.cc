#include "runner/execution_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;

const UtcTime kT0 = *parse_utc("2023-01-01T00:00:00Z");

intensity::IntensitySeries hourly(const std::vector<double>& v) {
  intensity::IntensitySeries s("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  s.set_provenance({"test-forecast", "execution_record_test", ""});
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_TRUE(s.append(kT0 + std::chrono::hours(i), 1h, CarbonIntensity::grams_per_kwh(v[i])));
  return s;
}

// What the executor reports for 2 h of work at 300 W in the clean hours of
// dirty, clean, dirty, clean, dirty, dirty (carbon_aware_executor_test).
ExecutionReport clean_hours_report() {
  ExecutionReport r;
  r.events = {{kT0, "wait", 500, 0ms, "waiting"},
              {kT0 + 1h, "start", 100, 0ms, "running until 02:00"},
              {kT0 + 2h, "pause", 400, 1h, "paused until 03:00"},
              {kT0 + 3h, "resume", 120, 1h, "running until 04:00"},
              {kT0 + 4h, "exit", std::nullopt, 2h, "the job exited with status 0"}};
  const Energy hour = Power::watts(300) * Duration(1h);
  r.segments = {{kT0 + 1h, kT0 + 2h, hour, true}, {kT0 + 2h, kT0 + 3h, Energy(), false},
                {kT0 + 3h, kT0 + 4h, hour, true}};
  r.began = kT0;
  r.ended = kT0 + 4h;
  r.run_time = 2h;
  r.waited = 1h;
  r.paused = 1h;
  r.time_added = 2h;
  r.emissions = Mass::grams(66);
  r.at_once = Mass::grams(180);
  r.replans = 2;
  return r;
}

TEST(ExecutionRecord, TheRecordIsTheWrittenSectionParsedBack) {
  ScheduleRequest q;
  q.mode = scheduling::Mode::kPauseResume;
  q.earliest = kT0;
  q.expected = 2h;
  q.deadline = kT0 + 6h;
  auto schedule = ExecutionSchedule::make(q, hourly({500, 100, 400, 120, 500, 500}));
  ASSERT_TRUE(schedule) << schedule.error().message;
  ExecutionSettings settings;
  settings.pause_mode = "stop";
  settings.forecast_label = "forecast from the store (test-forecast)";
  const auto report = clean_hours_report();
  const ScheduleSummary record = execution_record(report, *schedule, settings);
  const ScheduleSummary* s = &record;
  // The record and the text are one: the text read back is the record.
  auto read = schedule_summary_from_json(execution_json(report, *schedule, settings));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, record);
  EXPECT_EQ(s->mode, "pause-resume");
  EXPECT_EQ(s->pause_mode, "stop");
  EXPECT_EQ(s->forecast_label, settings.forecast_label);
  EXPECT_EQ(s->forecast_origin, "forecast");
  EXPECT_EQ(s->deadline, kT0 + 6h);
  EXPECT_EQ(s->run_time, 2h);
  EXPECT_EQ(s->time_added, 2h);
  EXPECT_DOUBLE_EQ(s->saving().grams(), 114);
  EXPECT_EQ(s->replans, 2u);
  ASSERT_EQ(s->events.size(), report.events.size());
  for (size_t i = 0; i < s->events.size(); ++i) {
    EXPECT_EQ(s->events[i].time, report.events[i].time);
    EXPECT_EQ(s->events[i].kind, report.events[i].kind);
    ASSERT_EQ(s->events[i].intensity.has_value(), report.events[i].intensity.has_value());
    if (s->events[i].intensity) {
      EXPECT_EQ(s->events[i].intensity->grams_per_kwh(), *report.events[i].intensity);
    }
    EXPECT_EQ(s->events[i].work_done, report.events[i].work_done);
    EXPECT_EQ(s->events[i].note, report.events[i].note);
  }
}

TEST(ExecutionRecord, FlexibleStartRecordsItsLatestStartNotADeadline) {
  ScheduleRequest q;
  q.mode = scheduling::Mode::kFlexibleStart;
  q.earliest = kT0;
  q.expected = 1h;
  q.latest_start = kT0 + 3h;
  q.deadline = kT0 + 4h;
  auto schedule = ExecutionSchedule::make(q, hourly({500, 400, 100, 300, 500}));
  ASSERT_TRUE(schedule) << schedule.error().message;
  ExecutionReport r;
  r.events = {{kT0 + 2h, "start", 100, 0ms, ""}, {kT0 + 3h, "exit", 300, 1h, ""}};
  const ScheduleSummary record = execution_record(r, *schedule, {});
  const ScheduleSummary* s = &record;
  EXPECT_EQ(s->mode, "flexible");
  EXPECT_EQ(s->latest_start, kT0 + 3h);
  EXPECT_FALSE(s->deadline);
  EXPECT_TRUE(s->pause_mode.empty());
  EXPECT_EQ(s->pauses(), 0u);
}

}  // namespace
}  // namespace greenrun::runner
