// Watchdog with real processes: a forked child stands in for greenrun (it owns
// the JobController and so the watchdog), takes the job to some state, and is
// then SIGKILLed. The job must be resumed or run again by the watchdog and
// end with the right total — or, after a deliberate interrupt, not run again.
// Every wait polls with a bound; each test takes one to two seconds.
#include "runner/watchdog.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "runner/child_process.h"
#include "runner/job_controller.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// False once `pid` is gone or a zombie (its reaper may be slow, or absent in
// a container).
bool running(pid_t pid) {
  const std::string stat = greenrun::testing::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  return stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

// Polls `done` every 20 ms for at most `limit`.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// In the stand-in greenrun: waits (at most 15 s) until the job's log has
// `n` "start pid=" lines — by then the job handles the checkpoint signal; a
// job signalled earlier would die of it — and then `extra` more.
void wait_for_start(JobController& c, SystemClock& clock, const fs::path& log, size_t n,
                    std::chrono::milliseconds extra) {
  for (int i = 0; i < 750 && count(greenrun::testing::read_file(log), "start pid=") < n; ++i) (void)c.wait_until(clock.steady_now() + 20ms);
  (void)c.wait_until(clock.steady_now() + extra);
}

class WatchdogTest : public ::testing::Test {
 protected:
  ~WatchdogTest() override {
    // Jobs a failed test may have left behind (stopped, or still running).
    const std::string l = log();
    for (auto at = l.find("start pid="); at != std::string::npos; at = l.find("start pid=", at + 1)) {
      const pid_t job = std::stoi(l.substr(at + 10));
      if (running(job)) ::kill(job, SIGKILL);
    }
    if (greenrun_ > 0) {
      ::kill(greenrun_, SIGKILL);
      int st;
      ::waitpid(greenrun_, &st, 0);
    }
    if (from_greenrun_ >= 0) ::close(from_greenrun_);
    fs::remove_all(dir_);
  }

  // examples/checkpointing_job.py: counts `units` units of work, saves its
  // count on SIGUSR1 and exits 0, continues from it when run again.
  std::vector<std::string> python_job(int units) const {
    return {"python3", (greenrun::testing::source_dir() / "examples" / "checkpointing_job.py").string(),
            "--units", std::to_string(units), "--unit-seconds", "0.02",
            "--checkpoint", (dir_ / "ck.json").string(), "--log", (dir_ / "log.txt").string()};
  }

  // The same contract in sh, with a slow checkpoint (0.3 s between the
  // signal, marked by the file "signalled", and the exit) and, in its log,
  // its session, blocked signals and an environment variable.
  std::vector<std::string> slow_checkpoint_job(int units) const {
    const std::string script = R"(d=$1; n=$2
done=$(cat "$d/ck" 2>/dev/null || echo 0); first=$done
set -- $(cat /proc/$$/stat)
blk=; while read -r k v; do [ "$k" = SigBlk: ] && blk=$v; done < /proc/$$/status
stop=0; trap 'stop=1; : > "$d/signalled"' USR1
echo "start pid=$$ sid=$6 blk=$blk env=$GREENRUN_WATCHDOG_TEST from=$done" >> "$d/log.txt"
while [ "$done" -lt "$n" ]; do
  sleep 0.02; done=$((done + 1))
  if [ $stop = 1 ] && [ "$done" -lt "$n" ]; then
    sleep 0.3; echo $done > "$d/ck.tmp"; mv "$d/ck.tmp" "$d/ck"
    echo "checkpoint pid=$$ ran=$((done - first)) at=$done" >> "$d/log.txt"; exit 0
  fi
done
echo $done > "$d/ck"; echo "finished pid=$$ ran=$((done - first)) total=$done" >> "$d/log.txt"
)";
    return {"sh", "-c", script, "job", dir_.string(), std::to_string(units)};
  }

  // Forks the stand-in greenrun: stdout and stderr go to files in dir_ (the
  // watchdog and the job inherit them); `body` gets a function that reports
  // a value to the test, and must not return. Returns its first report.
  template <class Body>
  int32_t start_greenrun(Body body) {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    greenrun_ = ::fork();
    if (greenrun_ == 0) {
      ::close(p[0]);
      const int out = ::open((dir_ / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int err = ::open((dir_ / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      const int to_test = p[1];
      body([to_test](int32_t v) { [[maybe_unused]] auto n = ::write(to_test, &v, sizeof v); });
      ::_exit(99);
    }
    ::close(p[1]);
    from_greenrun_ = p[0];
    return report();
  }

  // The next value the stand-in greenrun reports (-1 after 15 s or its end).
  int32_t report() {
    struct pollfd p {from_greenrun_, POLLIN, 0};
    int32_t v = -1;
    if (::poll(&p, 1, 15'000) == 1 && ::read(from_greenrun_, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) return v;
    ADD_FAILURE() << "the stand-in greenrun did not report\n" << stderr_text();
    return -1;
  }

  void kill_greenrun() {
    ASSERT_GT(greenrun_, 0);
    ::kill(greenrun_, SIGKILL);
    int st = 0;
    ASSERT_EQ(::waitpid(greenrun_, &st, 0), greenrun_);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << st;
    greenrun_ = 0;
  }

  // SIGKILL to the stand-in greenrun's whole process group, as `kill -9
  // -PGID`, a shell's `kill -9 %1` or `timeout -s KILL` do (the stand-in
  // leads its group: see in_own_group()).
  void kill_greenrun_group() {
    ASSERT_GT(greenrun_, 0);
    ASSERT_EQ(::kill(-greenrun_, SIGKILL), 0);
    int st = 0;
    ASSERT_EQ(::waitpid(greenrun_, &st, 0), greenrun_);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << st;
    greenrun_ = 0;
  }
  // In the stand-in greenrun: lead a process group of its own, as a shell
  // makes greenrun do.
  static void in_own_group() { ::setpgid(0, 0); }

  std::string log() const { return greenrun::testing::read_file(dir_ / "log.txt"); }
  std::string stderr_text() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  std::string stdout_text() const { return greenrun::testing::read_file(dir_ / "stdout.txt"); }
  bool log_has(const std::string& s) const { return log().find(s) != std::string::npos; }

  fs::path dir_ = greenrun::testing::make_temp_dir("greenrun-watchdog");
  pid_t greenrun_ = 0;
  int from_greenrun_ = -1;
};

TEST_F(WatchdogTest, RerunsACheckpointedJobWhenGreenrunIsKilledAndTheJobEndsWithTheRightTotal) {
  const auto argv = python_job(40);
  const int32_t paused = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
    if (c.start()) tell(0);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
    tell(c.pause().outcome == PauseOutcome::kPaused && !c.has_process() ? 1 : 0);
    for (;;) ::pause();
  });
  ASSERT_EQ(paused, 1) << stderr_text();
  const std::string before = log();
  const auto at = before.find("checkpoint pid=");
  ASSERT_NE(at, std::string::npos) << before;
  const int first = std::stoi(before.substr(before.find("ran=", at) + 4));
  ASSERT_GT(first, 0);
  ASSERT_LT(first, 40);
  EXPECT_EQ(count(before, "start pid="), 1u) << before;

  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=40"); })) << log() << stderr_text();
  const std::string l = log();
  EXPECT_EQ(count(l, "start pid="), 2u) << l;
  EXPECT_NE(l.find("from=" + std::to_string(first)), std::string::npos) << l;
  EXPECT_NE(l.find("ran=" + std::to_string(40 - first) + " total=40"), std::string::npos) << l;
  const std::string err = stderr_text();
  EXPECT_NE(err.find("greenrun died while the job was checkpointed; restarting it"), std::string::npos) << err;
  EXPECT_NE(err.find("energy is not measured"), std::string::npos) << err;
  EXPECT_NE(err.find("checkpointing_job.py --units 40"), std::string::npos) << err;
  EXPECT_EQ(count(err, "greenrun: watchdog:"), 1u) << err;
  // The rerun wrote to greenrun's stdout.
  EXPECT_NE(stdout_text().find("finished 40/40 units"), std::string::npos) << stdout_text();
}

TEST_F(WatchdogTest, RerunIsInItsOwnSessionWithGreenrunsEnvironmentAndNoBlockedSignals) {
  const auto argv = slow_checkpoint_job(30);
  const int32_t paused = start_greenrun([&](auto tell) {
    ::setenv("GREENRUN_WATCHDOG_TEST", "inherited", 1);
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
    if (c.start()) tell(0);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
    tell(c.pause().outcome == PauseOutcome::kPaused ? 1 : 0);
    for (;;) ::pause();
  });
  ASSERT_EQ(paused, 1) << stderr_text() << log();
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=30"); })) << log() << stderr_text();
  const std::string l = log();
  ASSERT_EQ(count(l, "start pid="), 2u) << l;
  const auto second = l.rfind("start pid=");
  const std::string pid = l.substr(second + 10, l.find(' ', second + 10) - second - 10);
  EXPECT_NE(l.find("start pid=" + pid + " sid=" + pid + " blk=0000000000000000 env=inherited", second),
            std::string::npos)
      << l;
}

// Killed between the checkpoint signal and the job's exit: the watchdog
// waits for the job to end, then runs it again (never two at once).
TEST_F(WatchdogTest, KilledWhileTheJobIsCheckpointingTheWatchdogWaitsForItsExitThenRerunsIt) {
  const auto argv = slow_checkpoint_job(30);
  const int32_t started = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
    tell(c.start() ? 0 : 1);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
    (void)c.pause();  // killed in here
    for (;;) ::pause();
  });
  ASSERT_EQ(started, 1) << stderr_text();
  ASSERT_TRUE(eventually([&] { return fs::exists(dir_ / "signalled"); })) << log() << stderr_text();
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=30"); })) << log() << stderr_text();
  const std::string l = log();
  ASSERT_EQ(count(l, "start pid="), 2u) << l;
  // The rerun started after the checkpoint was written, from its count.
  const auto ck = l.find("checkpoint pid=");
  ASSERT_NE(ck, std::string::npos) << l;
  EXPECT_LT(ck, l.rfind("start pid=")) << l;
  const int at = std::stoi(l.substr(l.find("at=", ck) + 3));
  EXPECT_NE(l.find("from=" + std::to_string(at)), std::string::npos) << l;
  EXPECT_NE(l.find("ran=" + std::to_string(30 - at) + " total=30"), std::string::npos) << l;
  EXPECT_NE(stderr_text().find("while the job was checkpointing"), std::string::npos) << stderr_text();
}

TEST_F(WatchdogTest, StartsAJobStillWaitingForItsScheduledStartWhenGreenrunIsKilled) {
  const auto argv = python_job(20);
  const int32_t waiting = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kStop});
    tell(c.watchdog_pid());
    for (;;) ::pause();
  });
  ASSERT_GT(waiting, 0) << stderr_text();
  EXPECT_FALSE(fs::exists(dir_ / "log.txt"));
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=20"); })) << log() << stderr_text();
  // The watchdog process became the job.
  EXPECT_NE(log().find("start pid=" + std::to_string(waiting) + " from=0"), std::string::npos) << log();
  EXPECT_NE(log().find("ran=20 total=20"), std::string::npos) << log();
  EXPECT_NE(stderr_text().find("before the job's scheduled start; starting it now"), std::string::npos)
      << stderr_text();
}

