// The Slurm node sampler (engine::NodeSampler) on a node with GPUs: the NVML
// sensor through the stand-in library (tests/fixtures/fake_nvml.c), a fake
// procfs whose processes sit in Slurm job cgroups, a fake clock. Each GPU's
// energy goes to the jobs whose processes use it, labelled; a GPU used by no
// job stays unattributed; the parts add up to the node.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "greenrun/job_energy.h"
#include "greenrun/runner/job_energy_record.h"
#include "runner/sensor_setup.h"
#include "sensors/nvml/nvml_sensor.h"
#include "testing/fake_clock.h"
#include "testing/fake_slurm_node.h"
#include "testing/paths.h"

#ifndef GREENRUN_FAKE_NVML
#error "tests/fixtures/CMakeLists.txt defines GREENRUN_FAKE_NVML, the stand-in NVML library"
#endif

namespace greenrun::engine {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::FakeClock;

class NodeGpuEnergy : public greenrun::testing::FakeSlurmNode {
 protected:
  void SetUp() override {
    FakeSlurmNode::SetUp();
    ::setenv("GREENRUN_FAKE_NVML_SCRIPT", (dir_ / "nvml.txt").c_str(), 1);
    services_.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
      auto nvml = sensors::nvml::NvmlSensor::open(GREENRUN_FAKE_NVML, std::nullopt, now);
      if (!nvml) return std::unexpected(nvml.error());
      runner::SensorSetup s;
      s.sensors.push_back(std::move(*nvml));
      s.label = "nvml";
      return s;
    };
    // Two GPUs at 0 mJ on the 2-CPU node.
    nvml("count=2\n0.name=NVIDIA A100\n0.energy_mj=0\n1.name=NVIDIA A100\n1.energy_mj=0\n");
    // Job 1's process 100 and job 2's 200 in their freezer groups (cgroup
    // v1, as proctrack/cgroup keeps them); 300 belongs to no job.
    write_text(dir_ / "proc" / "100" / "cgroup", "4:freezer:/slurm_n1/uid_0/job_1/step_0\n");
    write_text(dir_ / "proc" / "200" / "cgroup", "4:freezer:/slurm_n1/uid_0/job_2/step_0\n");
    write_text(dir_ / "proc" / "300" / "cgroup", "0::/user.slice\n");
    set_job_cpu("1", 0);
    set_job_cpu("2", 0);
  }
  void TearDown() override {
    ::unsetenv("GREENRUN_FAKE_NVML_SCRIPT");
    FakeSlurmNode::TearDown();
  }
  void nvml(const std::string& text) { write_text(dir_ / "nvml.txt", text); }
};

TEST_F(NodeGpuEnergy, EachGpuGoesToTheJobsOnItAndAGpuUsedByNoJobStaysUnattributed) {
  auto s = NodeSampler::open(request(), services_);
  ASSERT_TRUE(s) << s.error().message;
  // Over 10 s: gpu0 uses 4000 J, shared by job 1 (1 GB) and job 2 (3 GB);
  // gpu1 uses 2000 J for a process outside any job.
  clock_.advance(std::chrono::seconds(10));
  set_machine_seconds(10);
  set_job_cpu("1", 5);
  set_job_cpu("2", 5);
  nvml("count=2\n0.name=NVIDIA A100\n0.energy_mj=4000000\n0.procs=100:1000000000,200:3000000000\n"
       "1.name=NVIDIA A100\n1.energy_mj=2000000\n1.procs=300:500000000\n");
  auto iv = (*s)->sample_at_next_deadline();
  ASSERT_TRUE(iv) << iv.error().message;
  EXPECT_DOUBLE_EQ(iv->node_energy.joules(), 6000);
  ASSERT_EQ(iv->records.size(), 2u);
  const auto gpu = [](const runner::JobEnergyRecord& r) {
    double j = 0;
    for (const auto& c : r.components)
      if (c.component == sensors::Component::kGpu) j += c.energy.joules();
    return j;
  };
  EXPECT_EQ(iv->records[0].job_id, "1");
  EXPECT_DOUBLE_EQ(gpu(iv->records[0]), 1000);
  EXPECT_DOUBLE_EQ(gpu(iv->records[1]), 3000);
  EXPECT_EQ(iv->records[0].gpu_attribution, "gpu-memory");
  EXPECT_EQ(iv->records[0].method(), sensors::Method::kMeasured);
  EXPECT_DOUBLE_EQ(iv->unattributed.joules(), 2000) << "gpu1 ran no job's process";
  EXPECT_NEAR(iv->records[0].energy().joules() + iv->records[1].energy().joules() + iv->unattributed.joules(),
              iv->node_energy.joules(), 1e-9);
  // The label travels in the record's JSON, and is refused when unknown.
  const std::string json = runner::to_json(iv->records[0]);
  EXPECT_NE(json.find("\"gpu_attribution\":\"gpu-memory\""), std::string::npos) << json;
  auto back = runner::parse_record(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->gpu_attribution, "gpu-memory");
  std::string bad = json;
  bad.replace(bad.find("gpu-memory"), 10, "by-magic");
  auto refused = runner::parse_record(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("$.gpu_attribution"), std::string::npos) << refused.error().message;

  // Next interval: no process on any GPU: all GPU energy unattributed, no label.
  clock_.advance(std::chrono::seconds(10));
  set_machine_seconds(20);
  set_job_cpu("1", 10);
  set_job_cpu("2", 10);
  nvml("count=2\n0.name=NVIDIA A100\n0.energy_mj=5000000\n1.name=NVIDIA A100\n1.energy_mj=2500000\n");
  iv = (*s)->sample_at_next_deadline();
  ASSERT_TRUE(iv) << iv.error().message;
  ASSERT_EQ(iv->records.size(), 2u);
  EXPECT_DOUBLE_EQ(gpu(iv->records[0]), 0);
  EXPECT_TRUE(iv->records[0].gpu_attribution.empty());
  EXPECT_EQ(runner::to_json(iv->records[0]).find("gpu_attribution"), std::string::npos);
  EXPECT_DOUBLE_EQ(iv->unattributed.joules(), 1500);
}

}  // namespace
}  // namespace greenrun::engine
