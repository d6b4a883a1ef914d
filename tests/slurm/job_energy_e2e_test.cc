// Per-job energy across nodes against the real daemons (scripts/slurm-up.sh
// through testing/slurm_cluster.h): a 2-node job (`sbatch -N2`, a CPU load on
// both nodes), a `greenrun slurm sampler` per node posting to a real
// `greenrun serve` on a free loopback port, and `greenrun runs show
// slurm:JOBID` whose total is the sum of the per-node records in the store.
// The samplers use the simulated sensor (these machines have no readable
// energy counters), so the figures are labelled simulated; the attribution is
// real. Skipped, with the reason, only when Slurm is not installed.
#include <gtest/gtest.h>

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

class SlurmJobEnergyTest : public slurm_e2e::SlurmE2E {
 protected:
  SlurmJobEnergyTest() : SlurmE2E({.cluster = {}, .shared_store = false}) {}
};

TEST_F(SlurmJobEnergyTest, ATwoNodeJobsTotalIsTheSumOfItsPerNodeRecords) {
  // One sampler per node, each in its own zone.
  std::map<std::string, std::string> zone = {{"n1", "DE"}, {"n2", "FR"}};
  ASSERT_NO_FATAL_FAILURE(start_serve_and_samplers("250ms", zone));

  // A CPU load on both nodes for 2 s.
  const std::string id = sbatch("-N2 -o " + (dir_ / "job.out").string() +
                                " --wrap 'srun sh -c \"timeout 2 sh -c \\\"while :; do :; done\\\"; exit 0\"'");
  ASSERT_FALSE(id.empty());
  std::cout << "job " << id << "\n";
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(id).empty(); }, 3000))
      << cluster_->slurm("squeue").out << greenrun::testing::read_file(dir_ / "job.out");

  // Stop the samplers: each samples the partial interval and flushes.
  stop_samplers_and_serve();
  for (const auto& node : cluster_->nodes())
    EXPECT_NE(sampler_out(node).find("job " + id), std::string::npos) << node << ":\n" << sampler_out(node);

  const std::string store = serve_store();
  ASSERT_EQ(run("show", {"--store", store, "runs", "show", "slurm:" + id, "--json"}), 0) << err("show");
  const auto shown = nlohmann::json::parse(out("show"));
  std::cout << shown.dump(2) << "\n";

  // The per-node records, read from the store itself.
  auto records = runner::JobEnergyStore::open(store)->job(id);
  ASSERT_TRUE(records) << records.error().message;
  std::map<std::string, double> per_node;
  for (const auto& r : *records) per_node[r.node] += r.energy().joules();
  ASSERT_EQ(per_node.size(), 2u);

  ASSERT_EQ(shown["nodes"].size(), 2u);
  double sum_energy = 0, sum_emissions = 0;
  for (const auto& n : shown["nodes"]) {
    const std::string node = n["node"];
    EXPECT_EQ(n["zone"], zone[node]);
    // slurm-up's proctrack/cgroup keeps freezer groups only (cpuacct ones
    // come with jobacct_gather/cgroup, --cpuacct); proctrack/linuxproc none.
    EXPECT_EQ(n["attribution"], cluster_->proctrack() == "cgroup" ? "cgroup-tasks" : "process-tree");
    EXPECT_GT(n["energy_j"].get<double>(), 0) << node;
    EXPECT_NEAR(n["energy_j"].get<double>(), per_node[node], 1e-9) << node;
    sum_energy += n["energy_j"].get<double>();
    sum_emissions += n["emissions_g"].get<double>();
  }
  EXPECT_NEAR(shown["energy_j"].get<double>(), sum_energy, 1e-9);
  EXPECT_NEAR(shown["emissions_g"].get<double>(), sum_emissions, 1e-12);
  EXPECT_EQ(shown["method"], "simulated");
  EXPECT_TRUE(shown["slurm_consumed_energy_note"].get<std::string>().starts_with("not configured"));
}

}  // namespace
}  // namespace greenrun