TEST_F(WatchdogTest, ARunningCheckpointModeJobIsNotRunTwiceWhenGreenrunIsKilled) {
  const auto argv = python_job(30);
  const int32_t job = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
    if (c.start()) tell(0);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
    tell(c.pid());
    for (;;) ::pause();
  });
  ASSERT_GT(job, 0);
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return !running(job); })) << log();
  EXPECT_EQ(count(log(), "start pid="), 1u) << log();
  EXPECT_NE(log().find("ran=30 total=30"), std::string::npos) << log();
}

// SIGINT ends the run on purpose: even if greenrun is then killed before it
// has closed the watchdog's socket, the checkpointed job is not run again.
TEST_F(WatchdogTest, AnInterruptWhileCheckpointedIsNotUndoneByAKillOfGreenrun) {
  const auto argv = python_job(40);
  const int32_t paused = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
    if (c.start()) tell(0);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
    tell(c.pause().outcome == PauseOutcome::kPaused ? c.watchdog_pid() : 0);
    for (int i = 0; i < 500 && !c.interrupted(); ++i) (void)c.wait_until(clock.steady_now() + 20ms);
    tell(c.interrupted() ? 1 : 0);
    for (;;) ::pause();  // "killed on its way out": no destructor runs
  });
  ASSERT_GT(paused, 0) << stderr_text();
  const pid_t watchdog = paused;
  ::kill(greenrun_, SIGINT);
  ASSERT_EQ(report(), 1);
  kill_greenrun();
  // Had the watchdog run the job, it would be that job until its end.
  ASSERT_TRUE(eventually([&] { return !running(watchdog); })) << log();
  EXPECT_EQ(count(log(), "start pid="), 1u) << log();
  EXPECT_EQ(log().find("total="), std::string::npos) << log();
  EXPECT_EQ(stderr_text().find("watchdog"), std::string::npos) << stderr_text();
}

