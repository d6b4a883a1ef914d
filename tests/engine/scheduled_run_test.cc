// Carbon-aware runs through engine::run on a fake clock with a simulated
// job, against a forecast stored for fixed hours: the schedules that the
// CLI's end-to-end tests used to run on a real clock sped up 3,600x (where
// a loaded machine made the job late and changed the events). Every time
// and event here is exact.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "intensity/store.h"
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
using greenrun::testing::SimulatedJob;

class ScheduledRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-scheduled-run");
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
    services_.jobs = [this](const JobSpec& spec, Clock& clock, const runner::ScaledClock*) {
      auto job = std::make_unique<SimulatedJob>(clock, work_, &starts_, &proc_, 1min);
      job->set_pause_mode(spec.pause_mode);
      job->set_dies_of_checkpoint_signal(dies_of_);
      return job;
    };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // An hourly DE forecast from kMidnight - 2 h: hour h has pattern[(h + 2) % size].
  void store_forecast(const std::vector<double>& pattern, int hours = 30) {
    intensity::IntensitySeries f("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
    f.set_provenance({"test-forecast", "scheduled_run_test", ""});
    for (int h = -2; h < hours; ++h)
      ASSERT_TRUE(f.append(kMidnight + std::chrono::hours(h), 1h,
                           CarbonIntensity::grams_per_kwh(pattern[static_cast<size_t>(h + 2) % pattern.size()])));
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE(store->import({f}));
  }

  // Pause and Resume of a 2 h job with up to 200 % of it as delay, pausing
  // by `pause`.
  static ExecutionRequest pause_resume(runner::PauseMode pause = runner::PauseMode::kStop) {
    ExecutionRequest ex;
    ex.mode = scheduling::Mode::kPauseResume;
    ex.expected_duration = 2h;
    ex.max_delay = Delay{std::nullopt, 200.0};
    ex.pause_mode = pause;
    return ex;
  }
  // Flexible Start of a job expected to take `expected`, starting within `within`.
  static ExecutionRequest flexible_start(Duration expected, Duration within) {
    ExecutionRequest ex;
    ex.mode = scheduling::Mode::kFlexibleStart;
    ex.expected_duration = expected;
    ex.start_within = within;
    return ex;
  }
  // engine::run of request(ex) on the fixture's services; its events in events_.
  Result<RunOutcome> run_scheduled(const ExecutionRequest& ex) { return run(request(ex), services_, events_); }

  RunRequest request(ExecutionRequest ex) const {
    RunRequest r;
    r.command = {"python3", "job.py"};
    r.zone = "DE";
    r.sensors = "fake";
    r.interval = 60s;
    r.out_dir = (dir_ / "out").string();
    ex.forecast.provider = "store";
    r.execution = ex;
    return r;
  }
  static std::vector<std::string> kinds(const runner::ScheduleSummary& s) {
    std::vector<std::string> out;
    for (const auto& e : s.events) out.push_back(e.kind);
    return out;
  }

  const UtcTime kMidnight = *parse_utc("2026-11-30T00:00:00Z");
  std::filesystem::path dir_;
  greenrun::testing::ProcTree proc_;
  FakeClock clock_{kMidnight};
  Services services_;
  Duration work_ = 72min;
  int dies_of_ = 0;  // checkpoint mode: the signal the job dies of at a pause (0: it checkpoints)
  std::vector<UtcTime> starts_;
  Recorder events_;
};

// 00:00 clean (100), 01:00 and 02:00 dirty (900), 03:00 and 04:00 clean.
const std::vector<double> kDirtyFromOneToThree = {300, 300, 100, 900, 900, 100, 100, 900};

// Was RunExecutionTest.StopModePausesInTheDirtyHoursAndTheJobEndsWithTheRightTotal.
TEST_F(ScheduledRunTest, StopModePausesThroughTheDirtyHoursAndFinishesInTheNextCleanOne) {
  store_forecast(kDirtyFromOneToThree);
  auto out = run_scheduled(pause_resume());
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->exit_status(), 0);
  ASSERT_EQ(starts_.size(), 2u);
  EXPECT_EQ(format_utc(starts_[0]), "2026-11-30T00:00:00Z");
  EXPECT_EQ(format_utc(starts_[1]), "2026-11-30T03:00:00Z");
  ASSERT_TRUE(out->record.schedule);
  const auto& s = *out->record.schedule;
  EXPECT_EQ(s.mode, "pause-resume");
  EXPECT_EQ(s.pause_mode, "stop");
  EXPECT_TRUE(s.deadline_met);
  EXPECT_FALSE(s.guard_engaged);
  EXPECT_EQ(kinds(s), (std::vector<std::string>{"start", "pause", "resume", "exit"}));
  for (const auto& e : s.events) EXPECT_TRUE(e.intensity) << e.kind;
  EXPECT_EQ(s.run_time, work_);
  EXPECT_EQ(s.paused, 2h);
  EXPECT_EQ(format_utc(out->record.ended), "2026-11-30T03:12:00Z");
  EXPECT_LE(s.emissions.grams(), s.at_once.grams());
  EXPECT_TRUE(events_.has(EventKind::kPlan, "plan (pause-resume)"));
}

