#include "runner/watchdog.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace greenrun::runner {
namespace {

struct Message {
  int32_t state = 0;
  int32_t pgid = 0;
};

// Everything the watchdog process needs, prepared before the fork so that
// after it only async-signal-safe calls are made.
struct Plan {
  char* const* argv = nullptr;  // null: no command to run
  std::string not_started, starting, checkpointed, checkpointing, resumed, exec_failed;
};

// Watchdog-process state, touched only by async-signal-safe code after fork.
volatile sig_atomic_t g_term = 0;
void on_term(int) { g_term = 1; }

// Signals a spawned job gets reset to the default (child_process.cc), so an
// ignored disposition of greenrun's is not passed on for them (greenrun
// ignores SIGPIPE itself so that a closed stderr cannot kill it).
constexpr int kResetForJob[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE};

void say(const std::string& line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// True while `pid` exists and has not yet ended (a zombie has ended: the
// reaper may not be quick to reap it). Reads /proc/PID/stat.
bool process_running(pid_t pid) {
  char path[32] = "/proc/";
  char digits[16];
  int nd = 0;
  for (auto v = static_cast<unsigned>(pid); v > 0 && nd < 15; v /= 10) digits[nd++] = static_cast<char>('0' + v % 10);
  size_t at = 6;
  while (nd > 0) path[at++] = digits[--nd];
  for (const char* s = "/stat"; *s; ++s) path[at++] = *s;
  path[at] = '\0';
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return false;
  ssize_t close_paren = -1;
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] == ')') close_paren = i;
  if (close_paren < 0 || close_paren + 2 >= n) return true;  // unparsable: assume it runs
  const char state = buf[close_paren + 2];
  return state != 'Z' && state != 'X' && state != 'x';
}

// Runs the job's command in this process, as JobController would spawn it.
[[noreturn]] void run_job(const Plan& plan, const std::string& line, int fd, const sigset_t& job_mask,
                          const sigset_t& ignored) {
  if (plan.argv == nullptr) ::_exit(0);
  say(line);
  ::prctl(PR_SET_PDEATHSIG, 0);
  ::close(fd);
  // Already in its own session (watchdog_main's setsid): the job leads it.
  // PDEATHSIG may be pending (SIGTERM is blocked outside ppoll): ignoring it
  // discards it, so that unblocking below does not kill the job.
  ::signal(SIGTERM, SIG_IGN);
  for (int s = 1; s < NSIG; ++s) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    struct sigaction sa {};
    sa.sa_handler = sigismember(&ignored, s) == 1 ? SIG_IGN : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    ::sigaction(s, &sa, nullptr);  // fails harmlessly for signals the C library reserves
  }
  ::sigprocmask(SIG_SETMASK, &job_mask, nullptr);
  ::execvp(plan.argv[0], plan.argv);
  say(plan.exec_failed);
  ::_exit(127);
}

// Now + `ms` on the monotonic clock.
struct timespec monotonic_after(int ms) {
  struct timespec t {};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += static_cast<long>(ms % 1000) * 1'000'000L;
  if (t.tv_nsec >= 1'000'000'000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1'000'000'000L;
  }
  return t;
}

// `end` - now, or false when `end` has passed.
bool time_left(const struct timespec& end, struct timespec& left) {
  struct timespec now {};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  left.tv_sec = end.tv_sec - now.tv_sec;
  left.tv_nsec = end.tv_nsec - now.tv_nsec;
  if (left.tv_nsec < 0) {
    left.tv_sec -= 1;
    left.tv_nsec += 1'000'000'000L;
  }
  return left.tv_sec > 0 || (left.tv_sec == 0 && left.tv_nsec > 0);
}

