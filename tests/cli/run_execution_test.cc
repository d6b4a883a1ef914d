// `greenrun run` with carbon-aware execution, end to end with real processes
// and a time scale of 3600 (an hour of schedule per real second): the real
// processes' pause, checkpoint and kill mechanics. Schedule logic (which
// hours a job runs, its events, the deadline report, the typical-profile
// fallback) is tested on a fake clock in tests/engine/scheduled_run_test.cc.
// The forecasts here make every assertion hold however late a loaded
// machine runs the job (testing/stored_forecast.h): the job always outlasts
// its first clean stretch, which is long enough for it to install its
// checkpoint handler, and the pause a test acts on lasts 20 s of real time;
// every wait is for a condition, with a bound.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "greenrun/base/clock.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/stored_forecast.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class RunExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-exec-e2e");
    out_ = dir_ / "out";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Hourly forecast for zone DE (testing/stored_forecast.h).
  void store_forecast(const std::vector<double>& pattern, int hours = 30) {
    auto stored = greenrun::testing::store_hourly_forecast(dir_ / "greenrun.db", pattern, hours);
    ASSERT_TRUE(stored) << stored.error().message;
  }

  pid_t start(const std::vector<std::string>& args) { return greenrun::testing::start_cli(args, dir_); }
  static int wait_exit(pid_t pid) { return greenrun::testing::wait_exit(pid); }
  int run(const std::vector<std::string>& args) { return wait_exit(start(args)); }
  std::string file(const fs::path& p) const { return greenrun::testing::read_file(p); }
  // Polls every 20 ms, at most `tries` times, until `done()`.
  static bool eventually(const std::function<bool()>& done, int tries) {
    for (int i = 0; i < tries; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }
  // The job's pid once its log names it and /proc shows it stopped (state
  // T); 0 when that does not happen within 20 s. Under the long-pause
  // forecast the job is stopped from about 3 s to 23 s.
  pid_t stopped_job() const {
    pid_t job = 0;
    const bool stopped = eventually(
        [&] {
          job = greenrun::testing::started_pid(log());
          return job != 0 && greenrun::testing::proc_state(job) == 'T';
        },
        1000);
    return stopped ? job : 0;
  }
  void store_long_pause() {
    auto stored = greenrun::testing::store_long_pause_forecast(dir_ / "greenrun.db");
    ASSERT_TRUE(stored) << stored.error().message;
  }
  std::string err() const { return file(dir_ / "stderr.txt"); }
  std::string log() const { return file(dir_ / "log.txt"); }

  // The counting job: `units` units of 50 ms (real), about units x 50 ms x
  // 3600 of schedule time.
  std::vector<std::string> job(int units) const {
    return {"--", "python3", (greenrun::testing::source_dir() / "examples" / "checkpointing_job.py").string(),
            "--units", std::to_string(units), "--unit-seconds", "0.05",
            "--checkpoint", (dir_ / "ck.json").string(), "--log", (dir_ / "log.txt").string()};
  }
  // 72 units: 3.6 h of schedule, more than any first clean stretch below.
  std::vector<std::string> scheduled(const std::string& pause_mode, int units = 72) const {
    std::vector<std::string> a = {"run", "--zone", "DE", "--sensors", "fake", "--interval", "100ms",
                                  "--out", out_.string(), "--time-scale", "3600", "--pause-resume",
                                  "--max-delay", "600%", "--expected-duration", "4h", "--pause-mode",
                                  pause_mode, "--grace", "5s"};
    auto j = job(units);
    a.insert(a.end(), j.begin(), j.end());
    return a;
  }

  fs::path dir_, out_;
};

size_t count(const nlohmann::json& events, const std::string& kind) {
  size_t n = 0;
  for (const auto& e : events) n += e["event"] == kind;
  return n;
}

// The stack end to end: --pause-mode reaches the job controller, the job is
// really stopped (or checkpointed and run again) and ends with its total.
// Hours 1-3 clean, 4 dirty, 5-10 clean: planned in hour slots from now,
// the job (3.6 h) runs two or three hours, pauses at least once and resumes.
TEST_F(RunExecutionTest, PausesAndResumesInBothModesWithTheRightTotal) {
  for (const std::string mode : {"stop", "checkpoint"}) {
    SCOPED_TRACE(mode);
    fs::remove(dir_ / "ck.json");
    fs::remove(dir_ / "log.txt");
    fs::remove(dir_ / "greenrun.db");
    ASSERT_TRUE(greenrun::testing::store_clean_hours(dir_ / "greenrun.db", {1, 2, 3, 5, 6, 7, 8, 9, 10}));
    ASSERT_EQ(run(scheduled(mode)), 0) << err();
    const auto s = nlohmann::json::parse(file(greenrun::testing::latest_run_folder(out_) / "run.json"))["schedule"];
    const std::string paused = mode == "stop" ? "pause" : "checkpoint";
    const std::string resumed = mode == "stop" ? "resume" : "restart";
    EXPECT_GE(count(s["events"], paused), 1u) << s["events"].dump(2);
    EXPECT_GE(count(s["events"], resumed), 1u) << s["events"].dump(2);
    EXPECT_GT(s["time_added_s"].get<double>(), 0);
    EXPECT_NE(log().find("total=72"), std::string::npos) << log();
    if (mode == "checkpoint") {
      EXPECT_NE(log().find("checkpoint pid="), std::string::npos) << log();
    }
  }
}

