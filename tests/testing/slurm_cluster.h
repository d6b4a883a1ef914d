// A real Slurm cluster for a test: scripts/slurm-up.sh starts a private
// munged, slurmctld and two slurmd (nodes n1, n2) in a scratch folder on free
// loopback ports; the destructor stops them (scripts/slurm-up.sh down) and
// removes nothing (the folder is the caller's). Slurm commands run with the
// cluster's SLURM_CONF.
//
// Use SetUp() { GREENRUN_REQUIRE_SLURM(); cluster_ = SlurmCluster::start(dir); ... }:
// the test is skipped, with the reason printed, only when the Slurm binaries
// are absent (scripts/install-deps.sh installs them; CI has them, so there it
// runs). A cluster that fails to come up is a test failure, not a skip.
//
// Thread-safety: none; one test owns one cluster.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace greenrun::testing {

// Whether slurmctld, slurmd, munged, sbatch, squeue and scontrol are on PATH.
bool has_slurm();
// Whether slurmdbd, sacct and MariaDB's server (mariadbd, mariadb-admin) are
// installed (for SlurmClusterOptions::accounting).
bool has_slurm_accounting();
// Whether this host mounts cgroup v1 freezer and cpuacct writable (for
// SlurmClusterOptions::cpuacct); `why` says what is missing.
bool has_cgroup_v1_cpuacct(std::string& why);

// A shell command's exit status and standard output (stderr joined to it).
struct ShellResult {
  int status = -1;
  std::string out;
};
ShellResult run_shell(const std::string& command);
// `s` in single quotes for a shell.
std::string shell_quote(const std::string& s);

struct SlurmClusterOptions {
  int nodes = 2;
  // slurm-up.sh --accounting: a MariaDB server and slurmdbd of the cluster's
  // own, so sacct has its jobs (about 4 s more to start, 2 s to stop).
  bool accounting = false;
  // slurm-up.sh --cpuacct: task/cgroup and jobacct_gather/cgroup, so Slurm
  // keeps a cgroup v1 cpuacct group per job on each node. The nodes are
  // then c1, c2, ...: their cpuacct folders must not look like those of the
  // clusters without cpuacct (n1, n2, ...) that run beside them.
  bool cpuacct = false;
};

class SlurmCluster {
 public:
  // Starts the cluster in dir/slurm (nodes: 2 or more). Null, with the
  // script's output in `error`, when it did not come up.
  static std::unique_ptr<SlurmCluster> start(const std::filesystem::path& dir, std::string& error, int nodes = 2);
  static std::unique_ptr<SlurmCluster> start(const std::filesystem::path& dir, std::string& error,
                                             const SlurmClusterOptions& options);
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string slurm_conf() const { return (dir_ / "slurm.conf").string(); }
  const std::vector<std::string>& nodes() const { return nodes_; }
  // "cgroup" or "linuxproc" (what slurm-up.sh chose).
  const std::string& proctrack() const { return proctrack_; }
  // "slurmdbd" (started with accounting) or "none".
  const std::string& accounting() const { return accounting_; }
  // "cgroup" (started with cpuacct) or "linux": JobAcctGatherType.
  const std::string& jobacct() const { return jobacct_; }
  // The environment a client needs (SLURM_CONF=...), for start_cli.
  std::vector<std::pair<std::string, std::string>> env() const;
  // Runs `command` (e.g. "squeue -h -o %T -j 12") with this cluster's SLURM_CONF.
  ShellResult slurm(const std::string& command) const;
  // A job's state as squeue prints it (%T: PENDING, RUNNING, SUSPENDED, ...);
  // "" once the job has left the queue.
  std::string job_state(const std::string& job_id) const;
  // The pids of the processes of `job_id` on every node (those whose
  // environment holds SLURM_JOB_ID=job_id, slurmstepd excluded).
  std::vector<int> job_pids(const std::string& job_id) const;

 private:
  explicit SlurmCluster(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  std::vector<std::string> nodes_;
  std::string proctrack_;
  std::string accounting_ = "none";
  std::string jobacct_ = "linux";
};

#define GREENRUN_REQUIRE_SLURM()                                                                 \
  do {                                                                                           \
    if (!::greenrun::testing::has_slurm())                                                       \
      GTEST_SKIP() << "needs Slurm (slurmctld, slurmd, munged, sbatch: Debian's slurm-wlm and munge; " \
                      "scripts/install-deps.sh installs them)";                                  \
  } while (0)

#define GREENRUN_REQUIRE_SLURM_ACCOUNTING()                                                        \
  do {                                                                                           \
    GREENRUN_REQUIRE_SLURM();                                                                    \
    if (!::greenrun::testing::has_slurm_accounting())                                            \
      GTEST_SKIP() << "needs Slurm accounting (slurmdbd and MariaDB's server: Debian's slurmdbd and " \
                      "mariadb-server; scripts/install-deps.sh installs them)";                  \
  } while (0)

}  // namespace greenrun::testing
