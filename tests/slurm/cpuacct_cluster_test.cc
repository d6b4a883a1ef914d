// The sampler's cpuacct source against real Slurm: a 2-node cluster whose
// Slurm keeps a cgroup v1 cpuacct group per job and node
// (scripts/slurm-up.sh --cpuacct: task/cgroup, jobacct_gather/cgroup;
// cgroups /sys/fs/cgroup/cpuacct/slurm_<node>/uid_<uid>/job_<id>/), a
// `greenrun slurm sampler` per node posting to a real `greenrun serve`: each
// node's records say attribution "cgroup" and hold the CPU time the job's
// group counted. Skipped, with the reason, only when Slurm is not installed
// or the host has no writable cgroup v1 freezer and cpuacct.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "runner/job_energy_store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/slurm_cluster.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;
using greenrun::testing::read_file;
using greenrun::testing::SlurmCluster;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class SlurmCpuacctTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SLURM();
    std::string why;
    if (!greenrun::testing::has_cgroup_v1_cpuacct(why)) GTEST_SKIP() << "needs cgroup v1 cpuacct: " << why;
    dir_ = greenrun::testing::make_temp_dir("slurm-cpuacct");
    greenrun::testing::SlurmClusterOptions options;
    options.cpuacct = true;
    std::string error;
    cluster_ = SlurmCluster::start(dir_, error, options);
    ASSERT_NE(cluster_, nullptr) << error;
    ASSERT_EQ(cluster_->jobacct(), "cgroup");
  }
  void TearDown() override {
    for (pid_t p : pids_) {
      ::kill(p, SIGKILL);
      greenrun::testing::wait_exit(p);
    }
    cluster_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  pid_t start(const std::vector<std::string>& args, const std::string& name) {
    fs::create_directories(dir_ / name);
    const pid_t p = greenrun::testing::start_cli(args, dir_ / name, cluster_->env());
    pids_.push_back(p);
    return p;
  }
  int wait(pid_t p) {
    const int status = greenrun::testing::wait_exit(p);
    std::erase(pids_, p);
    return status;
  }
  std::string sbatch(const std::string& args) {
    const auto r = cluster_->slurm("sbatch --parsable " + args);
    EXPECT_EQ(r.status, 0) << r.out;
    return trimmed(r.out);
  }

  fs::path dir_;
  std::unique_ptr<SlurmCluster> cluster_;
  std::vector<pid_t> pids_;
};

