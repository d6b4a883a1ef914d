// engine::detach_run, run_detached, run_status, cancel_run (include/greenrun/run_control.h).
#include "greenrun/run_control.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "engine/embodied_request.h"
#include "engine/run_recording.h"
#include "greenrun/base/clock.h"
#include "greenrun/runner/run_record.h"

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

namespace {

std::filesystem::path failed_marker(const std::string& store_path, const std::string& id) {
  return live_folder(store_path) / (id + ".failed");
}

// The detached runs that failed, by their <id>.failed files.
std::vector<LiveRun> failed_runs(const std::string& store_path) {
  std::vector<LiveRun> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(live_folder(store_path), ec)) {
    if (entry.path().extension() != ".failed") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto r = live_run_from_json(text)) out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace

Result<RunOutcome> run_detached(const RunRequest& request, const Services& services, Observer& observer) {
  auto out = run(request, services, observer);
  std::string why;
  if (!out)
    why = out.error().message;
  else if (out->spawn_error)
    why = out->spawn_error->message;
  if (why.empty() || !request.id) return out;
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  LiveRun failed;
  failed.id = *request.id;
  failed.pid = ::getpid();
  failed.project = request.project;
  failed.phase = request.phase;
  failed.zone = request.zone.value_or("");
  failed.started = failed.updated = clock.utc_now();
  failed.mode = request.execution ? std::string(scheduling::to_string(request.execution->mode)) : "";
  failed.state = "failed";
  failed.error = why.substr(0, why.find('\n'));
  // Written whole, then renamed: `runs status` never reads half a file.
  const auto path = failed_marker(services.store_path, failed.id);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp);
    f << to_json(failed) << "\n";
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) observer.on_event({EventKind::kWarning, path.string() + ": cannot record the failure: " + ec.message()});
  return out;
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
  if (matches.empty())  // not in progress: a detached run that failed?
    for (LiveRun& r : failed_runs(services.store_path)) {
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
  if (run->state == "failed")  // its supervisor is gone (and its pid may be another's now)
    return make_error(ErrorKind::kNotFound, "run " + run->id + " is not in progress: it failed: " + run->error);
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
