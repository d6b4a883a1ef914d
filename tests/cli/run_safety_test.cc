// `greenrun run` with carbon-aware execution under the abuse a real run gets:
// its whole process group killed, its stderr closed, signals while it waits
// (issue 10, items 1-3 and 16). End to end with the built binary, real
// processes and a time scale; every wait polls for a condition with a
// bound, and the forecasts make each state a test acts on last long enough
// whatever the load (testing/stored_forecast.h). The schedule and deadline
// logic these tests once checked here (a zero window; a job killed by its
// checkpoint signal) is tested on a fake clock in
// tests/engine/scheduled_run_test.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenrun/base/clock.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/stored_forecast.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool running(pid_t pid) {
  const char state = greenrun::testing::proc_state(pid);
  return state != '?' && state != 'Z' && state != 'X';
}

class RunSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-run-safety");
    out_ = dir_ / "out";
  }
  void TearDown() override {
    // A job a failed test left behind (stopped for ever, say) is killed.
    const std::string l = log();
    for (auto at = l.find("start pid="); at != std::string::npos; at = l.find("start pid=", at + 1)) {
      const pid_t job = std::stoi(l.substr(at + 10));
      if (running(job)) ::kill(job, SIGKILL);
    }
    fs::remove_all(dir_);
  }

  // Hourly forecast for zone DE (testing/stored_forecast.h).
  void store_forecast(const std::vector<double>& pattern, int hours = 30) {
    auto stored = greenrun::testing::store_hourly_forecast(dir_ / "greenrun.db", pattern, hours);
    ASSERT_TRUE(stored) << stored.error().message;
  }

  pid_t start(const std::vector<std::string>& args, int stderr_fd = -1) {
    return greenrun::testing::start_cli(args, dir_, {}, stderr_fd);
  }
  static int wait_exit(pid_t pid) { return greenrun::testing::wait_exit(pid); }
  std::string file(const fs::path& p) const { return greenrun::testing::read_file(p); }
  std::string err() const { return file(dir_ / "stderr.txt"); }
  std::string log() const { return file(dir_ / "log.txt"); }
  bool log_has(const std::string& s) const { return log().find(s) != std::string::npos; }
  nlohmann::json record() const { return nlohmann::json::parse(file(greenrun::testing::latest_run_folder(out_) / "run.json")); }

  // Polls every 20 ms for at most `limit`.
  static bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // The job's pid once its log names it and /proc shows it stopped (state
  // T); 0 when that does not happen within 20 s (under the long-pause
  // forecast it is stopped from about 3 s to 23 s).
  pid_t stopped_job() const {
    pid_t job = 0;
    const bool stopped = eventually(
        [&] {
          job = greenrun::testing::started_pid(log());
          return job != 0 && greenrun::testing::proc_state(job) == 'T';
        },
        20s);
    return stopped ? job : 0;
  }

  // examples/checkpointing_job.py: `units` units of 50 ms (real); 72 units
  // are 3.6 h of schedule at 3600x.
  std::vector<std::string> job(int units) const {
    return {"--",
            "python3",
            (greenrun::testing::source_dir() / "examples" / "checkpointing_job.py").string(),
            "--units",
            std::to_string(units),
            "--unit-seconds",
            "0.05",
            "--checkpoint",
            (dir_ / "ck.json").string(),
            "--log",
            (dir_ / "log.txt").string()};
  }
  std::vector<std::string> with_job(std::vector<std::string> a, const std::vector<std::string>& command) const {
    a.insert(a.end(), command.begin(), command.end());
    return a;
  }
  // Pause and Resume at an hour of schedule per real second.
  std::vector<std::string> pause_resume(const std::string& pause_mode, const std::vector<std::string>& command) const {
    return with_job({"run",        "--zone",         "DE",          "--sensors",   "fake",
                     "--interval", "100ms",          "--out",       out_.string(), "--time-scale",
                     "3600",       "--pause-resume", "--max-delay", "600%",        "--expected-duration",
                     "4h",         "--pause-mode",   pause_mode,    "--grace",     "5s"},
                    command);
  }
  // Flexible Start that waits at least an hour of schedule (the current and
  // the next hour are dirty), at a time scale of 10: six real minutes and
  // more, ample time to act while it waits.
  std::vector<std::string> waiting_flexible_start(const std::vector<std::string>& command) {
    store_forecast({100, 100, 900, 900, 100, 100, 100, 100});
    return with_job({"run", "--zone", "DE", "--sensors", "fake", "--out", out_.string(), "--time-scale", "10",
                     "--start-within", "5h", "--expected-duration", "10m"},
                    command);
  }
  bool waiting() const { return err().find(" UTC wait: ") != std::string::npos; }

  fs::path dir_, out_;
};

