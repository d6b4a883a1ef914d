// The engine's replay of a job log and its seasonal forecast, on a store
// holding the real 2022 DE series (../shared/data): which settings run, the
// data span read, the errors a front end maps to exit statuses.
#include "greenrun/replay.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "engine/stored_pick.h"
#include "greenrun/base/time_format.h"
#include "greenrun/seasonal_forecast.h"
#include "greenrun/study.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;
using scheduling::Policy;

TEST(ReplaySettings, EachPolicyTimesEachErrorButAtOnceAndThresholdOnlyOnce) {
  ReplayRequest q;
  q.policies = {Policy::kAtOnce, Policy::kFlexibleStart, Policy::kPauseResume, Policy::kThreshold};
  q.errors = {0, 0.05, 0.1};
  auto s = replay_settings(q);
  ASSERT_TRUE(s) << s.error().message;
  // at once: 1 (no error); flexible, pause-resume: 3 each; threshold: 1.
  ASSERT_EQ(s->size(), 8u);
  std::map<Policy, int> count;
  for (const auto& x : *s) {
    ++count[x.policy];
    if (x.policy == Policy::kAtOnce || x.policy == Policy::kThreshold) {
      EXPECT_EQ(x.error, 0);
    }
    ASSERT_TRUE(x.threshold.percentile);
    EXPECT_EQ(*x.threshold.percentile, 30);
  }
  EXPECT_EQ(count[Policy::kAtOnce], 1);
  EXPECT_EQ(count[Policy::kFlexibleStart], 3);
  EXPECT_EQ(count[Policy::kPauseResume], 3);
  EXPECT_EQ(count[Policy::kThreshold], 1);

  // Errors only (no zero): at once drops out, the threshold still runs once.
  q.errors = {0.05, 0.1};
  s = replay_settings(q);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->size(), 2u + 2u + 1u);
  // Two rules double every policy.
  q.errors = {0};
  q.rules = {*scheduling::parse_job_rule("slack:6h", TimeZone::utc()),
             *scheduling::parse_job_rule("slack:12h", TimeZone::utc())};
  s = replay_settings(q);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->size(), 8u);
  EXPECT_EQ((*s)[0].rule->text, "slack:6h");
  EXPECT_EQ((*s)[1].rule->text, "slack:12h");

  q.policies.clear();
  s = replay_settings(q);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kUsage);
  q.policies = {Policy::kFlexibleStart};
  q.errors = {-0.1};
  EXPECT_EQ(replay_settings(q).error().kind, ErrorKind::kUsage);
}

TEST(ReplayThreshold, ReadsPercentilesAndGramsAndRefusesTheRest) {
  auto p = parse_threshold(" p30 ");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->percentile, 30);
  EXPECT_FALSE(p->absolute);
  auto g = parse_threshold("250");
  ASSERT_TRUE(g);
  ASSERT_TRUE(g->absolute);
  EXPECT_EQ(g->absolute->grams_per_kwh(), 250);
  for (const char* bad : {"", "p", "p101", "-1", "x", "P-5", "nan", "inf"}) {
    auto b = parse_threshold(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().kind, ErrorKind::kUsage) << bad;
    EXPECT_NE(b.error().message.find("expected pNN"), std::string::npos) << b.error().message;
  }
}

TEST(StoredPick, LifecycleBeforeDirectBeforeMarginalOfTheZoneAndOriginAsked) {
  auto info = [](const char* zone, intensity::Signal s, intensity::Origin o) {
    intensity::StoredSeriesInfo i;
    i.key = {zone, s, o};
    return i;
  };
  using intensity::Origin;
  using intensity::Signal;
  std::vector<intensity::StoredSeriesInfo> list = {info("DE", Signal::kMarginal, Origin::kActual),
                                                   info("DE", Signal::kAverageDirect, Origin::kActual),
                                                   info("DE", Signal::kAverageLifecycle, Origin::kForecast),
                                                   info("FR", Signal::kAverageLifecycle, Origin::kActual)};
  const auto* p = pick_stored(list, "de", Origin::kActual);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->key.signal, Signal::kAverageDirect);
  list.push_back(info("DE", Signal::kAverageLifecycle, Origin::kActual));
  p = pick_stored(list, "DE", Origin::kActual);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->key.signal, Signal::kAverageLifecycle);
  EXPECT_EQ(p->key.origin, Origin::kActual);
  p = pick_stored(list, "DE", Origin::kForecast);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->key.signal, Signal::kAverageLifecycle);
  EXPECT_EQ(pick_stored(list, "ES", Origin::kActual), nullptr);
  EXPECT_EQ(pick_stored(list, "FR", Origin::kForecast), nullptr);
}

class EngineReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SHARED_DATA();
    dir_ = greenrun::testing::make_temp_dir("greenrun-engine-replay");
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.env = [](std::string_view) { return std::optional<std::string>{}; };
    const auto file = greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv";
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    auto parsed = intensity::import_file(file.string(), {});
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(store->import(parsed->series));
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::filesystem::path write_log(const std::string& text) {
    const auto p = dir_ / "jobs.csv";
    std::ofstream(p) << text;
    return p;
  }
  std::filesystem::path dir_;
  Services services_;
};

TEST_F(EngineReplay, ReadsTheLogAndOnlyTheDataItsWindowsNeed) {
  ReplayRequest q;
  q.zone = "de";  // zones match without regard to case
  q.log_file = write_log(
                   "id,submit,duration,power,rule,interruptible\n"
                   "train,2022-03-01T18:00,6h,1500W,next-workday@09:00,true\n"
                   "eval,2022-03-02T09:30,45m,300W,,\n")
                   .string();
  q.default_rule = *scheduling::parse_job_rule("slack:8h", q.tz);
  q.policies = {Policy::kAtOnce, Policy::kPauseResume, Policy::kThreshold};
  auto r = replay_jobs(q, services_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->source, *q.log_file);
  EXPECT_EQ(r->log.jobs.size(), 2u);
  ASSERT_EQ(r->result.settings.size(), 3u);
  // The data read: the jobs' span with 8 days either side, not the year.
  EXPECT_EQ(format_utc(r->data_from), "2022-02-21T18:00:00Z");
  EXPECT_LE(r->data_to, *parse_utc("2022-03-11T00:00:00Z"));
  EXPECT_GE(r->data_to, *parse_utc("2022-03-10T00:00:00Z"));
  EXPECT_EQ(r->data_points, static_cast<size_t>((r->data_to - r->data_from) / 1h));
  EXPECT_NE(r->data.find("electricitymaps-csv"), std::string::npos) << r->data;
  // Nothing is worse than at once on perfect foresight, and the parts add up.
  const auto& at_once = r->result.settings[0].totals;
  const auto& pr = r->result.settings[1].totals;
  EXPECT_NEAR(pr.at_once_g, at_once.emissions_g, 1e-6);
  EXPECT_LE(pr.emissions_g, at_once.emissions_g + 1e-6);
  EXPECT_NEAR(pr.saving_g(), at_once.emissions_g - pr.emissions_g, 1e-6);
}

TEST_F(EngineReplay, PresetsOnAScheduleAndTheErrorsFrontEndsMap) {
  ReplayRequest q;
  q.zone = "DE";
  SyntheticJobs syn;
  syn.presets = *scheduling::select_presets("bert-finetune");
  syn.starts = *scheduling::parse_start_schedule("daily@01:00");
  syn.starts_text = "daily@01:00";
  syn.from = *parse_utc("2022-03-20T00:00:00Z");
  syn.to = *parse_utc("2022-03-27T00:00:00Z");
  q.synthetic = syn;
  q.policies = {Policy::kFlexibleStart};
  q.default_rule = *scheduling::parse_job_rule("slack:12h", q.tz);
  auto r = replay_jobs(q, services_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->source, "--starts daily@01:00");
  EXPECT_EQ(r->log.jobs.size(), 7u);

  auto kind = [&](const ReplayRequest& x) { return replay_jobs(x, services_).error().kind; };
  ReplayRequest fr = q;
  fr.zone = "FR";
  EXPECT_EQ(kind(fr), ErrorKind::kNotFound);
  ReplayRequest forecast = q;
  forecast.plan_on = PlanOn::kForecast;  // the store holds no forecast
  EXPECT_EQ(kind(forecast), ErrorKind::kNotFound);
  forecast.plan_on = PlanOn::kIssued;  // nor any issued one
  EXPECT_EQ(kind(forecast), ErrorKind::kNotFound);
  ReplayRequest late = q;
  late.synthetic->from = *parse_utc("2030-01-01T00:00:00Z");
  late.synthetic->to = *parse_utc("2030-01-03T00:00:00Z");
  EXPECT_EQ(kind(late), ErrorKind::kNotFound);
  EXPECT_NE(replay_jobs(late, services_).error().message.find("does not overlap the log"), std::string::npos);
  ReplayRequest missing = q;
  missing.synthetic.reset();
  missing.log_file = (dir_ / "missing.csv").string();
  EXPECT_EQ(kind(missing), ErrorKind::kIo);
  ReplayRequest empty = q;
  empty.synthetic.reset();
  empty.log_file = write_log("id,submit,duration,power\n").string();
  EXPECT_NE(replay_jobs(empty, services_).error().message.find("jobs.csv"), std::string::npos);
  ReplayRequest no_store = q;
  Services elsewhere = services_;
  elsewhere.store_path = (dir_ / "none.db").string();
  EXPECT_EQ(replay_jobs(no_store, elsewhere).error().kind, ErrorKind::kNotFound);
  ReplayRequest no_repeat = q;
  no_repeat.repeat = 0;
  EXPECT_EQ(kind(no_repeat), ErrorKind::kUsage);
}

