// Per-job energy across nodes against the real daemons (scripts/slurm-up.sh
// through testing/slurm_cluster.h): a 2-node job (`sbatch -N2`, a CPU load on
// both nodes), a `greenrun slurm sampler` per node posting to a real
// `greenrun serve` on a free loopback port, and `greenrun runs show
// slurm:JOBID` whose total is the sum of the per-node records in the store.
// The samplers use the simulated sensor (these machines have no readable
// energy counters), so the figures are labelled simulated; the attribution is
// real. Skipped, with the reason, only when Slurm is not installed.
#include <gtest/gtest.h>
#include <signal.h>

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
using greenrun::testing::SlurmCluster;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class SlurmJobEnergyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SLURM();
    dir_ = greenrun::testing::make_temp_dir("slurm-energy");
    std::string error;
    cluster_ = SlurmCluster::start(dir_, error);
    ASSERT_NE(cluster_, nullptr) << error;
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

  fs::path dir_;
  std::unique_ptr<SlurmCluster> cluster_;
  std::vector<pid_t> pids_;
};

TEST_F(SlurmJobEnergyTest, ATwoNodeJobsTotalIsTheSumOfItsPerNodeRecords) {
  std::ofstream(dir_ / "token") << "cluster-token\n";
  fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  const pid_t serve =
      start({"serve", "--listen", "127.0.0.1:0", "--token-file", (dir_ / "token").string()}, "controller");
  int port = 0;
  ASSERT_TRUE(eventually(
      [&] {
        port = greenrun::testing::listening_port(greenrun::testing::read_file(dir_ / "controller" / "stdout.txt"));
        return port != 0;
      },
      1500))
      << greenrun::testing::read_file(dir_ / "controller" / "stderr.txt");
  std::cout << "greenrun serve on port " << port << "\n";

  // One sampler per node, each in its own zone.
  std::map<std::string, std::string> zone = {{"n1", "DE"}, {"n2", "FR"}};
  std::map<std::string, pid_t> samplers;
  for (const auto& node : cluster_->nodes())
    samplers[node] = start({"slurm", "sampler", "--server", "http://127.0.0.1:" + std::to_string(port),
                            "--token-file", (dir_ / "token").string(), "--node", node, "--zone", zone[node],
                            "--interval", "250ms", "--sensors", "fake", "--spool",
                            (dir_ / ("spool-" + node + ".jsonl")).string()},
                           "sampler-" + node);
  for (const auto& [node, pid] : samplers)
    ASSERT_TRUE(eventually(
        [&] {
          return greenrun::testing::read_file(dir_ / ("sampler-" + node) / "stdout.txt").find("greenrun slurm sampler") !=
                 std::string::npos;
        },
        1500))
        << greenrun::testing::read_file(dir_ / ("sampler-" + node) / "stderr.txt");

  // A CPU load on both nodes for 2 s.
  const auto sub = cluster_->slurm("sbatch --parsable -N2 -o " + (dir_ / "job.out").string() +
                                   " --wrap 'srun sh -c \"timeout 2 sh -c \\\"while :; do :; done\\\"; exit 0\"'");
  ASSERT_EQ(sub.status, 0) << sub.out;
  const std::string id = trimmed(sub.out);
  std::cout << "job " << id << "\n";
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(id).empty(); }, 3000))
      << cluster_->slurm("squeue").out << greenrun::testing::read_file(dir_ / "job.out");

  // Stop the samplers: each samples the partial interval and flushes.
  for (const auto& [node, pid] : samplers) {
    ::kill(pid, SIGTERM);
    EXPECT_EQ(wait(pid), 0) << greenrun::testing::read_file(dir_ / ("sampler-" + node) / "stderr.txt");
    const std::string out = greenrun::testing::read_file(dir_ / ("sampler-" + node) / "stdout.txt");
    EXPECT_NE(out.find("job " + id), std::string::npos) << node << ":\n" << out;
    EXPECT_EQ(greenrun::testing::read_file(dir_ / ("spool-" + node + ".jsonl")), "") << node;
  }
  ::kill(serve, SIGTERM);
  EXPECT_EQ(wait(serve), 0);

  const std::string store = (dir_ / "controller" / "greenrun.db").string();
  const pid_t show = start({"--store", store, "runs", "show", "slurm:" + id, "--json"}, "show");
  ASSERT_EQ(wait(show), 0) << greenrun::testing::read_file(dir_ / "show" / "stderr.txt");
  const auto shown = nlohmann::json::parse(greenrun::testing::read_file(dir_ / "show" / "stdout.txt"));
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