// Item 1: `kill -9 -PGID` (or a shell's `kill -9 %1`, or `timeout -s KILL`)
// kills greenrun's whole process group. The watchdog is not in it, so the
// stopped job is resumed and runs to its end.
TEST_F(RunSafetyTest, AKillOfGreenrunsWholeProcessGroupLeavesNoJobStopped) {
  ASSERT_TRUE(greenrun::testing::store_long_pause_forecast(dir_ / "greenrun.db"));
  const pid_t g = start(pause_resume("stop", job(72)));
  const pid_t stopped = stopped_job();
  ASSERT_GT(stopped, 0) << "the job was never stopped\n" << err();
  ASSERT_EQ(::kill(-g, SIGKILL), 0);
  EXPECT_EQ(wait_exit(g), 128 + SIGKILL);
  EXPECT_TRUE(eventually([&] { return log_has("total=72"); }, 20s)) << "the job was left stopped\n" << log() << err();
  EXPECT_NE(log().find("ran=72 total=72"), std::string::npos) << log();
  EXPECT_NE(err().find("greenrun: watchdog: greenrun ended before the job; sent SIGCONT"), std::string::npos) << err();
}

TEST_F(RunSafetyTest, AKillOfGreenrunsWholeProcessGroupWhileWaitingStartsTheJob) {
  const pid_t g = start(waiting_flexible_start(job(4)));
  ASSERT_TRUE(eventually([&] { return waiting(); })) << err();
  ASSERT_EQ(::kill(-g, SIGKILL), 0);
  EXPECT_EQ(wait_exit(g), 128 + SIGKILL);
  EXPECT_TRUE(eventually([&] { return log_has("total=4"); })) << "the job was never started\n" << log() << err();
  EXPECT_EQ(log().find("start pid="), log().rfind("start pid=")) << "started once\n" << log();
  EXPECT_NE(err().find("before the job's scheduled start; starting it now"), std::string::npos) << err();
}

// Item 3: `greenrun run ... 2>&1 | head -n 2`: the reader of stderr goes
// away after two lines. greenrun must not die of SIGPIPE: the schedule runs
// on, the job ends with the right total and the record is written.
TEST_F(RunSafetyTest, AClosedStderrDoesNotKillTheRun) {
  // A short pause (hour 4): the run pauses, resumes and ends in seconds.
  ASSERT_TRUE(greenrun::testing::store_clean_hours(dir_ / "greenrun.db", {1, 2, 3, 5, 6, 7, 8, 9, 10}));
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  const pid_t g = start(pause_resume("stop", job(72)), p[1]);
  ::close(p[1]);
  std::string head;
  int lines = 0;
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (lines < 2 && std::chrono::steady_clock::now() < end) {
    struct pollfd f {
      p[0], POLLIN, 0
    };
    if (::poll(&f, 1, 100) <= 0) continue;
    char c;
    if (::read(p[0], &c, 1) != 1) break;
    head += c;
    lines += c == '\n';
  }
  ::close(p[0]);  // as head does after its lines
  ASSERT_EQ(lines, 2) << head;
  EXPECT_EQ(wait_exit(g), 0) << "greenrun died (141: SIGPIPE)\n" << head;
  EXPECT_NE(log().find("ran=72 total=72"), std::string::npos) << log();
  ASSERT_TRUE(fs::exists(greenrun::testing::latest_run_folder(out_) / "run.json")) << "no record written";
  const auto r = record();
  EXPECT_EQ(r["exit_status"], 0);
  EXPECT_EQ(r["schedule"]["mode"], "pause-resume");
}

// Item 16: SIGTERM or SIGHUP while waiting is recorded as 128 + that
// signal, not as SIGINT's 130; the job is not started, by greenrun or by
// its watchdog.
TEST_F(RunSafetyTest, SigtermOrSighupWhileWaitingIsRecordedAsThatSignal) {
  for (const int sig : {SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sig);
    fs::remove(dir_ / "greenrun.db");
    fs::remove(dir_ / "stderr.txt");  // or waiting() could see the last run's
    fs::remove_all(out_);
    const pid_t g = start(waiting_flexible_start({"--", "touch", (dir_ / "ran").string()}));
    ASSERT_TRUE(eventually([&] { return waiting(); })) << err();
    ASSERT_EQ(::kill(g, sig), 0);
    EXPECT_EQ(wait_exit(g), 128 + sig) << err();
    ASSERT_TRUE(fs::exists(greenrun::testing::latest_run_folder(out_) / "run.json")) << err();
    const auto r = record();
    EXPECT_EQ(r["exit_status"], 128 + sig);
    EXPECT_TRUE(r["schedule"]["interrupted"].get<bool>());
    EXPECT_FALSE(fs::exists(dir_ / "ran"));
  }
}

}  // namespace
}  // namespace greenrun::cli
