// SlurmJobCpu over fake cgroup v1 and procfs trees shaped like a Slurm node,
// and attribute_to_jobs' conservation: the jobs' parts and the unattributed
// part add up to the node's energy, component by component.
#include "greenrun/sensors/slurm_jobs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fake_trees.h"
#include "testing/paths.h"

namespace greenrun::sensors {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::write_text;

class SlurmTree : public ::testing::Test {
 protected:
  void SetUp() override { root_ = greenrun::testing::make_temp_dir("slurm-jobs"); }
  void TearDown() override { fs::remove_all(root_); }

  fs::path cgroup() const { return root_ / "cpuacct"; }
  fs::path proc() const { return root_ / "proc"; }
  // <cgroup>/slurm/uid_<uid>/job_<id>/cpuacct.usage and a step folder.
  void set_job(const std::string& id, uint64_t ns, const std::string& step = "batch", int uid = 1000,
               const std::string& slurm = "slurm") {
    const fs::path job = cgroup() / slurm / ("uid_" + std::to_string(uid)) / ("job_" + id);
    write_text(job / "cpuacct.usage", std::to_string(ns) + "\n");
    write_text(job / ("step_" + step) / "cpuacct.usage", std::to_string(ns) + "\n");
  }
  void end_job(const std::string& id, int uid = 1000) {
    fs::remove_all(cgroup() / "slurm" / ("uid_" + std::to_string(uid)) / ("job_" + id));
  }
  // /proc/<pid>/{stat,environ}; utime+stime = ticks (split 3:1), starttime given.
  void set_process(int pid, uint64_t ticks, const std::string& env, uint64_t starttime = 500) {
    const uint64_t u = ticks * 3 / 4, s = ticks - u;
    write_text(proc() / std::to_string(pid) / "stat",
               std::to_string(pid) + " (python3 x) S 1 1 1 0 -1 4194560 100 0 0 0 " + std::to_string(u) + " " +
                   std::to_string(s) + " 0 0 20 0 1 0 " + std::to_string(starttime) + " 1000 100\n");
    std::string environ = env;
    for (char& c : environ)
      if (c == ';') c = '\0';
    write_text(proc() / std::to_string(pid) / "environ", environ);
  }
  JobCpuOptions options(const std::string& node = "") const {
    JobCpuOptions o;
    o.cgroup_root = root_.string();
    o.procfs_root = proc().string();
    o.node = node;
    return o;
  }
  fs::path root_;
};

TEST_F(SlurmTree, CgroupDeltasPerJobWithStepsAndJobsStartingAndEnding) {
  set_job("101", 5'000'000'000);
  fs::create_directories(proc());
  SlurmJobCpu cpu(options());
  auto first = cpu.sample();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->source, JobCpuSource::kCgroup);
  ASSERT_EQ(first->jobs.size(), 1u);
  EXPECT_TRUE(first->jobs.at("101").new_job);
  EXPECT_EQ(first->jobs.at("101").cpu_ns, 5'000'000'000u);  // all of it: since it started
  EXPECT_EQ(first->jobs.at("101").steps, std::vector<std::string>{"batch"});

  set_job("101", 7'000'000'000);
  set_job("102", 1'000'000'000, "0", 1001);  // starts mid-interval
  auto second = cpu.sample();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->jobs.at("101").cpu_ns, 2'000'000'000u);
  EXPECT_FALSE(second->jobs.at("101").new_job);
  EXPECT_EQ(second->jobs.at("102").cpu_ns, 1'000'000'000u);
  EXPECT_TRUE(second->jobs.at("102").new_job);
  EXPECT_TRUE(second->ended.empty());

  end_job("101");  // ends mid-interval: its cgroup is gone
  set_job("102", 1'500'000'000, "0", 1001);
  auto third = cpu.sample();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->jobs.size(), 1u);
  EXPECT_EQ(third->jobs.at("102").cpu_ns, 500'000'000u);
  EXPECT_EQ(third->ended, std::vector<std::string>{"101"});
}

TEST_F(SlurmTree, SeveralSlurmdOnOneHostEachSeeTheirOwnNodesCgroups) {
  set_job("201", 3'000, "0", 0, "slurm_n1");
  set_job("202", 4'000, "0", 0, "slurm_n2");
  SlurmJobCpu n1(options("n1")), n2(options("n2"));
  auto a = n1.sample();
  auto b = n2.sample();
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->jobs.size(), 1u);
  EXPECT_EQ(a->jobs.begin()->first, "201");
  ASSERT_EQ(b->jobs.size(), 1u);
  EXPECT_EQ(b->jobs.begin()->first, "202");
}

TEST_F(SlurmTree, FreezerGroupsOfProctrackCgroupListTheJobsProcesses) {
  // proctrack/cgroup alone: no cpuacct groups, the freezer's list the pids.
  const uint64_t ns = 10'000'000;  // per tick at 100 Hz
  const fs::path job = root_ / "freezer" / "slurm_n1" / "uid_0" / "job_31";
  write_text(job / "cgroup.procs", "");
  write_text(job / "step_batch" / "cgroup.procs", "20\n");
  write_text(job / "step_0" / "cgroup.procs", "21\n22\n");
  write_text(root_ / "freezer" / "slurm_n1" / "uid_0" / "job_32" / "step_0" / "cgroup.procs", "");  // no process now
  set_process(20, 5, "PATH=/bin");  // the environment does not matter here
  set_process(21, 100, "");
  set_process(22, 60, "");
  set_process(23, 999, "SLURM_JOB_ID=31;SLURMD_NODENAME=n1");  // not in the job's groups: not counted
  SlurmJobCpu cpu(options("n1"));
  auto first = cpu.sample();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->source, JobCpuSource::kCgroupTasks);
  ASSERT_EQ(first->jobs.size(), 2u);
  EXPECT_EQ(first->jobs.at("31").cpu_ns, 165 * ns);
  EXPECT_EQ(first->jobs.at("31").steps, (std::vector<std::string>{"0", "batch"}));
  EXPECT_EQ(first->jobs.at("32").cpu_ns, 0u);

  set_process(21, 130, "");
  write_text(job / "step_0" / "cgroup.procs", "21\n");  // 22 exited
  fs::remove_all(root_ / "freezer" / "slurm_n1" / "uid_0" / "job_32");
  auto second = cpu.sample();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->jobs.at("31").cpu_ns, 30 * ns);
  EXPECT_EQ(second->ended, std::vector<std::string>{"32"});
}

TEST_F(SlurmTree, ProcessTreeWhenSlurmHasNoCgroupMatchingTheNodeAndPidReuse) {
  const uint64_t hz = 100, ns = 1'000'000'000;
  set_process(10, 300, "SLURM_JOB_ID=7;SLURMD_NODENAME=n1;SLURM_STEP_ID=0;PATH=/bin");
  set_process(11, 100, "SLURM_JOB_ID=7;SLURMD_NODENAME=n1;SLURM_STEP_ID=batch");
  set_process(12, 900, "SLURM_JOB_ID=8;SLURMD_NODENAME=n2");  // the other node's job, same host
  set_process(13, 900, "PATH=/bin");                          // not a job
  write_text(proc() / "stat", "cpu 1 2 3 4\n");
  SlurmJobCpu cpu(options("n1"));
  auto first = cpu.sample();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->source, JobCpuSource::kProcessTree);
  ASSERT_EQ(first->jobs.size(), 1u);
  EXPECT_EQ(first->jobs.at("7").cpu_ns, 400 * ns / hz);
  EXPECT_EQ(first->jobs.at("7").steps, (std::vector<std::string>{"0", "batch"}));

  set_process(10, 350, "SLURM_JOB_ID=7;SLURMD_NODENAME=n1");
  fs::remove_all(proc() / "11");                                   // exited: its last ticks are missed
  set_process(14, 20, "SLURM_JOB_ID=7;SLURMD_NODENAME=n1", 900);   // started mid-interval
  set_process(13, 40, "SLURM_JOB_ID=9;SLURMD_NODENAME=n1", 950);   // pid 13 reused by a new job
  auto second = cpu.sample();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->jobs.at("7").cpu_ns, 70 * ns / hz);
  EXPECT_EQ(second->jobs.at("9").cpu_ns, 40 * ns / hz);
  EXPECT_TRUE(second->jobs.at("9").new_job);

  fs::remove_all(proc() / "13");
  auto third = cpu.sample();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->ended, std::vector<std::string>{"9"});
  EXPECT_EQ(third->jobs.at("7").cpu_ns, 0u);
}

TEST(AttributeToJobs, PartsAndTheIdleShareAddUpToTheNode) {
  const std::vector<NodeComponentEnergy> node = {{Component::kCpu, Energy::joules(1000), Method::kMeasured},
                                                 {Component::kDram, Energy::joules(100), Method::kEstimated},
                                                 {Component::kGpu, Energy::joules(500), Method::kMeasured}};
  // 2 CPUs x 10 s = 20 s of capacity; job a used 10 s, job b 5 s: 25 % idle.
  std::map<std::string, JobCpu> jobs;
  jobs["a"].cpu_ns = 10'000'000'000;
  jobs["b"].cpu_ns = 5'000'000'000;
  const auto a = attribute_to_jobs(node, 20'000'000'000, jobs);
  ASSERT_EQ(a.jobs.size(), 2u);
  EXPECT_DOUBLE_EQ(a.jobs[0].share, 0.5);
  EXPECT_DOUBLE_EQ(a.jobs[1].share, 0.25);
  EXPECT_DOUBLE_EQ(a.unattributed_share, 0.25);
  EXPECT_DOUBLE_EQ(a.jobs[0].components[0].energy.joules(), 500);
  EXPECT_DOUBLE_EQ(a.jobs[1].components[1].energy.joules(), 25);
  EXPECT_EQ(a.jobs[1].components[1].method, Method::kEstimated);
  EXPECT_DOUBLE_EQ(a.jobs[0].components[2].energy.joules(), 0);  // GPU is not shared by CPU time
  for (size_t c = 0; c < node.size(); ++c) {
    Energy sum = a.unattributed[c].energy;
    for (const auto& j : a.jobs) sum += j.components[c].energy;
    EXPECT_NEAR(sum.joules(), node[c].energy.joules(), 1e-9) << to_string(node[c].component);
  }
  EXPECT_DOUBLE_EQ(a.unattributed[0].energy.joules(), 250);
  EXPECT_DOUBLE_EQ(a.unattributed[2].energy.joules(), 500);
}

TEST(AttributeToJobs, MoreCpuTimeThanCapacityIsScaledToTheWholeNode) {
  const std::vector<NodeComponentEnergy> node = {{Component::kCpu, Energy::joules(300), Method::kMeasured}};
  std::map<std::string, JobCpu> jobs;
  jobs["a"].cpu_ns = 3'000;
  jobs["b"].cpu_ns = 1'000;
  const auto a = attribute_to_jobs(node, 2'000, jobs);
  EXPECT_DOUBLE_EQ(a.jobs[0].share + a.jobs[1].share, 1.0);
  EXPECT_NEAR(a.jobs[0].total().joules() + a.jobs[1].total().joules(), 300, 1e-9);
  EXPECT_NEAR(a.unattributed[0].energy.joules(), 0, 1e-9);
}

TEST(AttributeToJobs, NoJobsLeavesEverythingUnattributed) {
  const std::vector<NodeComponentEnergy> node = {{Component::kCpu, Energy::joules(42), Method::kMeasured}};
  const auto a = attribute_to_jobs(node, 0, {});
  EXPECT_TRUE(a.jobs.empty());
  EXPECT_DOUBLE_EQ(a.unattributed_share, 1.0);
  EXPECT_DOUBLE_EQ(a.unattributed[0].energy.joules(), 42);
}

}  // namespace
}  // namespace greenrun::sensors
