// JobController and Watchdog with real processes: examples/checkpointing_job.py
// counts units of work; it is paused and resumed in both modes and must end
// with the right total. Each test takes about a second (waits poll, with
// bounds, so that a loaded machine only makes them slower).
#include "runner/job_controller.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using greenrun::testing::proc_state;

struct JobFiles {
  fs::path dir = greenrun::testing::make_temp_dir("greenrun-jobctl");
  ~JobFiles() { fs::remove_all(dir); }
  std::vector<std::string> argv(int units, const char* unit_seconds = "0.02") const {
    return {"python3", (greenrun::testing::source_dir() / "examples" / "checkpointing_job.py").string(),
            "--units", std::to_string(units), "--unit-seconds", unit_seconds,
            "--checkpoint", (dir / "ck.json").string(), "--log", (dir / "log.txt").string()};
  }
  std::string log() const { return greenrun::testing::read_file(dir / "log.txt"); }
};

ExitStatus wait_exit(JobController& c, SystemClock& clock) {
  for (int i = 0; i < 200; ++i)
    if (auto s = c.wait_until(clock.steady_now() + 100ms)) return *s;
  ADD_FAILURE() << "the job did not exit";
  return {};
}

TEST(JobController, StopModeStopsTheWholeGroupAndTheJobEndsWithTheRightTotal) {
  JobFiles f;
  SystemClock clock;
  JobController c(clock, nullptr, {f.argv(40), PauseMode::kStop});
  ASSERT_FALSE(c.start());
  EXPECT_FALSE(c.wait_until(clock.steady_now() + 300ms));
  const pid_t pid = c.pid();
  EXPECT_EQ(c.process_group(), pid);
  EXPECT_EQ(c.pause().outcome, PauseOutcome::kPaused);
  EXPECT_TRUE(greenrun::testing::eventually([&] { return proc_state(pid) == 'T'; }, 250));
  EXPECT_FALSE(c.wait_until(clock.steady_now() + 300ms));  // no progress while stopped
  EXPECT_EQ(proc_state(pid), 'T');
  ASSERT_FALSE(c.resume());
  const ExitStatus st = wait_exit(c, clock);
  EXPECT_EQ(st.shell_status(), 0);
  EXPECT_NE(f.log().find("finished pid=" + std::to_string(pid) + " ran=40 total=40"), std::string::npos) << f.log();
  EXPECT_EQ(c.incarnations(), 1);
}

TEST(JobController, CheckpointModeRestartsTheCommandWhichContinuesFromItsCheckpoint) {
  JobFiles f;
  SystemClock clock;
  JobController c(clock, nullptr, {f.argv(40), PauseMode::kCheckpoint, SIGUSR1, 5s});
  ASSERT_FALSE(c.start());
  // Signalled before it has installed its handler (logged before "start"),
  // the job would die of the signal: wait for the line, then for some units.
  for (int i = 0; i < 750 && f.log().find("start pid=") == std::string::npos; ++i)
    EXPECT_FALSE(c.wait_until(clock.steady_now() + 20ms));
  EXPECT_FALSE(c.wait_until(clock.steady_now() + 200ms));
  const PauseResult p = c.pause();
  ASSERT_EQ(p.outcome, PauseOutcome::kPaused) << p.note;
  EXPECT_FALSE(c.has_process());
  EXPECT_EQ(c.measured_root(), ::getpid());
  ASSERT_FALSE(c.resume());
  EXPECT_TRUE(c.has_process());
  EXPECT_EQ(wait_exit(c, clock).shell_status(), 0);
  EXPECT_EQ(c.incarnations(), 2);
  // Two runs whose units add up to the total, none repeated.
  const std::string log = f.log();
  const auto at = log.find("checkpoint pid=");
  ASSERT_NE(at, std::string::npos) << log;
  const int first = std::stoi(log.substr(log.find("ran=", at) + 4));
  EXPECT_GT(first, 0);
  EXPECT_NE(log.find("from=" + std::to_string(first)), std::string::npos) << log;
  EXPECT_NE(log.find("ran=" + std::to_string(40 - first) + " total=40"), std::string::npos) << log;
}

