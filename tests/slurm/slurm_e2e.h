// Shared set-up of the end-to-end Slurm tests: a real 2-node cluster
// (testing/slurm_cluster.h), a scratch store with a 1-minute forecast, and
// the built greenrun run against both.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

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

class SlurmE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SLURM();
    dir_ = greenrun::testing::make_temp_dir("slurm-e2e");
    fs::create_directories(dir_ / "store");
    std::string error;
    cluster_ = greenrun::testing::SlurmCluster::start(dir_, error);
    ASSERT_NE(cluster_, nullptr) << error;
  }
  void TearDown() override {
    for (pid_t p : started_) {
      ::kill(p, SIGTERM);
      greenrun::testing::wait_exit(p);
    }
    cluster_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  fs::path store() const { return dir_ / "store" / "greenrun.db"; }
  // greenrun ARGS with the cluster's SLURM_CONF and the test's store; its
  // stdout and stderr in dir/NAME/.
  pid_t start(const std::string& name, const std::vector<std::string>& args) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    fs::create_directories(dir_ / "store");
    auto env = cluster_->env();
    env.emplace_back("GREENRUN_STORE", store().string());
    return greenrun::testing::start_cli(args, d, env);
  }
  int run(const std::string& name, const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(start(name, args));
  }
  std::string out(const std::string& name) const { return greenrun::testing::read_file(dir_ / name / "stdout.txt"); }
  std::string err(const std::string& name) const { return greenrun::testing::read_file(dir_ / name / "stderr.txt"); }
  // sbatch ARGS: the job id.
  std::string sbatch(const std::string& args) {
    const auto r = cluster_->slurm("sbatch --parsable " + args);
    EXPECT_EQ(r.status, 0) << r.out;
    return trimmed(r.out);
  }

  fs::path dir_;
  std::unique_ptr<greenrun::testing::SlurmCluster> cluster_;
  std::vector<pid_t> started_;
};

}  // namespace greenrun::slurm_e2e