// The sampler on each node reads the job's CPU time from the cpuacct group
// Slurm made for it (attribution "cgroup"), and attributes as much as that
// group counted.
TEST_F(SlurmCpuacctTest, SamplersAttributeTheCpuTimeOfSlurmsCpuacctGroups) {
  std::ofstream(dir_ / "token") << "cluster-token\n";
  fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  const pid_t serve =
      start({"serve", "--listen", "127.0.0.1:0", "--token-file", (dir_ / "token").string()}, "controller");
  int port = 0;
  ASSERT_TRUE(eventually(
      [&] {
        port = greenrun::testing::listening_port(read_file(dir_ / "controller" / "stdout.txt"));
        return port != 0;
      },
      1500))
      << read_file(dir_ / "controller" / "stderr.txt");
  std::map<std::string, pid_t> samplers;
  for (const auto& node : cluster_->nodes())
    samplers[node] = start({"slurm", "sampler", "--server", "http://127.0.0.1:" + std::to_string(port), "--token-file",
                            (dir_ / "token").string(), "--node", node, "--zone", "DE", "--interval", "500ms",
                            "--sensors", "fake", "--spool", (dir_ / ("spool-" + node + ".jsonl")).string()},
                           "sampler-" + node);
  auto sampler_out = [&](const std::string& node) { return read_file(dir_ / ("sampler-" + node) / "stdout.txt"); };
  auto intervals = [&](const std::string& node) {
    const std::string out = sampler_out(node);
    return std::count(out.begin(), out.end(), '\n');
  };
  for (const auto& [node, pid] : samplers)
    ASSERT_TRUE(eventually([&] { return intervals(node) >= 2; }, 1500))
        << read_file(dir_ / ("sampler-" + node) / "stderr.txt");

  // On each node: 2 s of CPU, then a mark, then a sleep (no CPU) until the
  // test cancels the job, so no CPU time falls in the last partial interval
  // (which a sampler cannot see: Slurm removes the group at the end).
  const std::string job = sbatch(
      "-N2 -t 5 -o " + (dir_ / "job.out").string() + " --wrap 'srun sh -c \"timeout 2 sh -c \\\"while :; do :; done\\\"; "
      "touch " + (dir_ / "busy-done.").string() + "\\$SLURMD_NODENAME; exec sleep 120\"'");
  std::cout << "job " << job << "\n";
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& n : cluster_->nodes())
          if (!fs::exists(dir_ / ("busy-done." + n))) return false;
        return true;
      },
      3000))
      << cluster_->slurm("squeue").out << read_file(dir_ / "job.out");
  // Two more intervals of every sampler, so they have seen all the busy
  // time; then the job's CPU time as its cpuacct groups count it.
  std::map<std::string, long> seen;
  for (const auto& n : cluster_->nodes()) seen[n] = intervals(n);
  for (const auto& n : cluster_->nodes())
    ASSERT_TRUE(eventually([&] { return intervals(n) >= seen[n] + 2; }, 1500)) << sampler_out(n);
  std::map<std::string, double> cpuacct_s;
  for (const auto& n : cluster_->nodes()) {
    const fs::path group = fs::path("/sys/fs/cgroup/cpuacct") / ("slurm_" + n) / "uid_0" / ("job_" + job);
    ASSERT_TRUE(fs::exists(group / "cpuacct.usage")) << group;
    cpuacct_s[n] = std::stod(read_file(group / "cpuacct.usage")) / 1e9;
  }
  ASSERT_EQ(cluster_->slurm("scancel " + job).status, 0);
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(job).empty(); }, 1500)) << cluster_->slurm("squeue").out;

  for (const auto& [node, pid] : samplers) {
    ::kill(pid, SIGTERM);
    EXPECT_EQ(wait(pid), 0) << read_file(dir_ / ("sampler-" + node) / "stderr.txt");
    EXPECT_EQ(read_file(dir_ / ("spool-" + node + ".jsonl")), "") << node;
  }
  ::kill(serve, SIGTERM);
  EXPECT_EQ(wait(serve), 0);

  // The records: attribution "cgroup" on both nodes, and CPU time (share x
  // the interval x the host's CPUs) as the groups counted it.
  const std::string store = (dir_ / "controller" / "greenrun.db").string();
  auto records = runner::JobEnergyStore::open(store)->job(job);
  ASSERT_TRUE(records) << records.error().message;
  const double cpus = static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN));
  std::map<std::string, double> attributed_s;
  for (const auto& r : *records) {
    EXPECT_EQ(r.attribution, "cgroup") << r.node;
    attributed_s[r.node] += r.cpu_share * std::chrono::duration<double>(r.end - r.start).count() * cpus;
  }
  ASSERT_EQ(attributed_s.size(), 2u);
  for (const auto& n : cluster_->nodes()) {
    std::cout << n << ": cpuacct " << cpuacct_s[n] << " s, attributed " << attributed_s[n] << " s\n";
    EXPECT_GT(cpuacct_s[n], 0.1) << n;
    // The share is of /proc/stat's ticks, read a moment apart from the
    // interval's clock: a few per cent and a tick or two per interval.
    EXPECT_NEAR(attributed_s[n], cpuacct_s[n], 0.05 * cpuacct_s[n] + 0.1) << n;
  }

  // Without slurmdbd there is no Slurm figure beside it, and runs show says why.
  const pid_t show = start({"--store", store, "runs", "show", "slurm:" + job, "--json"}, "show");
  ASSERT_EQ(wait(show), 0) << read_file(dir_ / "show" / "stderr.txt");
  const auto shown = nlohmann::json::parse(read_file(dir_ / "show" / "stdout.txt"));
  ASSERT_EQ(shown["nodes"].size(), 2u);
  for (const auto& n : shown["nodes"]) EXPECT_EQ(n["attribution"], "cgroup");
  EXPECT_TRUE(shown["slurm_consumed_energy_j"].is_null());
  EXPECT_TRUE(shown["slurm_consumed_energy_note"].get<std::string>().starts_with("not configured (sacct: "))
      << shown["slurm_consumed_energy_note"];
}

}  // namespace
}  // namespace greenrun
