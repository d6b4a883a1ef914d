#include "runner/job_controller.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "greenrun/base/quantity_parse.h"

namespace greenrun::runner {
namespace {

constexpr int kTrapped[3] = {SIGINT, SIGTERM, SIGHUP};
volatile sig_atomic_t g_trapped = 0;  // the signal caught, 0 for none
int g_trap_pipe[2] = {-1, -1};
// The watchdog's socket while a JobController lives, -1 otherwise.
volatile sig_atomic_t g_watchdog_fd = -1;

void on_trap(int sig) {
  const int saved = errno;
  g_trapped = sig;
  // Only reached without a job process (ChildProcess forwards the signal
  // otherwise): the job is waiting to start or is checkpointed, and the
  // interrupt ends the run without running it again. Tell the watchdog now,
  // so that even a greenrun killed on its way out does not rerun the job.
  Watchdog::notify_none_from_signal_handler(static_cast<int>(g_watchdog_fd));
  if (g_trap_pipe[1] >= 0) {
    const char b = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_trap_pipe[1], &b, 1);
  }
  errno = saved;
}

struct NamedSignal {
  const char* name;
  int number;
};
constexpr NamedSignal kSignals[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"TERM", SIGTERM},
                                    {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ALRM", SIGALRM}, {"XCPU", SIGXCPU},
                                    {"PWR", SIGPWR},   {"WINCH", SIGWINCH}};

}  // namespace

std::string_view to_string(PauseMode m) { return m == PauseMode::kStop ? "stop" : "checkpoint"; }

Result<PauseMode> parse_pause_mode(std::string_view text) {
  if (text == "stop") return PauseMode::kStop;
  if (text == "checkpoint") return PauseMode::kCheckpoint;
  return make_error("expected stop or checkpoint, got \"" + std::string(text) + "\"");
}

Result<int> parse_signal(std::string_view text) {
  std::string_view t = text;
  if (t.substr(0, 3) == "SIG") t.remove_prefix(3);
  for (const auto& s : kSignals)
    if (t == s.name) return s.number;
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos && t.size() < 3) {
    const int n = std::atoi(std::string(t).c_str());
    if (n > 0 && n < NSIG && n != SIGKILL && n != SIGSTOP) return n;
  }
  return make_error("expected a signal name such as USR1, USR2, TERM or INT, got \"" + std::string(text) + "\"");
}

std::string signal_name(int sig) {
  for (const auto& s : kSignals)
    if (s.number == sig) return std::string("SIG") + s.name;
  return "signal " + std::to_string(sig);
}

