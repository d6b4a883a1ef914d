// A Slurm node for the node sampler's tests (engine::NodeSampler,
// greenrun/job_energy.h), shaped like a real one in a scratch folder: a
// procfs whose /proc/stat is that of a 2-CPU node, a cgroup v1 tree with
// Slurm's cpuacct group per job on node n1, a fake clock, and Services with
// the clock and a store in the folder. A test's fixture derives from it and
// sets services_.sensors (and anything else its node has) in its own SetUp
// after calling this one's.
//
// Thread-safety: none; one test owns one node.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "greenrun/job_energy.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::testing {

class FakeSlurmNode : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("slurm-node");
    services_.clock = &clock_;
    services_.store_path = (dir_ / "greenrun.db").string();
    set_machine_seconds(0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to `p`, making its folders.
  static void write_text(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // /proc/stat of the node at `seconds` since boot, half of it idle and half
  // busy: only the total counts (100 ticks per CPU-second, 2 CPUs).
  void set_machine_seconds(uint64_t seconds) {
    const uint64_t total = seconds * 2 * 100;
    write_text(dir_ / "proc" / "stat", "cpu  " + std::to_string(total / 2) + " 0 0 " +
                                           std::to_string(total - total / 2) +
                                           " 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\n");
  }
  // The CPU time job `id`'s cpuacct group has counted (cpuacct.usage, ns).
  void set_job_cpu(const std::string& id, double cpu_seconds) {
    write_text(dir_ / "cg" / "cpuacct" / "slurm_n1" / "uid_0" / ("job_" + id) / "cpuacct.usage",
               std::to_string(static_cast<uint64_t>(cpu_seconds * 1e9)) + "\n");
  }
  // The sampler of node n1 in DE every 10 s, over this node's trees.
  engine::NodeSamplerRequest request() const {
    engine::NodeSamplerRequest r;
    r.node = "n1";
    r.zone = "DE";
    r.interval = std::chrono::seconds(10);
    r.cpu.cgroup_root = (dir_ / "cg").string();
    r.cpu.procfs_root = (dir_ / "proc").string();
    return r;
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  engine::Services services_;
};

}  // namespace greenrun::testing
