// The dashboard's data (engine::collect_dashboard) on a store holding a real
// year of GB data (../shared/data), at a fake "now" inside that year: the
// zone's outlook is the stored series ahead with its best window (checked
// against a brute-force search over every window), runs come newest first
// with per-project totals, a run in progress appears with its state, and a
// zone whose data ended before now is left out.
#include "greenrun/dashboard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "runner/run_store.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(greenrun::testing::shared_data()))
      GTEST_SKIP() << "needs ../shared/data (real GB 2022 hourly data)";
    dir_ = greenrun::testing::make_temp_dir("greenrun-engine-dashboard");
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.env = [](std::string_view) { return std::optional<std::string>{}; };
    services_.clock = &clock_;
    const auto file = greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/GB_2022_hourly.csv";
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    auto parsed = intensity::import_file(file.string(), intensity::ImportOptions{});
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(store->import(parsed->series));
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void add_run(const std::string& id, const std::string& project, const char* started, double joules) {
    runner::RunRecord r;
    r.id = id;
    r.project = project;
    r.command = {"train.py"};
    r.started = *parse_utc(started);
    r.duration = 10min;
    r.ended = r.started + r.duration;
    r.zone = "GB";
    r.components.push_back({sensors::Component::kCpu, Energy::joules(joules), Energy::joules(joules),
                            sensors::Method::kMeasured, {}});
    runner::EmissionsFigure f;
    f.signal = "average-lifecycle";
    f.job = Mass::grams(joules / 3.6e6 * 200);
    r.average = f;
    auto store = runner::RunStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE(store->insert(r));
  }

  std::filesystem::path dir_;
  greenrun::testing::FakeClock clock_{*parse_utc("2022-06-15T09:30:00Z")};
  Services services_;
};

TEST_F(DashboardTest, TheZoneOutlookIsTheStoredSeriesAheadWithItsBestWindow) {
  DashboardRequest request;
  request.window = 2h;
  auto d = collect_dashboard(request, services_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->now, *parse_utc("2022-06-15T09:30:00Z"));
  ASSERT_EQ(d->zones.size(), 1u);
  const ZoneOutlook& z = d->zones[0];
  EXPECT_EQ(z.zone, "GB");
  EXPECT_TRUE(z.problem.empty()) << z.problem;
  EXPECT_FALSE(z.estimate) << z.label;
  EXPECT_NE(z.label.find("stored"), std::string::npos) << z.label;
  ASSERT_FALSE(z.series.empty());
  EXPECT_LE(z.series.start(), d->now);
  EXPECT_GE(z.series.end(), d->now + 24h);
  ASSERT_TRUE(z.now_value);
  EXPECT_EQ(z.now_value->grams_per_kwh(), z.series.at(d->now)->grams_per_kwh());

  // Brute force: every start at now or on an hour boundary up to now + 22 h.
  std::optional<double> best;
  UtcTime best_at{};
  for (UtcTime s = d->now; s + 2h <= d->now + 24h;
       s = (s == d->now ? *parse_utc("2022-06-15T10:00:00Z") : s + 1h)) {
    double sum = 0;
    for (UtcTime t = s; t < s + 2h; t += 1min) sum += z.series.at(t)->grams_per_kwh();
    const double mean = sum / 120;
    if (!best || mean < *best - 1e-9) {
      best = mean;
      best_at = s;
    }
  }
  ASSERT_TRUE(z.best_start && z.best_mean);
  EXPECT_EQ(*z.best_start, best_at) << format_utc(*z.best_start) << " vs " << format_utc(best_at);
  EXPECT_NEAR(z.best_mean->grams_per_kwh(), *best, 1e-6);
  EXPECT_LE(z.best_mean->grams_per_kwh(), z.now_value->grams_per_kwh());
}

TEST_F(DashboardTest, RunsComeNewestFirstWithProjectTotalsAndRunsInProgress) {
  add_run("20220615T080000Z-aaaaaa", "bert", "2022-06-15T08:00:00Z", 3.6e6);
  add_run("20220615T090000Z-bbbbbb", "bert", "2022-06-15T09:00:00Z", 7.2e6);
  add_run("20220614T090000Z-cccccc", "gpt", "2022-06-14T09:00:00Z", 1.8e6);
  LiveRun live;
  live.id = "20220615T092000Z-dddddd";
  live.pid = ::getpid();
  live.project = "bert";
  live.zone = "GB";
  live.mode = "pause-resume";
  live.state = "paused";
  live.next_decision = *parse_utc("2022-06-15T11:00:00Z");
  LiveStatusFile file(services_.store_path, live);
  file.schedule_state("paused", live.next_decision, clock_.utc_now());

  DashboardRequest request;
  request.run_limit = 2;
  auto d = collect_dashboard(request, services_);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->runs.size(), 2u);
  EXPECT_EQ(d->runs[0].id, "20220615T090000Z-bbbbbb");
  EXPECT_EQ(d->runs[1].id, "20220615T080000Z-aaaaaa");
  ASSERT_EQ(d->projects.size(), 2u);  // totals cover every run, not only those listed
  EXPECT_EQ(d->projects[0].key, "bert");
  EXPECT_EQ(d->projects[0].runs, 2u);
  EXPECT_DOUBLE_EQ(d->projects[0].job_energy.joules(), 10.8e6);
  EXPECT_NEAR(d->projects[0].emissions.grams(), 600.0, 1e-9);
  EXPECT_EQ(d->projects[1].key, "gpt");
  ASSERT_EQ(d->live.size(), 1u);
  EXPECT_EQ(d->live[0].state, "paused");
  EXPECT_EQ(d->live[0].next_decision, live.next_decision);
}

TEST_F(DashboardTest, AZoneWhoseDataEndedBeforeNowIsLeftOutAndBadRequestsAreRefused) {
  clock_.advance(24h * 365);  // 2023: the 2022 data is all in the past
  auto d = collect_dashboard(DashboardRequest{}, services_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->zones.empty());

  DashboardRequest too_long;
  too_long.window = 48h;
  auto refused = collect_dashboard(too_long, services_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUsage);
  DashboardRequest zero;
  zero.window = 0s;
  EXPECT_FALSE(collect_dashboard(zero, services_));
}

TEST_F(DashboardTest, AnOutlookReachingPastTheDataContinuesWithGreenrunsOwnForecast) {
  clock_.advance(*parse_utc("2022-12-31T12:00:00Z") - clock_.utc_now());  // 12 h of data left
  auto d = collect_dashboard(DashboardRequest{}, services_);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->zones.size(), 1u);
  const ZoneOutlook& z = d->zones[0];
  ASSERT_TRUE(z.problem.empty()) << z.problem;
  EXPECT_NE(z.label.find("then the greenrun"), std::string::npos) << z.label;
  EXPECT_NE(z.label.find("backtest MAE"), std::string::npos) << z.label;
  EXPECT_FALSE(z.estimate) << "a backtested forecast, labelled, is not a typical profile";
  EXPECT_FALSE(z.warnings.empty());
  EXPECT_TRUE(z.series.covers(d->now, d->now + 24h));
  // The stored points first, unchanged.
  EXPECT_EQ(z.series.at(d->now)->grams_per_kwh(), z.now_value->grams_per_kwh());
}

}  // namespace
}  // namespace greenrun::engine
