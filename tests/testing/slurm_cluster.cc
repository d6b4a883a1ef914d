#include "testing/slurm_cluster.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "testing/paths.h"

namespace greenrun::testing {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

ShellResult run_shell(const std::string& command) {
  ShellResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

bool has_slurm() {
  return run_shell("command -v slurmctld slurmd munged sbatch squeue scontrol >/dev/null").status == 0;
}

bool has_slurm_accounting() {
  return run_shell("command -v slurmdbd sacct mariadbd mariadb-admin >/dev/null").status == 0;
}

bool has_cgroup_v1_cpuacct(std::string& why) {
  for (const char* c : {"/sys/fs/cgroup/freezer", "/sys/fs/cgroup/cpuacct"}) {
    if (!fs::exists(fs::path(c) / "cgroup.procs")) {
      why = std::string(c) + " is not a cgroup v1 hierarchy (no cgroup.procs)";
      return false;
    }
    if (::access(c, W_OK) != 0) {
      why = std::string(c) + " is not writable";
      return false;
    }
  }
  return true;
}

namespace {
std::string script() { return shell_quote((source_dir() / "scripts/slurm-up.sh").string()); }
}  // namespace

std::unique_ptr<SlurmCluster> SlurmCluster::start(const fs::path& dir, std::string& error, int nodes) {
  SlurmClusterOptions options;
  options.nodes = nodes;
  return start(dir, error, options);
}

std::unique_ptr<SlurmCluster> SlurmCluster::start(const fs::path& dir, std::string& error,
                                                  const SlurmClusterOptions& options) {
  const fs::path folder = dir / "slurm";
  const ShellResult up = run_shell(script() + " up " + shell_quote(folder.string()) + " " +
                                   std::to_string(options.nodes) + (options.accounting ? " --accounting" : "") +
                                   (options.cpuacct ? " --cpuacct" : ""));
  std::unique_ptr<SlurmCluster> cluster(new SlurmCluster(folder));
  if (up.status != 0) {
    error = "scripts/slurm-up.sh exited " + std::to_string(up.status) + ": " + up.out;
    return nullptr;  // the destructor ran `down` for what did start
  }
  std::istringstream lines(up.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("GREENRUN_SLURM_NODES=")) {
      std::istringstream names(line.substr(21));
      for (std::string n; std::getline(names, n, ',');) cluster->nodes_.push_back(n);
    } else if (line.starts_with("GREENRUN_SLURM_PROCTRACK=")) {
      cluster->proctrack_ = line.substr(25);
    } else if (line.starts_with("GREENRUN_SLURM_ACCOUNTING=")) {
      cluster->accounting_ = line.substr(26);
    } else if (line.starts_with("GREENRUN_SLURM_JOBACCT=")) {
      cluster->jobacct_ = line.substr(23);
    }
  }
  return cluster;
}

SlurmCluster::~SlurmCluster() { run_shell(script() + " down " + shell_quote(dir_.string())); }

std::vector<std::pair<std::string, std::string>> SlurmCluster::env() const { return {{"SLURM_CONF", slurm_conf()}}; }

ShellResult SlurmCluster::slurm(const std::string& command) const {
  return run_shell("SLURM_CONF=" + shell_quote(slurm_conf()) + " " + command);
}

std::string SlurmCluster::job_state(const std::string& job_id) const {
  std::string s = slurm("squeue -h -o %T -j " + job_id + " 2>/dev/null").out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.find('\n') == std::string::npos && s.find("error") == std::string::npos ? s : "";
}

std::vector<int> SlurmCluster::job_pids(const std::string& job_id) const {
  std::vector<int> pids;
  const std::string marker = "SLURM_JOB_ID=" + job_id;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string comm = read_file(e.path() / "comm");
    if (comm.starts_with("slurmstepd") || comm.starts_with("srun")) continue;
    const std::string environ = read_file(e.path() / "environ");
    size_t pos = 0;
    bool found = false;
    while (!found && pos < environ.size()) {
      const size_t end = environ.find('\0', pos);
      const std::string var = environ.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      found = var == marker;
      pos = end == std::string::npos ? environ.size() : end + 1;
    }
    if (found) pids.push_back(std::stoi(name));
  }
  return pids;
}

}  // namespace greenrun::testing