JobController::JobController(Clock& clock, const ScaledClock* scaled, JobControllerOptions options)
    : clock_(clock), scaled_(scaled), options_(std::move(options)) {
  if (g_trap_pipe[0] < 0 && ::pipe2(g_trap_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_trap_pipe[0] = g_trap_pipe[1] = -1;
  g_trapped = 0;
  struct sigaction sa {};
  sa.sa_handler = on_trap;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kTrapped[i], &sa, &old_[i]);
  // The watchdog is forked now, before the wait for the first start, and
  // born "not started", so that a greenrun killed while waiting still gets
  // the job started.
  start_watchdog();
}

JobController::~JobController() {
  if (child_ && stopped_) ::kill(-child_->process_group(), SIGCONT);
  child_.reset();      // restores our handlers (ChildProcess saved them)
  g_watchdog_fd = -1;
  watchdog_.reset();   // says kNone, reaps the watchdog
  for (int i = 0; i < 3; ++i) ::sigaction(kTrapped[i], &old_[i], nullptr);
}

void JobController::start_watchdog() {
  if (!options_.watchdog || watchdog_) return;
  auto w = Watchdog::start(options_.argv, WatchState::kNotStarted);
  if (!w) {
    warnings_.push_back(w.error().message + " (no watchdog: if greenrun dies, the job is not resumed or restarted)");
    return;
  }
  watchdog_.emplace(std::move(*w));
  g_watchdog_fd = watchdog_->fd();
}

void JobController::tell_watchdog(WatchState state, pid_t pgid) {
  if (!watchdog_) return;
  // After an interrupt the run ends on purpose: the job is never to be
  // started or restarted by the watchdog.
  const bool runs_command =
      state == WatchState::kNotStarted || state == WatchState::kStarting || state == WatchState::kCheckpointed;
  if (runs_command && interrupted()) state = WatchState::kNone;
  if (auto s = watchdog_->set(state, pgid); !s) warnings_.push_back(s.error().message);
}

SteadyTime JobController::real(SteadyTime t) const { return scaled_ ? scaled_->to_base(t) : t; }

pid_t JobController::measured_root() const {
  if (options_.mode == PauseMode::kCheckpoint) return ::getpid();
  return child_ ? child_->pid() : 0;
}

bool JobController::interrupted() const {
  return g_trapped != 0 || forwarded_before_ + (child_ ? child_->forwarded_signals() : 0) > 0;
}

int JobController::interrupt_signal() const { return static_cast<int>(g_trapped); }

std::optional<SpawnError> JobController::spawn() {
  // Said before the fork: a greenrun dying from here on leaves the watchdog
  // to start the job unless the child has said "running" (child_process.h).
  tell_watchdog(WatchState::kStarting);
  auto c = ChildProcess::spawn(options_.argv,
                               SpawnOptions{.own_session = true, .watchdog_fd = watchdog_ ? watchdog_->fd() : -1});
  if (!c) {
    // The watchdog would fail the same way; the run ends with this error.
    tell_watchdog(WatchState::kNone);
    return c.error();
  }
  child_.emplace(std::move(*c));
  stopped_ = false;
  ++incarnations_;
  tell_watchdog(WatchState::kRunning, child_->process_group());
  return std::nullopt;
}

void JobController::forget_child(WatchState next) {
  if (!child_) return;
  forwarded_before_ += child_->forwarded_signals();
  tell_watchdog(next);
  child_.reset();
  stopped_ = false;
}

std::optional<SpawnError> JobController::start() { return spawn(); }

PauseResult JobController::pause() {
  if (!child_) return {PauseOutcome::kPaused, std::nullopt, "no job process to pause"};
  const pid_t pg = child_->process_group();
  if (options_.mode == PauseMode::kStop) {
    ::kill(-pg, SIGSTOP);
    stopped_ = true;
    return {PauseOutcome::kPaused, std::nullopt, "SIGSTOP to process group " + std::to_string(pg)};
  }
  const std::string sig = signal_name(options_.checkpoint_signal);
  // From the signal until the exit is seen, a dying greenrun leaves the
  // watchdog to wait for the job's end and run it again.
  tell_watchdog(WatchState::kCheckpointing, pg);
  ::kill(-pg, options_.checkpoint_signal);
  const auto t0 = std::chrono::steady_clock::now();
  auto st = child_->wait_until(t0 + options_.grace);
  if (!st) {
    tell_watchdog(WatchState::kRunning, pg);
    return {PauseOutcome::kRefused, std::nullopt,
            "the job did not exit within the grace period of " + format_duration(options_.grace) + " after " + sig +
                ": it is left running (not killed, not stopped) and runs to the end; checkpoint pauses are off "
                "for this run"};
  }
  const bool checkpointed = !st->signalled && st->code == 0;
  forget_child(checkpointed ? WatchState::kCheckpointed : WatchState::kNone);
  const std::string took =
      format_duration(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - t0));
  if (checkpointed)
    return {PauseOutcome::kPaused, std::nullopt, "checkpointed: exited 0 " + took + " after " + sig};
  return {PauseOutcome::kExited, st,
          st->signalled ? "the job was killed by " + signal_name(st->signal) + " after " + sig +
                              (st->signal == options_.checkpoint_signal ? " (it does not handle the checkpoint signal)"
                                                                         : "")
                        : "the job exited with status " + std::to_string(st->code) + " after " + sig +
                              " (not 0: treated as the job's end, not a checkpoint)"};
}

std::optional<SpawnError> JobController::resume() {
  if (options_.mode == PauseMode::kCheckpoint) {
    if (child_) return std::nullopt;  // still running (refused a checkpoint)
    return spawn();
  }
  if (child_) {
    ::kill(-child_->process_group(), SIGCONT);
    stopped_ = false;
  }
  return std::nullopt;
}

std::optional<ExitStatus> JobController::wait_until(SteadyTime t) {
  const SteadyTime deadline = real(t);
  if (child_) {
    auto st = child_->wait_until(deadline);
    if (st) forget_child(WatchState::kNone);  // the job's end
    return st;
  }
  // No process: sleep, but wake for an interrupt.
  for (;;) {
    if (g_trapped) return std::nullopt;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    struct pollfd p {g_trap_pipe[0], POLLIN, 0};
    const int rc = ::poll(&p, g_trap_pipe[0] >= 0 ? 1 : 0, static_cast<int>(std::min<long long>(left.count() + 1, 60'000)));
    if (rc > 0) {
      char buf[16];
      while (::read(g_trap_pipe[0], buf, sizeof buf) > 0) {
      }
    }
  }
}

}  // namespace greenrun::runner
