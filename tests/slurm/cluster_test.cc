// The test cluster itself (scripts/slurm-up.sh through testing/slurm_cluster.h):
// two real slurmd nodes; a 2-node job runs a task on each; `scontrol
// suspend` stops the job's processes on every node (state T) and `resume`
// continues them. Skipped, with the reason, only when Slurm is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/slurm_cluster.h"

#include "slurm_e2e.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;
using slurm_e2e::trimmed;

class SlurmClusterTest : public slurm_e2e::SlurmE2E {};

TEST_F(SlurmClusterTest, TwoNodesRunATwoNodeJobAndSuspendStopsItsProcessesOnEveryNode) {
  ASSERT_EQ(cluster_->nodes(), (std::vector<std::string>{"n1", "n2"}));
  std::cout << "proctrack/" << cluster_->proctrack() << "\n";
  const auto sub = cluster_->slurm("sbatch --parsable -N2 -o " + (dir_ / "job.out").string() +
                                   " --wrap 'srun -l sh -c \"echo \\$SLURMD_NODENAME; exec sleep 120\"'");
  ASSERT_EQ(sub.status, 0) << sub.out;
  const std::string id = trimmed(sub.out);
  // Both tasks have started: one line per node, and two sleep processes.
  ASSERT_TRUE(eventually([&] { return cluster_->job_pids(id).size() >= 2; }, 1500))
      << cluster_->slurm("squeue").out << greenrun::testing::read_file(dir_ / "job.out");
  ASSERT_TRUE(eventually(
      [&] {
        const std::string out = greenrun::testing::read_file(dir_ / "job.out");
        return out.find("n1") != std::string::npos && out.find("n2") != std::string::npos;
      },
      1500))
      << greenrun::testing::read_file(dir_ / "job.out");

  ASSERT_EQ(cluster_->slurm("scontrol suspend " + id).status, 0);
  EXPECT_EQ(cluster_->job_state(id), "SUSPENDED");
  auto all_in = [&](char state) {
    const auto pids = cluster_->job_pids(id);
    return !pids.empty() && std::all_of(pids.begin(), pids.end(), [&](int pid) {
      const char s = greenrun::testing::proc_state(pid);
      return s == state || s == '?';
    });
  };
  EXPECT_TRUE(eventually([&] { return all_in('T'); }, 500));
  ASSERT_EQ(cluster_->slurm("scontrol resume " + id).status, 0);
  EXPECT_EQ(cluster_->job_state(id), "RUNNING");
  EXPECT_TRUE(eventually([&] { return all_in('S'); }, 500));
  EXPECT_EQ(cluster_->slurm("scancel " + id).status, 0);
}

}  // namespace
}  // namespace greenrun