[[noreturn]] void watchdog_main(int fd, pid_t parent, const Plan& plan, WatchState initial) {
  // Out of greenrun's session and process group first: a kill of that group
  // or a hangup of its terminal must not reach the watchdog. start() waits
  // for the byte sent below, so greenrun never runs a job unprotected.
  ::setsid();
  // What a job spawned by greenrun now would inherit: its mask and the
  // signals it ignores.
  sigset_t job_mask, ignored;
  ::sigprocmask(SIG_SETMASK, nullptr, &job_mask);
  sigemptyset(&ignored);
  for (int s = 1; s < NSIG; ++s) {
    struct sigaction old {};
    if (::sigaction(s, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) sigaddset(&ignored, s);
  }
  for (int s : kResetForJob) sigdelset(&ignored, s);

  // SIGTERM (PR_SET_PDEATHSIG) only wakes ppoll below: it is blocked
  // outside it, so it cannot slip in between the check and the wait.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ::sigprocmask(SIG_SETMASK, &term, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  for (int s : {SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) ::signal(s, SIG_IGN);
  ::signal(SIGCHLD, SIG_DFL);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  {
    const char ready = 1;
    [[maybe_unused]] const ssize_t n = ::send(fd, &ready, 1, MSG_NOSIGNAL);
  }

  Message cur{static_cast<int32_t>(initial), 0};
  Message incoming;
  size_t have = 0;
  sigset_t none;
  sigemptyset(&none);
  // greenrun may have died before prctl; then the parent has changed.
  bool parent_gone = ::getppid() != parent;
  bool draining = false;
  struct timespec drain_end {};
  for (;;) {
    if (g_term) {
      // PDEATHSIG comes after the reparenting; a SIGTERM while greenrun is
      // still our parent came from someone else: greenrun handles that one
      // and will tell us.
      g_term = 0;
      if (::getppid() != parent) parent_gone = true;
    }
    // Once greenrun has gone, what was said before its death is still in the
    // socket, and a job being spawned (it holds the socket until its exec)
    // may still say kRunning: read until end-of-file, for a bounded time.
    if (parent_gone && !draining) {
      draining = true;
      drain_end = monotonic_after(Watchdog::kDrainLimitMs);
    }
    struct pollfd p {fd, POLLIN, 0};
    if (draining) {
      struct timespec left {};
      if (!time_left(drain_end, left)) break;
      const int r = ::ppoll(&p, 1, &left, &none);
      if (r == 0) break;  // no end-of-file in time: act on what was said
      if (r < 0) continue;
    } else if (::ppoll(&p, 1, nullptr, &none) < 0) {
      continue;  // EINTR: SIGTERM
    }
    const ssize_t n = ::recv(fd, reinterpret_cast<char*>(&incoming) + have, sizeof incoming - have, MSG_DONTWAIT);
    if (n > 0) {
      have += static_cast<size_t>(n);
      if (have == sizeof incoming) {
        cur = incoming;
        have = 0;
      }
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    break;  // end of file: greenrun has gone (or closed it after saying kNone)
  }

  const auto pg = static_cast<pid_t>(cur.pgid);
  switch (static_cast<WatchState>(cur.state)) {
    case WatchState::kRunning:
      if (pg > 0 && ::kill(-pg, SIGCONT) == 0) say(plan.resumed);
      ::_exit(0);
    case WatchState::kCheckpointing: {
      if (pg > 0) {
        ::kill(-pg, SIGCONT);
        while (process_running(pg)) {
          const struct timespec ts {0, 20'000'000};
          ::nanosleep(&ts, nullptr);
        }
      }
      run_job(plan, plan.checkpointing, fd, job_mask, ignored);
    }
    case WatchState::kCheckpointed:
      run_job(plan, plan.checkpointed, fd, job_mask, ignored);
    case WatchState::kNotStarted:
      run_job(plan, plan.not_started, fd, job_mask, ignored);
    case WatchState::kStarting:
      run_job(plan, plan.starting, fd, job_mask, ignored);
    case WatchState::kNone:
      break;
  }
  ::_exit(0);
}

}  // namespace

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789@%+=:,./_-") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

Result<Watchdog> Watchdog::start(std::vector<std::string> argv, WatchState initial) {
  if (initial != WatchState::kNone && (initial != WatchState::kNotStarted || argv.empty()))
    return make_error("watchdog: start: the initial state must be none, or not started with a command");
  // Prepared before the fork (no allocation after it in the child).
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  Plan plan;
  if (!argv.empty()) plan.argv = args.data();
  const std::string cmd = shell_quote(argv);
  const std::string tail = ", without scheduling; its energy is not measured: " + cmd + "\n";
  plan.not_started = "greenrun: watchdog: greenrun died before the job's scheduled start; starting it now" + tail;
  plan.starting =
      "greenrun: watchdog: greenrun died while starting the job, before the job was running; starting it now" + tail;
  plan.checkpointed = "greenrun: watchdog: greenrun died while the job was checkpointed; restarting it" + tail;
  plan.checkpointing =
      "greenrun: watchdog: greenrun died while the job was checkpointing; it has exited, restarting it" + tail;
  plan.resumed =
      "greenrun: watchdog: greenrun ended before the job; sent SIGCONT to the job's process group so it is not left "
      "stopped\n";
  plan.exec_failed = "greenrun: watchdog: could not run the job's command: " + cmd + "\n";

  int p[2];
  // A socket pair, not a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE in
  // greenrun if the watchdog has gone.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0)
    return make_error(std::string("watchdog: socketpair: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(p[0]);
    ::close(p[1]);
    return make_error(std::string("watchdog: fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    ::close(p[1]);
    watchdog_main(p[0], parent, plan, initial);
  }
  ::close(p[0]);
  Watchdog w(pid, p[1]);
  w.has_command_ = !argv.empty();
  // Wait until the watchdog has left our session (it sends one byte then).
  char ready = 0;
  ssize_t n;
  do {
    n = ::recv(w.fd_, &ready, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return make_error("watchdog: it ended before it was ready");
  return w;
}

Watchdog::Watchdog(Watchdog&& o) noexcept : pid_(o.pid_), fd_(o.fd_), has_command_(o.has_command_) {
  o.pid_ = -1;
  o.fd_ = -1;
}

Watchdog::~Watchdog() {
  if (fd_ >= 0) {
    (void)set(WatchState::kNone);
    ::close(fd_);
  }
  if (pid_ > 0) {
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Status Watchdog::set(WatchState state, pid_t pgid) {
  const bool needs_group = state == WatchState::kRunning || state == WatchState::kCheckpointing;
  if (needs_group && pgid <= 0) return make_error("watchdog: set: a process group is required for this state");
  const bool runs_command = state == WatchState::kNotStarted || state == WatchState::kStarting ||
                            state == WatchState::kCheckpointing || state == WatchState::kCheckpointed;
  if (runs_command && !has_command_) return make_error("watchdog: set: no command to run was given to start()");
  const Message m{static_cast<int32_t>(state), needs_group ? static_cast<int32_t>(pgid) : 0};
  ssize_t n;
  do {
    n = ::send(fd_, &m, sizeof m, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof m)) return make_error(std::string("watchdog: write: ") + std::strerror(errno));
  return {};
}

void Watchdog::notify_none_from_signal_handler(int fd) {
  if (fd < 0) return;
  const int saved = errno;
  const Message m{};
  [[maybe_unused]] const ssize_t n = ::send(fd, &m, sizeof m, MSG_NOSIGNAL | MSG_DONTWAIT);
  errno = saved;
}

void Watchdog::announce_from_job(int fd) {
  if (fd < 0) return;
  const int saved = errno;
  const Message m{static_cast<int32_t>(WatchState::kRunning), static_cast<int32_t>(::getpgrp())};
  ssize_t n;
  do {
    n = ::send(fd, &m, sizeof m, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  errno = saved;
}

}  // namespace greenrun::runner
