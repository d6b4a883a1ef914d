#include "runner/child_process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/watchdog.h"

namespace greenrun::runner {
namespace {

// Process-wide state for the signal handlers (async-signal-safe access only).
volatile sig_atomic_t g_child = 0;
volatile sig_atomic_t g_forwarded = 0;
volatile sig_atomic_t g_group = 0;  // the child's own process group, 0 when it has none
int g_pipe[2] = {-1, -1};
struct sigaction g_old[3];
constexpr int kForwarded[3] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_old_chld;

void on_forward(int sig, siginfo_t* info, void*) {
  const int saved = errno;
  if (g_child > 0 && g_group > 0) {
    ::kill(-static_cast<pid_t>(g_group), sig);
    ::kill(-static_cast<pid_t>(g_group), SIGCONT);
    g_forwarded = g_forwarded + 1;
  } else if (g_child > 0 && (!info || info->si_code != SI_KERNEL)) {
    ::kill(static_cast<pid_t>(g_child), sig);
    g_forwarded = g_forwarded + 1;
  }
  errno = saved;
}

void on_child(int) {
  const int saved = errno;
  if (g_pipe[1] >= 0) {
    const char b = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &b, 1);
  }
  errno = saved;
}

void install_handlers() {
  if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_sigaction = on_forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kForwarded[i], &sa, &g_old[i]);
  struct sigaction sc {};
  sc.sa_handler = on_child;
  sc.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&sc.sa_mask);
  ::sigaction(SIGCHLD, &sc, &g_old_chld);
}

void restore_handlers() {
  for (int i = 0; i < 3; ++i) ::sigaction(kForwarded[i], &g_old[i], nullptr);
  ::sigaction(SIGCHLD, &g_old_chld, nullptr);
  g_child = 0;
  g_group = 0;
}

}  // namespace

uint64_t ExitStatus::cpu_ticks() const {
  const double s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                   static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  return static_cast<uint64_t>(s * static_cast<double>(::sysconf(_SC_CLK_TCK)) + 0.5);
}

std::expected<ChildProcess, SpawnError> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                            SpawnOptions options) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    return std::unexpected(SpawnError{1, std::string("pipe: ") + std::strerror(errno)});

  // Block the forwarded signals across fork so none is lost or sent to pid 0.
  sigset_t block, old_mask;
  sigemptyset(&block);
  for (int s : kForwarded) sigaddset(&block, s);
  sigaddset(&block, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &block, &old_mask);
  install_handlers();
  g_forwarded = 0;

  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: default dispositions and the caller's mask, then exec.
    if (options.own_session) {
      ::setsid();
      Watchdog::announce_from_job(options.watchdog_fd);
    }
    for (int s : kForwarded) ::signal(s, SIG_DFL);
    ::signal(SIGCHLD, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    ::execvp(args[0], args.data());
    const int e = errno;
    [[maybe_unused]] const ssize_t n = ::write(err_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  if (pid < 0) {
    const int e = errno;
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    restore_handlers();
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return std::unexpected(SpawnError{1, std::string("fork: ") + std::strerror(e)});
  }
  // Forwarded signals stay blocked until after the read below, by which
  // time the child has run setsid() and exec'd: the group exists.
  if (options.own_session) g_group = pid;
  g_child = pid;
  ::close(err_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    ::waitpid(pid, &status, 0);
    restore_handlers();
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    const bool not_found = child_errno == ENOENT || child_errno == ENOTDIR;
    return std::unexpected(SpawnError{not_found ? 127 : 126,
                                      argv[0] + ": " + (not_found ? std::string("command not found")
                                                                  : std::string(std::strerror(child_errno)))});
  }
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  return ChildProcess(pid, options.own_session ? pid : ::getpgrp());
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_), pgid_(o.pgid_), reaped_(o.reaped_) {
  o.pid_ = -1;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) restore_handlers();
}

int ChildProcess::forwarded_signals() const { return static_cast<int>(g_forwarded); }

std::optional<ExitStatus> ChildProcess::try_reap() {
  int status = 0;
  ExitStatus out;
  pid_t r;
  do {
    r = ::wait4(pid_, &status, WNOHANG, &out.usage);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return std::nullopt;
  reaped_ = true;
  if (WIFSIGNALED(status)) {
    out.signalled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.code = WEXITSTATUS(status);
  }
  g_child = 0;
  g_group = 0;
  return out;
}

std::optional<ExitStatus> ChildProcess::wait_until(SteadyTime deadline) {
  for (;;) {
    if (auto s = try_reap()) return s;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    struct pollfd p {g_pipe[0], POLLIN, 0};
    const int timeout = static_cast<int>(std::min<long long>(left.count() + 1, 60'000));
    const int rc = ::poll(&p, g_pipe[0] >= 0 ? 1 : 0, timeout);
    if (rc > 0) {
      char buf[64];
      while (::read(g_pipe[0], buf, sizeof buf) > 0) {
      }
    }
  }
}

}  // namespace greenrun::runner