TEST(JobController, AJobIgnoringTheCheckpointSignalIsLeftRunningNotStoppedNorKilled) {
  JobFiles f;
  const fs::path ready = f.dir / "ready";
  SystemClock clock;
  JobController c(clock, nullptr,
                  {{"sh", "-c", "trap '' USR1; : > \"$0\"; sleep 1", ready.string()}, PauseMode::kCheckpoint, SIGUSR1,
                   200ms});
  ASSERT_FALSE(c.start());
  for (int i = 0; i < 750 && !fs::exists(ready); ++i) std::this_thread::sleep_for(20ms);
  const PauseResult p = c.pause();
  EXPECT_EQ(p.outcome, PauseOutcome::kRefused);
  EXPECT_NE(p.note.find("grace period"), std::string::npos) << p.note;
  ASSERT_TRUE(c.has_process());
  EXPECT_NE(proc_state(c.pid()), 'T');
  EXPECT_EQ(wait_exit(c, clock).shell_status(), 0);
}

TEST(JobController, AJobThatDoesNotHandleTheSignalEndsTheRunWithItsStatus) {
  SystemClock clock;
  JobController c(clock, nullptr, {{"sleep", "5"}, PauseMode::kCheckpoint, SIGUSR1, 2s});
  ASSERT_FALSE(c.start());
  // Signal it once it is `sleep` (exec'd), not greenrun's fork.
  ASSERT_TRUE(greenrun::testing::eventually(
      [&] { return greenrun::testing::read_file("/proc/" + std::to_string(c.pid()) + "/comm") == "sleep\n"; }, 250));
  const PauseResult p = c.pause();
  ASSERT_EQ(p.outcome, PauseOutcome::kExited);
  EXPECT_EQ(p.exit->shell_status(), 128 + SIGUSR1);
  EXPECT_NE(p.note.find("does not handle the checkpoint signal"), std::string::npos) << p.note;
}

TEST(JobController, ParsesSignalsAndModes) {
  EXPECT_EQ(*parse_signal("USR1"), SIGUSR1);
  EXPECT_EQ(*parse_signal("SIGUSR2"), SIGUSR2);
  EXPECT_EQ(*parse_signal("15"), SIGTERM);
  EXPECT_FALSE(parse_signal("KILL"));
  EXPECT_FALSE(parse_signal("9"));
  EXPECT_FALSE(parse_signal("bogus"));
  EXPECT_EQ(*parse_pause_mode("checkpoint"), PauseMode::kCheckpoint);
  EXPECT_FALSE(parse_pause_mode("freeze"));
}

// A stand-in greenrun (a forked process) stops its job, then is SIGKILLed:
// the watchdog must SIGCONT the job, which then finishes its work.
TEST(Watchdog, ResumesAStoppedJobWhenGreenrunIsKilled) {
  JobFiles f;
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  const pid_t fake_greenrun = ::fork();
  ASSERT_GE(fake_greenrun, 0);
  if (fake_greenrun == 0) {
    ::close(p[0]);
    SystemClock clock;
    JobController c(clock, nullptr, {f.argv(20), PauseMode::kStop});
    if (c.start()) ::_exit(3);
    (void)c.wait_until(clock.steady_now() + 200ms);
    (void)c.pause();
    const int32_t pid = c.pid();
    [[maybe_unused]] auto n = ::write(p[1], &pid, sizeof pid);
    for (;;) ::pause();
  }
  ::close(p[1]);
  int32_t job = 0;
  ASSERT_EQ(::read(p[0], &job, sizeof job), static_cast<ssize_t>(sizeof job));
  ::close(p[0]);
  EXPECT_TRUE(greenrun::testing::eventually([&] { return proc_state(job) == 'T'; }, 250));
  ::kill(fake_greenrun, SIGKILL);
  int status;
  ::waitpid(fake_greenrun, &status, 0);
  // The job is now an orphan: poll its log for the end.
  for (int i = 0; i < 300 && f.log().find("total=20") == std::string::npos; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(f.log().find("ran=20 total=20"), std::string::npos) << f.log();
}

}  // namespace
}  // namespace greenrun::runner
