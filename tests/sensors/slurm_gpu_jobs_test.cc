// GPU energy per Slurm job (sensors/slurm_gpu_jobs.h): which job a host pid
// belongs to in procfs trees shaped like Slurm's (cgroup v1 with several
// slurmd, cgroup v2, the environment alone), the split of each GPU among its
// jobs with its label, the conservation law on a seeded loop, and the NVML
// sensor listing each GPU's processes through the stand-in library.
#include "sensors/slurm_gpu_jobs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "fake_trees.h"
#include "sensors/nvml/nvml_sensor.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

#ifndef GREENRUN_FAKE_NVML
#error "tests/fixtures/CMakeLists.txt defines GREENRUN_FAKE_NVML, the stand-in NVML library"
#endif

namespace greenrun::sensors {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::write_text;

TEST(JobOfProcess, ReadsTheJobFromItsCgroupElseItsEnvironmentAndKeepsToItsNode) {
  const fs::path proc = greenrun::testing::make_temp_dir("gpu-jobs-proc");
  // cgroup v1, two slurmd on one host: the freezer path names the node.
  write_text(proc / "100" / "cgroup",
             "12:cpuset:/\n4:freezer:/slurm_n1/uid_0/job_42/step_0\n1:name=systemd:/user.slice\n");
  // cgroup v2.
  write_text(proc / "101" / "cgroup", "0::/system.slice/slurmstepd.scope/job_43/step_batch/user/task_0\n");
  // Another node's job on the same host.
  write_text(proc / "102" / "cgroup", "4:freezer:/slurm_n2/uid_0/job_44/step_0\n");
  // proctrack/linuxproc: no job cgroup, the environment says it.
  write_text(proc / "103" / "cgroup", "0::/user.slice\n");
  write_text(proc / "103" / "environ", std::string("PATH=/bin\0SLURM_JOB_ID=45\0SLURMD_NODENAME=n1\0", 44));
  // A process in no job (a user's notebook on the node).
  write_text(proc / "104" / "cgroup", "0::/user.slice/user-1000.slice\n");
  write_text(proc / "104" / "environ", std::string("PATH=/bin\0", 10));
  // A look-alike folder name is not a job.
  write_text(proc / "105" / "cgroup", "0::/srv/job_backup/x\n");

  const std::string root = proc.string();
  EXPECT_EQ(job_of_process(root, "n1", 100), "42");
  EXPECT_EQ(job_of_process(root, "n1", 101), "43");
  EXPECT_EQ(job_of_process(root, "n1", 102), std::nullopt) << "n2's job is not n1's";
  EXPECT_EQ(job_of_process(root, "", 102), "44") << "no node given: any";
  EXPECT_EQ(job_of_process(root, "n1", 103), "45");
  EXPECT_EQ(job_of_process(root, "n2", 103), std::nullopt);
  EXPECT_EQ(job_of_process(root, "n1", 104), std::nullopt);
  EXPECT_EQ(job_of_process(root, "n1", 105), std::nullopt);
  EXPECT_EQ(job_of_process(root, "n1", 999), std::nullopt) << "a process gone since NVML listed it";
  fs::remove_all(proc);
}

// The node's GPU energy as attribute_to_jobs leaves it: all unattributed.
Attribution node_with_gpus(Energy gpu_total, const std::vector<std::string>& cpu_jobs) {
  std::map<std::string, JobCpu> jobs;
  for (const auto& j : cpu_jobs) jobs[j].cpu_ns = 1'000'000'000;
  return attribute_to_jobs({{Component::kCpu, Energy::joules(100), Method::kMeasured},
                            {Component::kGpu, gpu_total, Method::kMeasured}},
                           10'000'000'000ULL, jobs);
}

Energy gpu_of(const std::vector<NodeComponentEnergy>& components) {
  Energy e;
  for (const auto& c : components)
    if (c.component == Component::kGpu) e += c.energy;
  return e;
}

TEST(AttributeGpus, EachGpuGoesToTheJobsOnItByMemoryAndAnUnusedGpuStaysUnattributed) {
  // gpu0: job 1 holds 1 GB, job 2 3 GB. gpu1: only a process outside any job.
  // gpu2: no process at all. gpu3: memory not reported: equal parts.
  const std::vector<GpuEnergy> gpus = {
      {"gpu0", Energy::joules(400), Method::kMeasured, true, {{"1", 1'000'000'000}, {"2", 3'000'000'000}}},
      {"gpu1", Energy::joules(300), Method::kMeasured, true, {{std::nullopt, 2'000'000'000}}},
      {"gpu2", Energy::joules(200), Method::kMeasured, true, {}},
      {"gpu3", Energy::joules(100), Method::kIntegrated, true, {{"2", std::nullopt}, {std::nullopt, std::nullopt}}},
  };
  Attribution a = node_with_gpus(Energy::joules(1000), {"1", "2"});
  attribute_gpus(gpus, a);
  ASSERT_EQ(a.jobs.size(), 2u);
  EXPECT_DOUBLE_EQ(gpu_of(a.jobs[0].components).joules(), 100);
  EXPECT_EQ(a.jobs[0].gpu_method, kGpuByMemory);
  EXPECT_DOUBLE_EQ(gpu_of(a.jobs[1].components).joules(), 300 + 50);
  EXPECT_EQ(a.jobs[1].gpu_method, kGpuByProcessCount) << "one of its GPUs had no memory figures";
  // gpu1 (300), gpu2 (200) and the outsider's half of gpu3 (50) are nobody's.
  EXPECT_DOUBLE_EQ(gpu_of(a.unattributed).joules(), 550);
  // The CPU sharing is untouched.
  EXPECT_DOUBLE_EQ(a.jobs[0].share, 0.1);
}

TEST(AttributeGpus, AJobSeenOnlyOnAGpuIsAddedAndAnUnreadableListGivesNothing) {
  const std::vector<GpuEnergy> gpus = {
      {"gpu0", Energy::joules(90), Method::kMeasured, true, {{"7", 10}}},
      {"gpu1", Energy::joules(60), Method::kMeasured, false, {}},
  };
  Attribution a = node_with_gpus(Energy::joules(150), {"1"});
  attribute_gpus(gpus, a);
  ASSERT_EQ(a.jobs.size(), 2u);
  EXPECT_EQ(a.jobs[1].job_id, "7");
  EXPECT_DOUBLE_EQ(a.jobs[1].share, 0);
  EXPECT_DOUBLE_EQ(gpu_of(a.jobs[1].components).joules(), 90);
  EXPECT_EQ(gpu_of(a.jobs[0].components).joules(), 0);
  EXPECT_TRUE(a.jobs[0].gpu_method.empty());
  EXPECT_DOUBLE_EQ(gpu_of(a.unattributed).joules(), 60);
}

TEST(AttributeGpus, PropertyThePartsAddUpToEachGpuAndNoJobGetsMoreThanTheGpus) {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("GREENRUN_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "GREENRUN_SEED=" << seed << "\n";
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 500; ++round) {
    std::vector<GpuEnergy> gpus;
    Energy total;
    const int n = static_cast<int>(rng() % 4) + 1;
    for (int g = 0; g < n; ++g) {
      GpuEnergy e{"gpu" + std::to_string(g), Energy::joules(static_cast<double>(rng() % 1000)), Method::kMeasured,
                  rng() % 5 != 0, {}};
      const int procs = static_cast<int>(rng() % 5);
      const bool memory = rng() % 3 != 0;
      for (int p = 0; p < procs; ++p) {
        std::optional<std::string> job;
        if (rng() % 4 != 0) job = std::to_string(rng() % 3);
        e.processes.push_back({job, memory ? std::optional<uint64_t>(rng() % 4'000'000'000) : std::nullopt});
      }
      total += e.energy;
      gpus.push_back(std::move(e));
    }
    Attribution a = node_with_gpus(total, {"0", "1"});
    attribute_gpus(gpus, a);
    Energy jobs;
    for (const auto& j : a.jobs) {
      const Energy e = gpu_of(j.components);
      EXPECT_GE(e.joules(), 0) << "seed " << seed;
      jobs += e;
    }
    const Energy rest = gpu_of(a.unattributed);
    EXPECT_GE(rest.joules(), -1e-9) << "seed " << seed << " round " << round;
    EXPECT_NEAR(jobs.joules() + rest.joules(), total.joules(), 1e-6) << "seed " << seed << " round " << round;
  }
}

class NvmlProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("gpu-jobs-nvml");
    ::setenv("GREENRUN_FAKE_NVML_SCRIPT", (dir_ / "nvml.txt").c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("GREENRUN_FAKE_NVML_SCRIPT");
    fs::remove_all(dir_);
  }
  void script(const std::string& text) { write_text(dir_ / "nvml.txt", text); }
  fs::path dir_;
  greenrun::testing::FakeClock clock_;
};

TEST_F(NvmlProcesses, EachReadListsTheProcessesOnEveryGpu) {
  script("count=3\n0.energy_mj=0\n1.energy_mj=0\n2.energy_mj=0\n");
  auto s = nvml::NvmlSensor::open(GREENRUN_FAKE_NVML, std::nullopt, clock_.steady_now());
  ASSERT_TRUE(s) << s.error().message;
  script("count=3\n0.energy_mj=5000\n0.procs=100:1000,101:na\n1.energy_mj=3000\n2.energy_mj=2000\n2.procs=unsupported\n");
  clock_.advance(std::chrono::seconds(1));
  auto r = (*s)->read({clock_.steady_now(), {}, 0});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->readings.size(), 3u);
  ASSERT_EQ(r->gpu_processes.size(), 3u);
  EXPECT_EQ(r->gpu_processes[0].device, r->readings[0].device);
  ASSERT_EQ(r->gpu_processes[0].processes.size(), 2u);
  EXPECT_EQ(r->gpu_processes[0].processes[0].pid, 100u);
  EXPECT_EQ(r->gpu_processes[0].processes[0].used_memory_bytes, 1000u);
  EXPECT_EQ(r->gpu_processes[0].processes[1].used_memory_bytes, std::nullopt) << "na: not available";
  EXPECT_TRUE(r->gpu_processes[1].known);
  EXPECT_TRUE(r->gpu_processes[1].processes.empty());
  EXPECT_FALSE(r->gpu_processes[2].known) << "an unsupported list is not an empty one";
}

}  // namespace
}  // namespace greenrun::sensors
