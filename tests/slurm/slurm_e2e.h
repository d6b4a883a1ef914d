// Shared set-up of the end-to-end Slurm tests: a real cluster
// (testing/slurm_cluster.h: 2 nodes, with slurmdbd or cpuacct groups where
// the test asks) in a scratch folder with a store, and the built greenrun run
// against it. Every greenrun a test starts is stopped at the end if the test
// did not wait for it (SIGTERM, then SIGKILL after 10 s), so a failed
// assertion leaves no process behind; then the cluster is stopped and the
// folder removed.
//
// Use it directly (TEST_F(SlurmE2E, ...)), or name a fixture of your own
// that passes SlurmE2EOptions to the constructor:
//   class SlurmAccountingTest : public slurm_e2e::SlurmE2E {
//    protected:
//     SlurmAccountingTest() : SlurmE2E({.cluster = {.accounting = true}}) {}
//   };
// The test is skipped, with the reason, only when Slurm (or what the options
// ask for: slurmdbd and MariaDB, writable cgroup v1 cpuacct) is not there.
//
// Thread-safety: none; one test owns one fixture.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "testing/cli_process.h"
#include "testing/minute_forecast.h"
#include "testing/paths.h"
#include "testing/slurm_cluster.h"

namespace greenrun::slurm_e2e {

namespace fs = std::filesystem;

inline std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

inline int64_t epoch_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct SlurmE2EOptions {
  greenrun::testing::SlurmClusterOptions cluster;
  // true: every greenrun started gets GREENRUN_STORE=store(), the test's one
  // store (the commands of a login node); false: each its own,
  // dir/NAME/greenrun.db (processes on different machines, such as serve and
  // the node samplers).
  bool shared_store = true;
};

class SlurmE2E : public ::testing::Test {
 protected:
  SlurmE2E() = default;
  explicit SlurmE2E(SlurmE2EOptions options) : options_(std::move(options)) {}

  void SetUp() override {
    if (options_.cluster.accounting) {
      GREENRUN_REQUIRE_SLURM_ACCOUNTING();
    } else {
      GREENRUN_REQUIRE_SLURM();
    }
    if (options_.cluster.cpuacct) {
      std::string why;
      if (!greenrun::testing::has_cgroup_v1_cpuacct(why)) GTEST_SKIP() << "needs cgroup v1 cpuacct: " << why;
    }
    dir_ = greenrun::testing::make_temp_dir("slurm-e2e");
    fs::create_directories(dir_ / "store");
    std::string error;
    cluster_ = greenrun::testing::SlurmCluster::start(dir_, error, options_.cluster);
    ASSERT_NE(cluster_, nullptr) << error;
    // What was asked for is what slurm-up.sh started.
    if (options_.cluster.accounting) {
      ASSERT_EQ(cluster_->accounting(), "slurmdbd");
    }
    if (options_.cluster.cpuacct) {
      ASSERT_EQ(cluster_->jobacct(), "cgroup");
    }
  }
  void TearDown() override {
    for (pid_t p : children_) {
      ::kill(p, SIGTERM);
      int status = 0;
      const auto gone = [&] {
        const pid_t r = ::waitpid(p, &status, WNOHANG);
        return r == p || r < 0;
      };
      if (!greenrun::testing::eventually(gone, 500)) {
        ::kill(p, SIGKILL);
        greenrun::testing::wait_exit(p);
      }
    }
    children_.clear();
    cluster_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  fs::path store() const { return dir_ / "store" / "greenrun.db"; }
  // Starts greenrun ARGS with the cluster's SLURM_CONF (and the store, as
  // the options say); its stdout and stderr in dir/NAME/. TearDown stops it
  // unless the test waits for it.
  pid_t start(const std::string& name, const std::vector<std::string>& args) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    auto env = cluster_->env();
    if (options_.shared_store) env.emplace_back("GREENRUN_STORE", store().string());
    const pid_t p = greenrun::testing::start_cli(args, d, env);
    children_.push_back(p);
    return p;
  }
  // Waits for a process start() gave: its exit code, or 128 + its signal.
  int wait(pid_t p) {
    const int status = greenrun::testing::wait_exit(p);
    std::erase(children_, p);
    return status;
  }
  int run(const std::string& name, const std::vector<std::string>& args) { return wait(start(name, args)); }
  std::string out(const std::string& name) const { return greenrun::testing::read_file(dir_ / name / "stdout.txt"); }
  std::string err(const std::string& name) const { return greenrun::testing::read_file(dir_ / name / "stderr.txt"); }
  // sbatch ARGS: the job id.
  std::string sbatch(const std::string& args) {
    const auto r = cluster_->slurm("sbatch --parsable " + args);
    EXPECT_EQ(r.status, 0) << r.out;
    return trimmed(r.out);
  }

