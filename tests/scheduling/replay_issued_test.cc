// Replaying on the forecast as known at each decision (ReplayOptions::issued),
// on a small hand-made set of issued forecasts whose answer is worked out by
// hand in the comments.
#include <gtest/gtest.h>

#include "greenrun/scheduling/replay.h"
#include "scheduling/test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours;
using test::at;

intensity::IntensitySeries hourly(const char* from, std::vector<double> values,
                                  intensity::Origin origin,
                                  std::optional<const char*> issued = {}) {
  intensity::IntensitySeries s("ZZ", intensity::Signal::kAverageLifecycle,
                               origin);
  UtcTime t = at(from);
  for (double v : values) {
    EXPECT_TRUE(s.append(t, hours(1), CarbonIntensity::grams_per_kwh(v)));
    t += hours(1);
  }
  if (issued) s.set_issued(at(*issued));
  return s;
}

LoggedJob job(std::string id, const char* submit, const char* deadline,
              size_t line) {
  LoggedJob j;
  j.id = std::move(id);
  j.line = line;
  j.submit = at(submit);
  j.duration = hours(1);
  j.power = Power::watts(1000);  // 1 kW: grams = g/kWh of the hour
  j.deadline = at(deadline);
  return j;
}

// Actual, hours 00..07 of 2023-01-02:  300 200 100 400  50 300 300 300
// Issue 1 (issued 01-01 23:00), 00..05: 300 100 250 400 300 300
// Issue 2 (issued 00:30),       00..05: 300 300 300  10 300 300
// Issue 3 (issued 00:45),       00..01: 300   1         (covers 00..02 only)
// Job A: submit 00:00, window 00..04. Known then: issue 1 only -> start 01,
//   paid 200 g (at once 300 g; on the actuals it would start 02: 100 g).
// Job B: submit 01:00, window 01..05. Issued by then: 1, 2, 3; issue 3 does
//   not cover the window, so issue 2 (the latest that does) -> start 03,
//   paid 400 g (at once 200 g; on the actuals: 04, 50 g).
// Job C: submit 04:00, window 04..08: no issue covers it -> excluded.
// Totals: 600 g against 500 g at once, a saving of -20 %; planned on the
// actuals 150 g, a saving of 70 %.
class ReplayIssued : public ::testing::Test {
 protected:
  void SetUp() override {
    actual_ = hourly("2023-01-02T00:00:00Z",
                     {300, 200, 100, 400, 50, 300, 300, 300},
                     intensity::Origin::kActual);
    issues_.push_back(hourly("2023-01-02T00:00:00Z",
                             {300, 100, 250, 400, 300, 300},
                             intensity::Origin::kForecast,
                             "2023-01-01T23:00:00Z"));
    issues_.push_back(hourly("2023-01-02T00:00:00Z",
                             {300, 300, 300, 10, 300, 300},
                             intensity::Origin::kForecast,
                             "2023-01-02T00:30:00Z"));
    issues_.push_back(hourly("2023-01-02T00:00:00Z", {300, 1},
                             intensity::Origin::kForecast,
                             "2023-01-02T00:45:00Z"));
    log_.name = "hand.csv";
    log_.jobs = {job("A", "2023-01-02T00:00:00Z", "2023-01-02T04:00:00Z", 2),
                 job("B", "2023-01-02T01:00:00Z", "2023-01-02T05:00:00Z", 3),
                 job("C", "2023-01-02T04:00:00Z", "2023-01-02T08:00:00Z", 4)};
    options_.settings = {ReplaySetting{}};  // Flexible Start, error 0
    options_.issued = &issues_;
  }
  intensity::IntensitySeries actual_;
  std::vector<intensity::IntensitySeries> issues_;
  JobLog log_;
  ReplayOptions options_;
};

TEST_F(ReplayIssued, EachDecisionUsesTheLatestIssueKnownThenThatCoversIt) {
  auto r = replay_jobs(actual_, log_, options_);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->excluded.size(), 1u);
  EXPECT_EQ(r->excluded[0].id, "C");
  EXPECT_NE(r->excluded[0].reason.find("no forecast issued by"),
            std::string::npos)
      << r->excluded[0].reason;
  const SettingResult& s = r->settings.at(0);
  ASSERT_EQ(s.jobs.size(), 2u);
  EXPECT_EQ(s.jobs[0].plan.segments.at(0).start, at("2023-01-02T01:00:00Z"));
  EXPECT_EQ(s.jobs[1].plan.segments.at(0).start, at("2023-01-02T03:00:00Z"));
  EXPECT_NEAR(s.totals.emissions_g, 600, 1e-9);
  EXPECT_NEAR(s.totals.at_once_g, 500, 1e-9);
  EXPECT_NEAR(s.totals.saving_percent(), -20, 1e-9);
  ASSERT_TRUE(s.perfect_saving);  // the saving lost to forecast error
  EXPECT_NEAR(*s.perfect_saving, 70, 1e-9);
}

TEST_F(ReplayIssued, AForecastIssuedAfterTheDecisionIsNeverUsed) {
  // Issued one minute after B's submit, issue 2 is no longer known to B:
  // B falls back to issue 1 (01..05: 100 250 400 300 -> start 01, 200 g).
  issues_[1].set_issued(at("2023-01-02T01:01:00Z"));
  std::swap(issues_[1], issues_[2]);  // oldest issue first
  auto r = replay_jobs(actual_, log_, options_);
  ASSERT_TRUE(r) << r.error().message;
  const SettingResult& s = r->settings.at(0);
  ASSERT_EQ(s.jobs.size(), 2u);
  EXPECT_EQ(s.jobs[1].plan.segments.at(0).start, at("2023-01-02T01:00:00Z"));
  EXPECT_NEAR(s.totals.emissions_g, 400, 1e-9);
}

TEST(ForecastAsKnown, PicksTheLatestCoveringIssueAtOrBeforeTheDecision) {
  std::vector<intensity::IntensitySeries> issues;
  issues.push_back(hourly("2023-01-02T00:00:00Z", {1, 1, 1},
                          intensity::Origin::kForecast,
                          "2023-01-02T00:00:00Z"));
  issues.push_back(hourly("2023-01-02T01:00:00Z", {2, 2},
                          intensity::Origin::kForecast,
                          "2023-01-02T01:00:00Z"));
  const auto d = at("2023-01-02T01:00:00Z");
  // Exactly at the issue time counts as known.
  EXPECT_EQ(forecast_as_known(issues, d, d, d + hours(2)), &issues[1]);
  // The newer one does not reach back to 00:30: the older one does.
  EXPECT_EQ(forecast_as_known(issues, d, at("2023-01-02T00:30:00Z"), d),
            &issues[0]);
  // Nothing covers 02..04; nothing was issued before 00:00.
  EXPECT_EQ(forecast_as_known(issues, d, d + hours(1), d + hours(3)),
            nullptr);
  EXPECT_EQ(forecast_as_known(issues, at("2023-01-01T23:59:00Z"),
                              at("2023-01-02T00:00:00Z"), d),
            nullptr);
}

}  // namespace
}  // namespace greenrun::scheduling
