// The sampler's cpuacct source against real Slurm: a 2-node cluster whose
// Slurm keeps a cgroup v1 cpuacct group per job and node
// (scripts/slurm-up.sh --cpuacct: task/cgroup, jobacct_gather/cgroup;
// cgroups /sys/fs/cgroup/cpuacct/slurm_<node>/uid_<uid>/job_<id>/), a
// `greenrun slurm sampler` per node posting to a real `greenrun serve`: each
// node's records say attribution "cgroup" and hold the CPU time the job's
// group counted. Skipped, with the reason, only when Slurm is not installed
// or the host has no writable cgroup v1 freezer and cpuacct.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "runner/job_energy_store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/slurm_cluster.h"

#include "slurm_e2e.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;
using greenrun::testing::read_file;

class SlurmCpuacctTest : public slurm_e2e::SlurmE2E {
 protected:
  SlurmCpuacctTest() : SlurmE2E({.cluster = {.cpuacct = true}, .shared_store = false}) {}
};

// The sampler on each node reads the job's CPU time from the cpuacct group
// Slurm made for it (attribution "cgroup"), and attributes as much as that
// group counted.
TEST_F(SlurmCpuacctTest, SamplersAttributeTheCpuTimeOfSlurmsCpuacctGroups) {
  ASSERT_NO_FATAL_FAILURE(start_serve_and_samplers("500ms"));
  auto intervals = [&](const std::string& node) {
    const std::string out = sampler_out(node);
    return std::count(out.begin(), out.end(), '\n');
  };
  for (const auto& n : cluster_->nodes())
    ASSERT_TRUE(eventually([&] { return intervals(n) >= 2; }, 1500)) << sampler_err(n);

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

  stop_samplers_and_serve();

  // The records: attribution "cgroup" on both nodes, and CPU time (share x
  // the interval x the host's CPUs) as the groups counted it.
  auto records = runner::JobEnergyStore::open(serve_store())->job(job);
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
  ASSERT_EQ(run("show", {"--store", serve_store(), "runs", "show", "slurm:" + job, "--json"}), 0) << err("show");
  const auto shown = nlohmann::json::parse(out("show"));
  ASSERT_EQ(shown["nodes"].size(), 2u);
  for (const auto& n : shown["nodes"]) EXPECT_EQ(n["attribution"], "cgroup");
  EXPECT_TRUE(shown["slurm_consumed_energy_j"].is_null());
  EXPECT_TRUE(shown["slurm_consumed_energy_note"].get<std::string>().starts_with("not configured (sacct: "))
      << shown["slurm_consumed_energy_note"];
}

}  // namespace
}  // namespace greenrun