TEST_F(EngineReplay, SeasonalForecastIsBacktestedBeforeItsIssueTime) {
  SeasonalForecastRequest q;
  q.zone = "DE";
  q.horizon = 24h;
  q.test_days = 30;
  q.issue = *parse_utc("2022-11-01T00:00:00Z");
  auto r = seasonal_forecast(q, services_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->forecast.size(), 24u);
  EXPECT_EQ(r->forecast.start(), *q.issue);
  EXPECT_EQ(r->backtest.test_to, *q.issue) << "never tested on data after the issue time";
  ASSERT_EQ(r->backtest.models.size(), 4u);  // three seasonal models and lag-calendar
  for (const auto& m : r->backtest.models) EXPECT_GE(m.mae, r->best().mae);
  EXPECT_NE(r->label.find("not a provider's"), std::string::npos);

  q.issue = *parse_utc("2020-01-01T00:00:00Z");
  EXPECT_EQ(seasonal_forecast(q, services_).error().kind, ErrorKind::kUsage);
  q.issue.reset();
  q.horizon = 90min;
  EXPECT_EQ(seasonal_forecast(q, services_).error().kind, ErrorKind::kUsage);
  q.horizon = 24h;
  q.zone = "FR";
  EXPECT_EQ(seasonal_forecast(q, services_).error().kind, ErrorKind::kNotFound);
}

TEST_F(EngineReplay, TheStudyReadsEachZonesActualsOverItsSpanAndTheLongestWindow) {
  StudyRequest q;
  q.zones = {"de"};
  auto& o = q.options;
  o.presets = *scheduling::select_presets("bert-finetune");
  o.windows = {*scheduling::parse_window("12h")};
  o.algorithms = {scheduling::Mode::kFlexibleStart};
  o.starts = *scheduling::parse_start_rule("hourly");
  o.from = *parse_utc("2022-03-01T00:00:00Z");
  o.to = *parse_utc("2022-03-08T00:00:00Z");
  o.threads = 1;
  auto r = run_study(q, services_);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_FALSE(r->rows.empty());
  for (const auto& row : r->rows) {
    EXPECT_EQ(row.starts, 7u * 24) << "every hourly start of the week has its window in the data read";
    EXPECT_EQ(row.skipped, 0u);
    EXPECT_GE(row.mean, 0);
  }
  auto kind = [&](const StudyRequest& x) { return run_study(x, services_).error().kind; };
  StudyRequest late = q;
  late.options.from = *parse_utc("2030-01-01T00:00:00Z");
  late.options.to = *parse_utc("2030-02-01T00:00:00Z");
  EXPECT_EQ(kind(late), ErrorKind::kNotFound);
  StudyRequest fr = q;
  fr.zones = {"FR"};
  EXPECT_EQ(kind(fr), ErrorKind::kNotFound);
  StudyRequest none = q;
  none.zones.clear();
  EXPECT_EQ(kind(none), ErrorKind::kUsage);
}

}  // namespace
}  // namespace greenrun::engine
