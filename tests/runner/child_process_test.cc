#include "runner/child_process.h"

#include <gtest/gtest.h>

#include <csignal>

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;

ExitStatus run_to_end(const std::vector<std::string>& argv, SpawnOptions options = {}) {
  auto c = ChildProcess::spawn(argv, options);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  for (;;)
    if (auto s = c->wait_until(std::chrono::steady_clock::now() + 5s)) return *s;
}

TEST(ChildProcess, ReportsTheExitCode) {
  EXPECT_EQ(run_to_end({"true"}).shell_status(), 0);
  EXPECT_EQ(run_to_end({"sh", "-c", "exit 7"}).shell_status(), 7);
}

TEST(ChildProcess, KilledBySignalIs128PlusSignal) {
  const auto s = run_to_end({"sh", "-c", "kill -TERM $$"});
  EXPECT_TRUE(s.signalled);
  EXPECT_EQ(s.shell_status(), 128 + SIGTERM);
}

// greenrun ignores SIGPIPE (a closed stderr must not kill a run); the job
// must still die of a write to a closed pipe, as it would without greenrun.
TEST(ChildProcess, TheJobGetsTheDefaultSigpipeWhileGreenrunIgnoresIt) {
  struct sigaction ignore {};
  struct sigaction old {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &old), 0);
  // A shell keeps a signal ignored on entry ignored: it would exit 3.
  const auto plain = run_to_end({"sh", "-c", "kill -PIPE $$; exit 3"});
  const auto own = run_to_end({"sh", "-c", "kill -PIPE $$; exit 3"}, SpawnOptions{.own_session = true});
  ::sigaction(SIGPIPE, &old, nullptr);
  EXPECT_EQ(plain.shell_status(), 128 + SIGPIPE);
  EXPECT_EQ(own.shell_status(), 128 + SIGPIPE);
}

TEST(ChildProcess, MissingCommandIs127LikeShells) {
  auto c = ChildProcess::spawn({"greenrun-no-such-command-xyz"});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().exit_status, 127);
  EXPECT_EQ(c.error().message, "greenrun-no-such-command-xyz: command not found");
  auto d = ChildProcess::spawn({"/"});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().exit_status, 126);
}

TEST(ChildProcess, WaitReturnsAtTheDeadlineWhileTheChildRuns) {
  auto c = ChildProcess::spawn({"sleep", "0.3"});
  ASSERT_TRUE(c);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(c->wait_until(t0 + 50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 50ms);
  std::optional<ExitStatus> s;
  while (!(s = c->wait_until(std::chrono::steady_clock::now() + 5s))) {
  }
  EXPECT_EQ(s->shell_status(), 0);
  // Woken by SIGCHLD, not by the 5 s deadline.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(ChildProcess, ForwardsSigtermSentToUs) {
  auto c = ChildProcess::spawn({"sleep", "10"});
  ASSERT_TRUE(c);
  ASSERT_FALSE(c->wait_until(std::chrono::steady_clock::now() + 50ms));
  ::kill(::getpid(), SIGTERM);  // as a batch system would; we survive, the child does not
  std::optional<ExitStatus> s;
  while (!(s = c->wait_until(std::chrono::steady_clock::now() + 5s))) {
  }
  EXPECT_EQ(s->shell_status(), 128 + SIGTERM);
  EXPECT_EQ(c->forwarded_signals(), 1);
}

TEST(ChildProcess, CpuTicksCoverTheChildsWork) {
  const auto s = run_to_end({"sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"});
  EXPECT_GT(s.cpu_ticks(), 0u);
}

}  // namespace
}  // namespace greenrun::runner
