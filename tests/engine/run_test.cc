// engine::run without processes: a fake clock, a simulated job, the fake
// sensor over a fake procfs, real German intensity data in a real store, and
// a scripted forecast that changes mid-run. A 24 h Pause and Resume schedule
// runs in milliseconds, and the run is recorded exactly as `greenrun run`
// records it (run.json, timeline.jsonl, emissions.csv, the store row).
#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "runner/run_store.h"
#include "runner/sensor_setup.h"
#include "sensors/fake/fake_sensor.h"
#include "sensors/fake_trees.h"
#include "testing/engine_fakes.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;
using greenrun::testing::FakeClock;

using greenrun::testing::Recorder;
using greenrun::testing::ScriptedForecast;
using greenrun::testing::SimulatedJob;

const char* kGermany2023 = "electricitymaps-hourly/green-dcc/DE-LU_2023_hourly.csv";

class EngineRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-engine");
    proc_.set_machine(1000, 500, 10000);
    proc_.set_process(4242, 1, 10, 5);
    proc_.set_cpuinfo(greenrun::testing::xeon_6148_two_sockets_cpuinfo());
    proc_.set_meminfo(16 * 1024 * 1024);
    services_.clock = &clock_;
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.procfs_root = proc_.root();
    services_.env = [](std::string_view) { return std::optional<std::string>{}; };
    services_.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
      runner::SensorSetup s;
      s.sensors.push_back(std::make_unique<sensors::FakeSensor>(now));
      s.label = "fake";
      return s;
    };
    services_.jobs = [this](const JobSpec&, Clock& clock, const runner::ScaledClock*) {
      return std::make_unique<SimulatedJob>(clock, work_, &starts_, &proc_);
    };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Imports the German 2023 series; returns its zone.
  std::string import_germany() {
    auto store = intensity::IntensityStore::open(services_.store_path);
    EXPECT_TRUE(store) << store.error().message;
    auto imported = intensity::import_file((greenrun::testing::shared_data() / kGermany2023).string(), {});
    EXPECT_TRUE(imported) << imported.error().message;
    EXPECT_TRUE(store->import(imported->series));
    return imported->series.front().zone();
  }

  std::filesystem::path dir_;
  greenrun::testing::ProcTree proc_;
  FakeClock clock_{*parse_utc("2023-03-01T00:00:00Z")};
  Services services_;
  Duration work_ = 4h;
  std::vector<UtcTime> starts_;
};

TEST_F(EngineRunTest, A24HourPauseResumeScheduleFollowsAForecastThatChangesMidRun) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const std::string zone = import_germany();
  const UtcTime t0 = clock_.utc_now();
  // At 02:00 a new forecast says the only clean hours are 18:00 to 24:00.
  intensity::IntensitySeries changed(zone, intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  for (int h = 0; h < 30; ++h)
    ASSERT_TRUE(changed.append(t0 + std::chrono::hours(h), 1h,
                               CarbonIntensity::grams_per_kwh(h >= 18 && h < 24 ? 10 : 500)));
  std::optional<UtcTime> delivered;
  services_.forecast_source = [&](const intensity::IntensitySeries&) {
    return std::make_unique<ScriptedForecast>(t0 + 2h, changed, &delivered);
  };

  RunRequest req;
  req.command = {"train.py", "--epochs", "3"};
  req.zone = zone;
  req.project = "engine-test";
  req.interval = 60s;
  ExecutionRequest ex;
  ex.mode = scheduling::Mode::kPauseResume;
  ex.expected_duration = work_;
  ex.deadline = t0 + 24h;
  ex.forecast.refresh = 10min;
  req.execution = ex;
  Recorder events;
  auto out = run(req, services_, events);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_FALSE(out->spawn_error);

  ASSERT_TRUE(delivered.has_value()) << "the scripted forecast was never polled";
  EXPECT_TRUE(events.has(EventKind::kPlan, "plan (pause-resume)"));
  EXPECT_TRUE(events.has(EventKind::kSchedule, "replan")) << "no re-plan event after the forecast changed";
  // Every start or resume after the new forecast falls in its clean block.
  size_t after = 0;
  for (const UtcTime s : starts_) {
    if (s < *delivered) continue;
    ++after;
    EXPECT_GE(s, t0 + 18h) << "resumed at " << format_utc(s) << " outside the clean hours";
    EXPECT_LT(s, t0 + 24h);
  }
  EXPECT_GE(after, 1u);

  ASSERT_TRUE(out->schedule);
  EXPECT_TRUE(out->schedule->deadline_met);
  EXPECT_EQ(out->schedule->run_time, work_);
  EXPECT_LE(out->record.ended, t0 + 24h);
  EXPECT_EQ(out->exit_status(), 0);
  ASSERT_TRUE(out->record.schedule);
  EXPECT_GE(out->record.schedule->replans, 1u);

  // Recorded like any run: the files and the store row.
  const std::filesystem::path folder = out->record.out_dir;
  EXPECT_TRUE(std::filesystem::exists(folder / "run.json"));
  EXPECT_TRUE(std::filesystem::exists(folder / "timeline.jsonl"));
  EXPECT_EQ(folder.filename(), out->record.id) << "each run has a folder of its own";
  EXPECT_TRUE(std::filesystem::exists(folder.parent_path() / "emissions.csv"));
  EXPECT_TRUE(std::filesystem::exists(folder.parent_path() / "greenrun_runs.csv"));
  auto runs = runner::RunStore::open(services_.store_path);
  ASSERT_TRUE(runs) << runs.error().message;
  auto got = runs->get(out->record.id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->command, req.command);
  // Priced on the store's real data, not a fallback.
  ASSERT_TRUE(out->record.average);
  EXPECT_GT(out->record.average->job.grams(), 0);
  EXPECT_NE(out->record.average->source.find("electricitymaps"), std::string::npos) << out->record.average->source;
}

TEST_F(EngineRunTest, APlainRunIsMeasuredAndRecordedOnTheFakeClock) {
  work_ = 90s;
  RunRequest req;
  req.command = {"sleep", "90"};
  req.zone = "DE";
  req.interval = 10s;
  Recorder events;
  auto out = run(req, services_, events);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->record.duration, 90s);
  EXPECT_EQ(out->record.intervals, 9u);
  EXPECT_FALSE(out->schedule);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out->record.out_dir) / "run.json"));
}

TEST_F(EngineRunTest, RequestsThatCannotBeValidAreUsageErrorsAndNothingRuns) {
  RunRequest req;
  req.command = {"x"};
  req.zone = "DE";
  req.pue = 0.5;
  Recorder events;
  auto bad_pue = run(req, services_, events);
  ASSERT_FALSE(bad_pue);
  EXPECT_EQ(bad_pue.error().kind, ErrorKind::kUsage);
  EXPECT_NE(bad_pue.error().message.find("--pue"), std::string::npos);

  req.pue = 1.0;
  ExecutionRequest ex;
  ex.mode = scheduling::Mode::kPauseResume;
  ex.expected_duration = 2h;
  req.execution = ex;  // neither a deadline nor a delay
  auto no_window = run(req, services_, events);
  ASSERT_FALSE(no_window);
  EXPECT_EQ(no_window.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(starts_.empty());
}

TEST(EngineDelay, OneRuleForDurationsAndShares) {
  Delay d;
  d.percent = 50;
  EXPECT_EQ(d.of(4h), 2h);
  Delay a;
  a.absolute = 90min;
  EXPECT_EQ(a.of(4h), 90min);
}

}  // namespace
}  // namespace greenrun::engine