TEST_F(WatchdogTest, AnInterruptBeforeTheStartIsNotUndoneByAKillOfGreenrun) {
  const auto argv = python_job(20);
  const int32_t waiting = start_greenrun([&](auto tell) {
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kStop});
    tell(c.watchdog_pid());
    for (int i = 0; i < 500 && !c.interrupted(); ++i) (void)c.wait_until(clock.steady_now() + 20ms);
    tell(c.interrupted() ? 1 : 0);
    for (;;) ::pause();
  });
  ASSERT_GT(waiting, 0);
  ::kill(greenrun_, SIGINT);
  ASSERT_EQ(report(), 1);
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return !running(waiting); }));
  EXPECT_FALSE(fs::exists(dir_ / "log.txt")) << log();
}

// The clean path: the controller's destructor says "none" before greenrun
// exits; the watchdog then ends without touching the job.
TEST_F(WatchdogTest, AControllerDestroyedWhileCheckpointedLeavesTheJobCheckpointed) {
  const auto argv = python_job(40);
  const int32_t watchdog = start_greenrun([&](auto tell) {
    pid_t w = 0;
    {
      SystemClock clock;
      JobController c(clock, nullptr, {argv, PauseMode::kCheckpoint, SIGUSR1, 5s});
      if (c.start()) tell(0);
      wait_for_start(c, clock, dir_ / "log.txt", 1, 150ms);
      if (c.pause().outcome != PauseOutcome::kPaused) tell(0);
      w = c.watchdog_pid();
    }
    tell(w);
    ::_exit(0);
  });
  ASSERT_GT(watchdog, 0);
  int st = 0;
  ASSERT_EQ(::waitpid(greenrun_, &st, 0), greenrun_);
  greenrun_ = 0;
  EXPECT_FALSE(running(watchdog));  // reaped by the destructor
  EXPECT_EQ(count(log(), "start pid="), 1u) << log();
  EXPECT_EQ(stderr_text().find("watchdog"), std::string::npos) << stderr_text();
}

