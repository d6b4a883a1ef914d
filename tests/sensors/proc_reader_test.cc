#include "sensors/proc_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "fake_trees.h"

namespace greenrun::sensors {
namespace {

using greenrun::testing::ProcTree;

TEST(ProcReader, MachineCpuSplitsBusyFromIdle) {
  ProcTree proc;
  proc.set_machine(/*user*/ 100, /*system*/ 50, /*idle*/ 800, /*iowait*/ 40, /*steal*/ 10);
  auto t = ProcReader(proc.root()).machine_cpu();
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->busy, 160u);
  EXPECT_EQ(t->total, 1000u);
}

TEST(ProcReader, MalformedStatNamesTheFile) {
  ProcTree proc;
  greenrun::testing::write_text(std::filesystem::path(proc.root()) / "stat", "intr 1 2 3\n");
  auto t = ProcReader(proc.root()).machine_cpu();
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("/stat:1: expected a \"cpu \" line"), std::string::npos) << t.error().message;
}

TEST(ProcReader, CpuInfoOfATwoSocketServer) {
  ProcTree proc;
  proc.set_cpuinfo(greenrun::testing::xeon_6148_two_sockets_cpuinfo());
  auto info = ProcReader(proc.root()).cpu_info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->model_name, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
  EXPECT_EQ(info->logical_cpus, 4);
  EXPECT_EQ(info->sockets, 2);
  EXPECT_FALSE(info->hypervisor);
}

TEST(ProcReader, MemTotalInBytes) {
  ProcTree proc;
  proc.set_meminfo(16'384'000);
  EXPECT_EQ(*ProcReader(proc.root()).memory_total_bytes(), 16'384'000ULL * 1024);
}

TEST(ProcReader, TreeCpuWalksChildrenFiles) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 20, /*cutime*/ 5, /*cstime*/ 1);
  proc.set_process(11, 10, 30, 3);
  proc.set_process(12, 11, 7, 0);
  proc.set_process(99, 1, 1000, 1000);  // not in the tree
  proc.set_children(10, "11 ");
  proc.set_children(11, "12 ");
  proc.set_children(12, "");
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 126u + 33u + 7u);
  EXPECT_EQ(tree.pids.size(), 3u);
  EXPECT_EQ(tree.pids.front(), 10);
}

TEST(ProcReader, TreeCpuScansWhenChildrenFilesAreMissing) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_process(11, 10, 50, 0);
  proc.set_process(12, 99, 70, 0);
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 150u);
}

TEST(ProcReader, VanishedRootGivesAnEmptyTree) {
  ProcTree proc;
  auto tree = ProcReader(proc.root()).tree_cpu(4242);
  EXPECT_EQ(tree.ticks, 0u);
  EXPECT_TRUE(tree.pids.empty());
}

TEST(ProcReader, ReadsTheRealProcfs) {
  ProcReader real;
  auto t = real.machine_cpu();
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_GT(t->total, 0u);
  auto self = real.tree_cpu(::getpid());
  ASSERT_FALSE(self.pids.empty());
  EXPECT_EQ(self.pids.front(), ::getpid());
}

}  // namespace
}  // namespace greenrun::sensors