// Was the checkpoint half of RunExecutionTest.PausesAndResumesInBothModes
// (the CLI test keeps the real processes' mechanics): the same schedule as
// stop mode, with a checkpoint and a restart instead of a pause and a resume.
TEST_F(ScheduledRunTest, CheckpointModeCheckpointsThroughTheDirtyHoursAndRestarts) {
  store_forecast(kDirtyFromOneToThree);
  auto out = run_scheduled(pause_resume(runner::PauseMode::kCheckpoint));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->exit_status(), 0);
  ASSERT_EQ(starts_.size(), 2u);
  EXPECT_EQ(format_utc(starts_[0]), "2026-11-30T00:00:00Z");
  EXPECT_EQ(format_utc(starts_[1]), "2026-11-30T03:00:00Z");
  ASSERT_TRUE(out->record.schedule);
  const auto& s = *out->record.schedule;
  EXPECT_EQ(s.pause_mode, "checkpoint");
  EXPECT_EQ(kinds(s), (std::vector<std::string>{"start", "checkpoint", "restart", "exit"}));
  EXPECT_TRUE(s.deadline_met);
  EXPECT_EQ(s.run_time, work_);
  EXPECT_EQ(format_utc(out->record.ended), "2026-11-30T03:12:00Z");
}

// Was RunSafetyTest.AJobKilledByItsCheckpointSignalIsReportedAsNotCompleted:
// a job that dies of the checkpoint signal (no handler) ended the run early;
// that is no deadline met, and the run's status is the signal's.
TEST_F(ScheduledRunTest, AJobKilledByItsCheckpointSignalIsReportedAsNotCompleted) {
  store_forecast(kDirtyFromOneToThree);
  dies_of_ = SIGUSR1;
  auto out = run_scheduled(pause_resume(runner::PauseMode::kCheckpoint));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_status(), 128 + SIGUSR1);
  ASSERT_EQ(starts_.size(), 1u) << "never restarted";
  ASSERT_TRUE(out->record.schedule);
  EXPECT_FALSE(out->record.schedule->deadline_met);
  EXPECT_EQ(kinds(*out->record.schedule), (std::vector<std::string>{"start", "exit"}));
  ASSERT_TRUE(out->schedule);
  EXPECT_NE(out->schedule->deadline_summary.find("the job did not complete: the job was killed by SIGUSR1"),
            std::string::npos)
      << out->schedule->deadline_summary;
  EXPECT_EQ(out->schedule->deadline_summary.find("deadline met"), std::string::npos);
}

// Was RunSafetyTest.StartWithinZeroStartsAtOnceAndMeetsItsDeadline.
TEST_F(ScheduledRunTest, StartWithinZeroStartsAtOnceAndMeetsItsDeadline) {
  store_forecast({300});
  work_ = 10min;
  auto out = run_scheduled(flexible_start(10min, 0s));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(starts_.size(), 1u);
  EXPECT_EQ(starts_[0], kMidnight);
  ASSERT_TRUE(out->record.schedule && out->schedule);
  EXPECT_TRUE(out->record.schedule->deadline_met);
  EXPECT_EQ(out->schedule->deadline_summary, "deadline met");
}

// Was RunExecutionTest.WithoutAStoredForecastTheTypicalProfileIsUsedWithAWarning.
TEST_F(ScheduledRunTest, WithoutAStoredForecastTheTypicalProfileIsUsedWithAWarning) {
  work_ = 10min;
  auto out = run_scheduled(flexible_start(10min, 1h));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(events_.has(EventKind::kWarning, "typical profile, not a forecast"));
  ASSERT_TRUE(out->record.schedule);
  EXPECT_EQ(out->record.schedule->mode, "flexible");
  EXPECT_EQ(out->record.schedule->forecast_origin, "typical");
  ASSERT_EQ(starts_.size(), 1u);
  EXPECT_LE(starts_[0], kMidnight + 1h) << "within the window";
}

// Was MinSavingTest.ATinySavingRunsAtOnceAndSaysWhy.
TEST_F(ScheduledRunTest, ATinySavingRunsAtOnceAndSaysWhy) {
  // Waiting for 02:00 would save at most 0.7 %.
  store_forecast({300, 300, 300, 298});
  work_ = 1h;
  auto ex = flexible_start(1h, 6h);
  ex.min_saving_percent = 1.0;
  auto out = run_scheduled(ex);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(events_.has(EventKind::kWarning, "below --min-saving 1 %: running at once"));
  ASSERT_EQ(starts_.size(), 1u);
  EXPECT_EQ(starts_[0], kMidnight) << "started at once";
  ASSERT_TRUE(out->record.schedule);
  EXPECT_EQ(out->record.schedule->waited, 0s);
  // The record says which plan was set aside.
  ASSERT_TRUE(out->record.schedule->planned);
  EXPECT_EQ(out->record.schedule->planned->min_saving_percent, 1.0);
}

// Was MinSavingTest.AWorthwhileSavingStillWaits.
TEST_F(ScheduledRunTest, AWorthwhileSavingStillWaitsForTheCleanHours) {
  // Dirty until 02:00, clean from 02:00 to 05:00: waiting saves far more than 1 %.
  store_forecast({900, 900, 900, 900, 100, 100, 100});
  work_ = 1h;
  auto ex = flexible_start(1h, 6h);
  ex.min_saving_percent = 1.0;
  auto out = run_scheduled(ex);
  ASSERT_TRUE(out) << out.error().message;
  for (const auto& e : events_.events) EXPECT_EQ(e.text.find("--min-saving"), std::string::npos) << e.text;
  ASSERT_EQ(starts_.size(), 1u);
  EXPECT_EQ(format_utc(starts_[0]), "2026-11-30T02:00:00Z");
  ASSERT_TRUE(out->record.schedule);
  EXPECT_EQ(out->record.schedule->waited, 2h);
  EXPECT_EQ(kinds(*out->record.schedule).back(), "exit");
}

}  // namespace
}  // namespace greenrun::engine
