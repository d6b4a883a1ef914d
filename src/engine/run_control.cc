// engine::detach_run, run_status, cancel_run (include/greenrun/run_control.h).
#include "greenrun/run_control.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>

#include "base/clock.h"
#include "engine/embodied_request.h"
#include "engine/run_recording.h"
#include "runner/run_record.h"

namespace greenrun::engine {

Result<std::optional<DetachedRun>> detach_run(RunRequest& request, const Services& services) {
  // Flags the run would refuse are refused here, before anything forks.
  if (auto e = embodied_input(request.embodied); !e) return std::unexpected(e.error());
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  std::random_device rd;
  const std::string id = request.id ? *request.id : runner::make_run_id(clock.utc_now(), rd());
  auto folders = make_run_folders(request.out_dir, services.store_path, id);
  if (!folders) return std::unexpected(folders.error());
  DetachedRun run{id, folders->out_dir, folders->out_dir / "greenrun.log", 0};
  const int log = ::open(run.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return make_error(ErrorKind::kIo, run.log.string() + ": cannot create: " + std::strerror(errno));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(log);
    if (null >= 0) ::close(null);
    return make_error(ErrorKind::kIo, std::string("--detach: fork: ") + std::strerror(e));
  }
  if (pid > 0) {
    ::close(log);
    if (null >= 0) ::close(null);
    run.pid = pid;
    return std::optional<DetachedRun>(std::move(run));
  }
  // The supervisor: its own session (no terminal, not in the caller's
  // process group), stdio to the log. Errors from here on go to the log.
  (void)::setsid();
  if (null >= 0) ::dup2(null, STDIN_FILENO);
  ::dup2(log, STDOUT_FILENO);
  ::dup2(log, STDERR_FILENO);
  ::close(log);
  if (null >= 0) ::close(null);
  request.id = id;
  return std::optional<DetachedRun>{};
}

std::filesystem::path cancel_marker(const std::string& store_path, const std::string& id) {
  return live_folder(store_path) / (id + ".cancel");
}

Result<LiveRun> run_status(const std::string& id_or_prefix, const Services& services) {
  if (id_or_prefix.empty()) return make_error(ErrorKind::kUsage, "expected a run id");
  std::vector<LiveRun> matches;
  for (LiveRun& r : read_live_runs(services.store_path)) {
    if (r.id == id_or_prefix) return std::move(r);
    if (r.id.starts_with(id_or_prefix)) matches.push_back(std::move(r));
  }
  if (matches.size() == 1) return std::move(matches.front());
  if (matches.empty())
    return make_error(ErrorKind::kNotFound, "no run " + id_or_prefix + " in progress");
  std::string ids;
  for (const auto& r : matches) ids += (ids.empty() ? "" : ", ") + r.id;
  return make_error(ErrorKind::kNotFound, "run prefix " + id_or_prefix + " is ambiguous: " + ids);
}

Result<LiveRun> cancel_run(const std::string& id_or_prefix, const Services& services) {
  auto run = run_status(id_or_prefix, services);
  if (!run) return run;
  {
    std::ofstream mark(cancel_marker(services.store_path, run->id));
    mark << "cancelled by greenrun runs cancel\n";
    if (!mark) return make_error(ErrorKind::kIo, cancel_marker(services.store_path, run->id).string() + ": cannot write");
  }
  if (::kill(run->pid, SIGTERM) != 0) {
    const int e = errno;
    std::error_code ec;
    std::filesystem::remove(cancel_marker(services.store_path, run->id), ec);
    return make_error(ErrorKind::kIo, "run " + run->id + ": cannot signal its process " + std::to_string(run->pid) +
                                          ": " + std::strerror(e));
  }
  return run;
}

}  // namespace greenrun::engine
