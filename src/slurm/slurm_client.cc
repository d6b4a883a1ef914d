#include "slurm/slurm_client.h"

#include <ctime>
#include <thread>

namespace greenrun::slurm {

std::string slurm_time(UtcTime t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  ::localtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

SlurmClient::SlurmClient(CommandRunner& runner, int attempts, Sleeper sleep)
    : runner_(runner), attempts_(std::max(1, attempts)), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](Duration d) { std::this_thread::sleep_for(d); };
}

Result<std::string> SlurmClient::call(const std::vector<std::string>& argv) {
  Duration backoff = std::chrono::milliseconds(200);
  CommandResult r;
  for (int attempt = 1; attempt <= attempts_; ++attempt) {
    r = runner_.run(argv);
    if (r.ok()) return r.out;
    // A refusal about the job itself (gone, wrong state) is not retried.
    if (r.err.find("Invalid job id") != std::string::npos || r.err.find("already completed") != std::string::npos ||
        r.err.find("not suspended") != std::string::npos || r.err.find("is suspended") != std::string::npos ||
        r.err.find("Job is current") != std::string::npos || r.err.find("not running") != std::string::npos ||
        r.err.find("presently disabled") != std::string::npos)
      break;
    if (attempt < attempts_) {
      sleep_(backoff);
      backoff *= 2;
    }
  }
  std::string what = argv[0];
  for (size_t i = 1; i < argv.size() && i < 4; ++i) what += " " + argv[i];
  std::string err = r.err.empty() ? r.out : r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  return make_error(ErrorKind::kUnavailable,
                    what + ": exit " + std::to_string(r.status) + (err.empty() ? "" : ": " + err));
}

Result<std::string> SlurmClient::sbatch(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  // One attempt: a retried sbatch whose first try reached slurmctld would submit twice.
  CommandResult r = runner_.run(argv);
  if (!r.ok()) {
    std::string err = r.err.empty() ? r.out : r.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return make_error(ErrorKind::kUnavailable, "sbatch: exit " + std::to_string(r.status) + ": " + err);
  }
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (id.empty()) return make_error(ErrorKind::kFailure, "sbatch: no job id in its output '" + r.out + "'");
  return id;
}

Result<std::vector<QueuedJob>> SlurmClient::queue() {
  auto out = call({"squeue", "--json"});
  if (!out) return std::unexpected(out.error());
  return parse_squeue_json(*out);
}

Status SlurmClient::set_start(const std::string& id, UtcTime t) {
  auto r = call({"scontrol", "update", "jobid=" + id, "StartTime=" + slurm_time(t)});
  if (!r) return std::unexpected(r.error());
  return {};
}

Status SlurmClient::suspend(const std::string& id) {
  auto r = call({"scontrol", "suspend", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

Status SlurmClient::resume(const std::string& id) {
  auto r = call({"scontrol", "resume", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

Status SlurmClient::set_comment(const std::string& id, const std::string& comment) {
  auto r = call({"scontrol", "update", "jobid=" + id, "Comment=" + comment});
  if (!r) return std::unexpected(r.error());
  return {};
}

Status SlurmClient::signal(const std::string& id, const std::string& sig) {
  auto r = call({"scancel", "--signal=" + sig, "--full", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

Status SlurmClient::requeue(const std::string& id) {
  auto r = call({"scontrol", "requeue", id});
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace greenrun::slurm