// Issue 10, item 1: a kill of greenrun's whole process group must not take
// the watchdog with it, or a stopped job stays stopped for ever.
TEST_F(WatchdogTest, AKillOfGreenrunsWholeProcessGroupStillResumesTheStoppedJob) {
  const auto argv = python_job(30);
  const int32_t job = start_greenrun([&](auto tell) {
    in_own_group();
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kStop});
    if (c.start()) tell(0);
    wait_for_start(c, clock, dir_ / "log.txt", 1, 100ms);
    tell(c.pause().outcome == PauseOutcome::kPaused ? c.pid() : 0);
    for (;;) ::pause();
  });
  ASSERT_GT(job, 0) << stderr_text();
  kill_greenrun_group();
  ASSERT_TRUE(eventually([&] { return log_has("total=30"); }))
      << "the job was left stopped\n" << log() << stderr_text();
  EXPECT_EQ(count(log(), "start pid="), 1u) << log();
  EXPECT_NE(log().find("ran=30 total=30"), std::string::npos) << log();
  EXPECT_NE(stderr_text().find("sent SIGCONT to the job's process group"), std::string::npos) << stderr_text();
}

TEST_F(WatchdogTest, AKillOfGreenrunsWholeProcessGroupWhileWaitingStillStartsTheJob) {
  const auto argv = python_job(20);
  const int32_t watchdog = start_greenrun([&](auto tell) {
    in_own_group();
    SystemClock clock;
    JobController c(clock, nullptr, {argv, PauseMode::kStop});
    tell(c.watchdog_pid());
    for (;;) ::pause();
  });
  ASSERT_GT(watchdog, 0) << stderr_text();
  // The watchdog has left greenrun's group and session.
  EXPECT_NE(::getpgid(watchdog), greenrun_);
  EXPECT_EQ(::getsid(watchdog), watchdog);
  kill_greenrun_group();
  ASSERT_TRUE(eventually([&] { return log_has("total=20"); }))
      << "the job was never started\n" << log() << stderr_text();
  EXPECT_NE(log().find("ran=20 total=20"), std::string::npos) << log();
}

