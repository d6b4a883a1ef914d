#include "runner/watchdog.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace greenrun::runner {
namespace {

// Watchdog-process state, touched only by async-signal-safe code after fork.
volatile sig_atomic_t g_protected = 0;

[[noreturn]] void resume_and_exit() {
  const pid_t pg = static_cast<pid_t>(g_protected);
  if (pg > 0 && ::kill(-pg, SIGCONT) == 0) {
    static const char kMsg[] =
        "greenrun: watchdog: greenrun ended before the job; sent SIGCONT to the job's process group so it "
        "is not left stopped\n";
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  }
  ::_exit(0);
}

void on_parent_death(int) { resume_and_exit(); }

[[noreturn]] void watchdog_main(int fd, pid_t parent) {
  struct sigaction sa {};
  sa.sa_handler = on_parent_death;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  for (int s : {SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE}) ::signal(s, SIG_IGN);
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) resume_and_exit();  // greenrun died before prctl
  const int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
  }
  for (;;) {
    int32_t pg = 0;
    const ssize_t n = ::read(fd, &pg, sizeof pg);
    if (n == static_cast<ssize_t>(sizeof pg)) {
      g_protected = pg;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    resume_and_exit();  // end of file: greenrun has gone (or closed it after saying 0)
  }
}

}  // namespace

Result<Watchdog> Watchdog::start() {
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
    watchdog_main(p[0], parent);
  }
  ::close(p[0]);
  return Watchdog(pid, p[1]);
}

Watchdog::Watchdog(Watchdog&& o) noexcept : pid_(o.pid_), fd_(o.fd_) {
  o.pid_ = -1;
  o.fd_ = -1;
}

Watchdog::~Watchdog() {
  if (fd_ >= 0) {
    (void)protect(0);
    ::close(fd_);
  }
  if (pid_ > 0) {
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Status Watchdog::protect(pid_t pgid) {
  const int32_t v = pgid;
  ssize_t n;
  do {
    n = ::send(fd_, &v, sizeof v, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof v)) return make_error(std::string("watchdog: write: ") + std::strerror(errno));
  return {};
}

}  // namespace greenrun::runner