TEST_F(RunExecutionTest, SigkillOfGreenrunWhileTheJobIsStoppedStillLetsTheJobFinish) {
  store_long_pause();
  const pid_t g = start(scheduled("stop"));
  const pid_t job = stopped_job();
  ASSERT_GT(job, 0) << "the job was never stopped\n" << err();
  ::kill(g, SIGKILL);
  EXPECT_EQ(wait_exit(g), 128 + SIGKILL);
  eventually([&] { return log().find("total=72") != std::string::npos; }, 1000);
  EXPECT_NE(log().find("ran=72 total=72"), std::string::npos) << log() << err();
  EXPECT_NE(err().find("watchdog"), std::string::npos) << err();
}

TEST_F(RunExecutionTest, SigkillOfGreenrunWhileTheJobIsCheckpointedLetsTheWatchdogRerunIt) {
  // The job checkpoints after two or three clean hours and stays
  // checkpointed for some 20 s: greenrun is killed in between.
  store_long_pause();
  const pid_t g = start(scheduled("checkpoint"));
  ASSERT_TRUE(eventually([&] { return log().find("checkpoint pid=") != std::string::npos; }, 1000))
      << "the job never checkpointed\n" << log() << err();
  // Once the checkpointed run has exited (its pid is gone or a zombie), kill
  // greenrun between runs.
  const std::string first = log();
  const pid_t checkpointed = std::stoi(first.substr(first.find("checkpoint pid=") + 15));
  ASSERT_TRUE(eventually(
      [&] {
        const char state = greenrun::testing::proc_state(checkpointed);
        return state == '?' || state == 'Z';
      },
      500))
      << "the checkpointed run did not exit\n" << log();
  ASSERT_EQ(log().find("start pid="), log().rfind("start pid=")) << "not restarted yet\n" << log();
  ::kill(g, SIGKILL);
  EXPECT_EQ(wait_exit(g), 128 + SIGKILL);
  eventually([&] { return log().find("total=72") != std::string::npos; }, 1000);
  const std::string l = log();
  EXPECT_NE(l.find("total=72"), std::string::npos) << l << err();
  EXPECT_EQ(l.find("total=72"), l.rfind("total=")) << "finished once\n" << l;
  EXPECT_NE(err().find("watchdog"), std::string::npos) << err();
}

TEST_F(RunExecutionTest, SigintResumesAStoppedJobAndEndsTheRunCleanly) {
  store_long_pause();
  const pid_t g = start(scheduled("stop"));
  const pid_t job = stopped_job();
  ASSERT_GT(job, 0) << "the job was never stopped\n" << err();
  ::kill(g, SIGINT);
  // The job dies of the forwarded SIGINT (Python's default); greenrun
  // exits with its status after writing the record.
  EXPECT_EQ(wait_exit(g), 128 + SIGINT);
  ASSERT_TRUE(fs::exists(greenrun::testing::latest_run_folder(out_) / "run.json")) << "greenrun itself must not die of SIGINT\n" << err();
  EXPECT_TRUE(eventually([&] { return !fs::exists("/proc/" + std::to_string(job) + "/stat"); }, 250))
      << "the job was left behind";
  const auto s = nlohmann::json::parse(file(greenrun::testing::latest_run_folder(out_) / "run.json"))["schedule"];
  EXPECT_TRUE(s["interrupted"].get<bool>());
  EXPECT_EQ(count(s["events"], "interrupt"), 1u);
}

TEST_F(RunExecutionTest, BadInputIsAClearErrorAndNothingRuns) {
  store_forecast({100});
  EXPECT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--pause-resume", "--deadline", "2001-01-01T00:00:00Z",
                 "--expected-duration", "1h", "--", "touch", (dir_ / "ran").string()}),
            1);
  EXPECT_NE(err().find("cannot meet the deadline"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
  EXPECT_EQ(run({"run", "--zone", "DE", "--pause-resume", "--expected-duration", "1h", "--", "true"}), 2);
  EXPECT_NE(err().find("needs one of --deadline"), std::string::npos) << err();
  EXPECT_EQ(run({"run", "--zone", "DE", "--start-within", "2h", "--", "true"}), 2);
  EXPECT_NE(err().find("--expected-duration"), std::string::npos) << err();
  EXPECT_EQ(run({"run", "--zone", "DE", "--threshold", "p300", "--max-delay", "1h", "--expected-duration", "1h", "--",
                 "true"}),
            2);
  EXPECT_EQ(run({"run", "--zone", "DE", "--pause-resume", "--max-delay", "1h", "--expected-duration", "1h",
                 "--pause-mode", "freeze", "--", "true"}),
            2);
  // A zone greenrun does not know: refused before anything runs.
  EXPECT_EQ(run({"run", "--zone", "NO-SUCH-ZONE", "--sensors", "fake", "--pause-resume", "--max-delay", "1h",
                 "--expected-duration", "1h", "--", "touch", (dir_ / "ran").string()}),
            1);
  EXPECT_NE(err().find("--zone: unknown zone \"NO-SUCH-ZONE\""), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
}

}  // namespace
}  // namespace greenrun::cli