  // `greenrun serve` on a free loopback port with a token (dir/controller/),
  // and on every node a `greenrun slurm sampler` with the fake sensor posting
  // to it every `interval` (dir/sampler-NODE/, spool dir/spool-NODE.jsonl),
  // in zone_by_node's zone (DE for a node it does not name). Returns once
  // serve listens and every sampler has started; wrap the call in
  // ASSERT_NO_FATAL_FAILURE.
  void start_serve_and_samplers(const std::string& interval, const std::map<std::string, std::string>& zone_by_node = {}) {
    std::ofstream(dir_ / "token") << "cluster-token\n";
    fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
    serve_ = start("controller", {"serve", "--listen", "127.0.0.1:0", "--token-file", (dir_ / "token").string()});
    int port = 0;
    ASSERT_TRUE(greenrun::testing::eventually(
        [&] {
          port = greenrun::testing::listening_port(out("controller"));
          return port != 0;
        },
        1500))
        << err("controller");
    std::cout << "greenrun serve on port " << port << "\n";
    for (const auto& node : cluster_->nodes()) {
      const auto zone = zone_by_node.find(node);
      samplers_[node] = start("sampler-" + node,
                              {"slurm", "sampler", "--server", "http://127.0.0.1:" + std::to_string(port),
                               "--token-file", (dir_ / "token").string(), "--node", node, "--zone",
                               zone == zone_by_node.end() ? "DE" : zone->second, "--interval", interval, "--sensors",
                               "fake", "--spool", (dir_ / ("spool-" + node + ".jsonl")).string()});
    }
    for (const auto& [node, pid] : samplers_)
      ASSERT_TRUE(greenrun::testing::eventually(
          [&] { return sampler_out(node).find("greenrun slurm sampler") != std::string::npos; }, 1500))
          << sampler_err(node);
  }
  // SIGTERM to each sampler (it samples the partial interval, sends
  // everything and exits 0 with an empty spool), then to serve (exit 0).
  void stop_samplers_and_serve() {
    for (const auto& [node, pid] : samplers_) {
      ::kill(pid, SIGTERM);
      EXPECT_EQ(wait(pid), 0) << sampler_err(node);
      EXPECT_EQ(greenrun::testing::read_file(dir_ / ("spool-" + node + ".jsonl")), "") << node;
    }
    samplers_.clear();
    ::kill(serve_, SIGTERM);
    EXPECT_EQ(wait(serve_), 0) << err("controller");
  }
  std::string sampler_out(const std::string& node) const { return out("sampler-" + node); }
  std::string sampler_err(const std::string& node) const { return err("sampler-" + node); }
  // The store serve keeps the samplers' records in.
  std::string serve_store() const {
    return (options_.shared_store ? store() : dir_ / "controller" / "greenrun.db").string();
  }

  SlurmE2EOptions options_;
  fs::path dir_;
  std::unique_ptr<greenrun::testing::SlurmCluster> cluster_;
  std::vector<pid_t> children_;  // started, not yet waited for
  pid_t serve_ = -1;
  std::map<std::string, pid_t> samplers_;  // by node
};

}  // namespace greenrun::slurm_e2e
