#include "greenrun/runner/schedule_summary.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "testing/schedule_section.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;
using greenrun::testing::kScheduleSection;

TEST(ScheduleSummary, ReadsTheFactsRunsShowDisplays) {
  auto s = schedule_summary_from_json(kScheduleSection);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mode, "pause-resume");
  EXPECT_EQ(s->pause_mode, "stop");
  EXPECT_EQ(s->forecast_label, "forecast from the store (test-forecast, issued 2022-12-31T23:00:00Z)");
  EXPECT_EQ(s->forecast_origin, "forecast");
  ASSERT_TRUE(s->deadline);
  EXPECT_EQ(*s->deadline, *parse_utc("2023-01-01T06:00:00Z"));
  EXPECT_FALSE(s->latest_start);
  EXPECT_EQ(s->waited, std::chrono::hours(1));
  EXPECT_EQ(s->paused, std::chrono::hours(1));
  EXPECT_EQ(s->run_time, std::chrono::hours(2));
  EXPECT_EQ(s->time_added, std::chrono::hours(2));
  EXPECT_DOUBLE_EQ(s->emissions.grams(), 66);
  EXPECT_DOUBLE_EQ(s->at_once.grams(), 180);
  EXPECT_DOUBLE_EQ(s->saving().grams(), 114);
  EXPECT_NEAR(s->saving_percent(), 100.0 * 114 / 180, 1e-12);
  EXPECT_TRUE(s->deadline_met);
  EXPECT_FALSE(s->guard_engaged);
  EXPECT_EQ(s->replans, 1u);
  EXPECT_EQ(s->pauses(), 1u);
  ASSERT_EQ(s->events.size(), 5u);
  EXPECT_EQ(s->events[2].kind, "pause");
  EXPECT_EQ(s->events[2].time, *parse_utc("2023-01-01T02:00:00Z"));
  EXPECT_EQ(s->events[2].work_done, std::chrono::hours(1));
  ASSERT_TRUE(s->events[2].intensity);
  EXPECT_DOUBLE_EQ(s->events[2].intensity->grams_per_kwh(), 400);
  EXPECT_EQ(s->events[2].note, "paused until 2023-01-01T03:00:00Z (SIGSTOP to process group 4242)");
  EXPECT_FALSE(s->events[4].intensity);  // null: a gap in the series
}

TEST(ScheduleSummary, WritesTheSectionBackKeyForKey) {
  auto s = schedule_summary_from_json(kScheduleSection);
  ASSERT_TRUE(s) << s.error().message;
  // Every key is typed now (planned, segments, emissions_note included), and
  // written back in the executor's order.
  EXPECT_EQ(schedule_summary_to_json(*s, -1), ordered_json::parse(kScheduleSection).dump());
  ASSERT_TRUE(s->planned);
  ASSERT_EQ(s->planned->segments.size(), 2u);
  EXPECT_EQ(s->planned->emissions, Mass::grams(22));
  ASSERT_EQ(s->segments.size(), 3u);
  EXPECT_FALSE(s->segments[1].running);
  EXPECT_EQ(s->segments[2].job_energy, Energy::joules(1080000));
}

TEST(ScheduleSummary, NoSavingPercentWithoutAnAtOnceFigure) {
  auto j = ordered_json::parse(kScheduleSection);
  j["emissions_g"] = 0.0;
  j["at_once_g"] = 0.0;
  auto s = schedule_summary_from_json(j.dump());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->saving_percent(), 0);
}

TEST(ScheduleSummary, AScheduleThatCostEmissionsHasANegativeSaving) {
  auto j = ordered_json::parse(kScheduleSection);
  j["emissions_g"] = 200.0;
  auto s = schedule_summary_from_json(j.dump());
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->saving().grams(), -20);
  EXPECT_LT(s->saving_percent(), 0);
}

TEST(ScheduleSummary, BadInputNamesTheJsonPathAndWhatWasExpected) {
  struct Case {
    std::function<void(ordered_json&)> edit;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](ordered_json& j) { j["events"][2]["time"] = "noon"; },
       R"($.schedule.events[2].time: expected a UTC time, got "noon")"},
      {[](ordered_json& j) { j["events"][1]["intensity_g_per_kwh"] = "high"; },
       R"($.schedule.events[1].intensity_g_per_kwh: expected a number, got "high")"},
      {[](ordered_json& j) { j["events"][0].erase("event"); }, "$.schedule.events[0].event: missing"},
      {[](ordered_json& j) { j["events"][3] = 7; }, "$.schedule.events[3]: expected an object, got 7"},
      {[](ordered_json& j) { j["events"] = ordered_json::object(); }, "$.schedule.events: expected an array"},
      {[](ordered_json& j) { j.erase("events"); }, "$.schedule.events: missing"},
      {[](ordered_json& j) { j.erase("emissions_g"); }, "$.schedule.emissions_g: missing"},
      {[](ordered_json& j) { j["at_once_g"] = "180"; }, R"($.schedule.at_once_g: expected a number, got "180")"},
      {[](ordered_json& j) { j["request"]["deadline"] = 5; }, "$.schedule.request.deadline: expected a UTC time, got 5"},
      {[](ordered_json& j) { j["forecast"] = "store"; }, R"($.schedule.forecast: expected an object, got "store")"},
      {[](ordered_json& j) { j["deadline_met"] = "yes"; }, "$.schedule.deadline_met: expected true or false"},
      {[](ordered_json& j) { j["replans"] = -1; }, "$.schedule.replans: expected a count, got -1"},
      {[](ordered_json& j) { j["mode"] = 3; }, "$.schedule.mode: expected a string, got 3"},
      {[](ordered_json& j) { j = ordered_json::array(); }, "$.schedule: expected a JSON object"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].error);
    auto j = ordered_json::parse(kScheduleSection);
    cases[i].edit(j);
    auto s = schedule_summary_from_json(j.dump());
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find(cases[i].error), std::string::npos) << s.error().message;
  }
  auto truncated = schedule_summary_from_json(std::string(kScheduleSection).substr(0, 200), "$.x");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().message, "$.x: expected a JSON object");
}

}  // namespace
}  // namespace greenrun::runner