// Issue 10, item 2: greenrun said "starting", forked the job, and died
// before it could say "running". The job, which told the watchdog itself,
// must run once — not a second time from the watchdog.
TEST_F(WatchdogTest, AJobSpawnedJustBeforeGreenrunDiesIsNotStartedAgain) {
  const auto argv = python_job(20);
  const int32_t watchdog = start_greenrun([&](auto tell) {
    auto w = Watchdog::start(argv, WatchState::kNotStarted);
    if (!w || !w->set(WatchState::kStarting)) tell(0);
    tell(w->pid());
    // JobController::spawn's steps, stopped short of its "running".
    auto c = ChildProcess::spawn(argv, SpawnOptions{.own_session = true, .watchdog_fd = w->fd()});
    tell(c ? c->pid() : 0);
    for (;;) ::pause();
  });
  ASSERT_GT(watchdog, 0) << stderr_text();
  const int32_t job = report();
  ASSERT_GT(job, 0) << stderr_text();
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=20"); })) << log() << stderr_text();
  // Had the watchdog started the job too, it would be that second run (it
  // execs the command itself) until its end, logged.
  ASSERT_TRUE(eventually([&] { return !running(watchdog) && !running(job); })) << log();
  EXPECT_EQ(count(log(), "start pid="), 1u) << log() << stderr_text();
  EXPECT_NE(log().find("start pid=" + std::to_string(job) + " "), std::string::npos) << log();
  EXPECT_EQ(stderr_text().find("starting it now"), std::string::npos) << stderr_text();
}

// Died after saying "starting" but before the fork: the job does not exist,
// and the watchdog starts it.
TEST_F(WatchdogTest, GreenrunDyingWhileStartingBeforeTheForkLeavesTheWatchdogToStartTheJob) {
  const auto argv = python_job(20);
  const int32_t watchdog = start_greenrun([&](auto tell) {
    auto w = Watchdog::start(argv, WatchState::kNotStarted);
    tell(w && w->set(WatchState::kStarting) ? w->pid() : 0);
    for (;;) ::pause();
  });
  ASSERT_GT(watchdog, 0) << stderr_text();
  kill_greenrun();
  ASSERT_TRUE(eventually([&] { return log_has("total=20"); })) << log() << stderr_text();
  EXPECT_EQ(count(log(), "start pid="), 1u) << log();
  EXPECT_NE(log().find("start pid=" + std::to_string(watchdog) + " "), std::string::npos) << log();
  EXPECT_NE(stderr_text().find("greenrun died while starting the job, before the job was running; starting it now"),
            std::string::npos)
      << stderr_text();
}

TEST(Watchdog, RefusesStatesItCannotActOn) {
  auto w = Watchdog::start();
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->set(WatchState::kRunning, 0));
  EXPECT_FALSE(w->set(WatchState::kCheckpointed));  // no command given
  EXPECT_FALSE(w->set(WatchState::kNotStarted));
  EXPECT_FALSE(w->set(WatchState::kStarting));
  EXPECT_TRUE(w->set(WatchState::kNone));
  EXPECT_FALSE(Watchdog::start({}, WatchState::kNotStarted));  // nothing to start
  EXPECT_FALSE(Watchdog::start({"true"}, WatchState::kRunning));
  EXPECT_TRUE(w->protect(::getpid()));  // never signalled: we end cleanly
}

TEST(Watchdog, QuotesTheCommandForItsMessage) {
  EXPECT_EQ(shell_quote({"python3", "train.py", "--lr=0.1"}), "python3 train.py --lr=0.1");
  EXPECT_EQ(shell_quote({"sh", "-c", "echo 'hi' $X", ""}), "sh -c 'echo '\\''hi'\\'' $X' ''");
}

}  // namespace
}  // namespace greenrun::runner
