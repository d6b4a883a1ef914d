#include "slurm/watchdog.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "slurm/command_runner.h"

namespace greenrun::slurm {

namespace {

[[noreturn]] void watch(int fd) {
  std::set<std::string> suspended;
  std::string buf;
  char chunk[4096];
  bool quit = false;
  for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
    for (size_t eol; (eol = buf.find('\n')) != std::string::npos; buf.erase(0, eol + 1)) {
      const std::string line = buf.substr(0, eol);
      if (line == "Q") quit = true;
      else if (line.starts_with("S ")) suspended.insert(line.substr(2));
      else if (line.starts_with("R ")) suspended.erase(line.substr(2));
    }
  }
  if (quit) ::_exit(0);
  ProcessCommandRunner runner(std::chrono::seconds(10));
  for (const auto& id : suspended) {
    bool done = false;
    auto wait = std::chrono::milliseconds(500);
    for (int attempt = 0; attempt < 8 && !done; ++attempt) {
      const CommandResult r = runner.run({"scontrol", "resume", id});
      // Resumed, or nothing left to resume (gone, already running).
      done = r.ok() || r.err.find("Invalid job id") != std::string::npos ||
             r.err.find("not suspended") != std::string::npos || r.err.find("already completed") != std::string::npos;
      if (!done) {
        std::this_thread::sleep_for(wait);
        wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::seconds(10));
      }
    }
    const std::string msg = "greenrun slurm agent watchdog: the agent is gone; job " + id +
                            (done ? " resumed\n" : " could NOT be resumed (scontrol resume failed 8 times)\n");
    (void)!::write(2, msg.data(), msg.size());
  }
  ::_exit(0);
}

}  // namespace

Status AgentWatchdog::start() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return make_error(ErrorKind::kFailure, "watchdog: pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(ErrorKind::kFailure, "watchdog: fork failed");
  if (pid == 0) {
    ::setsid();
    ::close(p[1]);
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    watch(p[0]);
  }
  ::close(p[0]);
  fd_ = p[1];
  pid_ = pid;
  return {};
}

void AgentWatchdog::say(const std::string& line) {
  if (fd_ < 0) return;
  const std::string l = line + "\n";
  (void)!::write(fd_, l.data(), l.size());
}

AgentWatchdog::~AgentWatchdog() {
  if (fd_ < 0) return;
  say("Q");
  ::close(fd_);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

}  // namespace greenrun::slurm
