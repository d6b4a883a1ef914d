#include "sensors/proc_reader.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "fake_trees.h"
#include "testing/seed.h"

namespace greenrun::sensors {
namespace {

using greenrun::testing::ProcTree;

TEST(ProcReader, MachineCpuSplitsBusyFromIdle) {
  ProcTree proc;
  proc.set_machine(/*user*/ 100, /*system*/ 50, /*idle*/ 800, /*iowait*/ 40,
                   /*steal*/ 10);
  auto t = ProcReader(proc.root()).machine_cpu();
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->busy, 160u);
  EXPECT_EQ(t->total, 1000u);
}

TEST(ProcReader, MalformedStatNamesTheFile) {
  ProcTree proc;
  greenrun::testing::write_text(std::filesystem::path(proc.root()) / "stat",
                                "intr 1 2 3\n");
  auto t = ProcReader(proc.root()).machine_cpu();
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("/stat:1: expected a \"cpu \" line"),
            std::string::npos)
      << t.error().message;
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
  EXPECT_EQ(*ProcReader(proc.root()).memory_total_bytes(),
            16'384'000ULL * 1024);
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
  EXPECT_EQ(tree.pids, (std::vector<pid_t>{
                           10, 11, 12}));  // grandchild included, parents first
  EXPECT_EQ(tree.walk, TreeWalk::kChildrenFiles);
}

TEST(ProcReader, TreeCpuFollowsTheChildrenOfEveryThread) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_children(10, "11 ");
  proc.add_thread(10, 13, "20 21 ");  // a worker thread forked two processes
  proc.add_thread(10, 14, "");
  for (int pid : {11, 20, 21}) {
    proc.set_process(pid, 10, 10, 0);
    proc.set_children(pid, "");
  }
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 130u);
  EXPECT_EQ(std::set<pid_t>(tree.pids.begin(), tree.pids.end()),
            (std::set<pid_t>{10, 11, 20, 21}));
  EXPECT_EQ(tree.walk, TreeWalk::kChildrenFiles);
}

TEST(ProcReader, TreeCpuIgnoresUnrelatedProcesses) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_children(10, "11 ");
  proc.set_process(11, 10, 50, 0);
  proc.set_children(11, "");
  // Beside the job: a daemon with a child, and a process re-parented away
  // from the job (it names a tree member as parent in no children file).
  proc.set_process(1, 0, 5000, 0);
  proc.set_children(1, "10 30 40 ");
  proc.set_process(30, 1, 700, 0);
  proc.set_children(30, "31 ");
  proc.set_process(31, 30, 70, 0);
  proc.set_children(31, "");
  proc.set_process(40, 1, 900, 0);
  proc.set_children(40, "");
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 150u);
  EXPECT_EQ(tree.pids, (std::vector<pid_t>{10, 11}));
}

TEST(ProcReader, TreeCpuScansWhenChildrenFilesAreMissing) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_process(11, 10, 50, 0);
  proc.set_process(13, 11, 5, 0);
  proc.set_process(12, 99, 70, 0);
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 155u);
  EXPECT_EQ(tree.pids, (std::vector<pid_t>{10, 11, 13}));
  EXPECT_EQ(tree.walk,
            TreeWalk::kScanAll);  // labelled, so the sampler can say so
}

TEST(ProcReader, AProcessThatExitsDuringTheWalkStartsNoScan) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_children(10, "11 12 ");
  proc.set_process(11, 10, 50, 0);
  proc.remove_tasks(11);  // exited after its stat was read
  // 12 is listed but already gone.
  auto tree = ProcReader(proc.root()).tree_cpu(10);
  EXPECT_EQ(tree.ticks, 150u);
  EXPECT_EQ(tree.walk, TreeWalk::kChildrenFiles);
}

TEST(ProcReader, ScanningIsTheSameTreeAsFollowingChildrenFiles) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 20, 5, 1);
  proc.set_children(10, "11 ");
  proc.add_thread(10, 15, "12 ");
  proc.set_process(11, 10, 30, 3);
  proc.set_children(11, "");
  proc.set_process(12, 10, 7, 0);
  proc.set_children(12, "");
  proc.set_process(99, 1, 1000, 1000);
  const auto followed = ProcReader(proc.root()).tree_cpu(10);
  const auto scanned = ProcReader(proc.root(), TreeWalk::kScanAll).tree_cpu(10);
  EXPECT_EQ(scanned.walk, TreeWalk::kScanAll);
  EXPECT_EQ(followed.ticks, scanned.ticks);
  EXPECT_EQ(std::set<pid_t>(followed.pids.begin(), followed.pids.end()),
            std::set<pid_t>(scanned.pids.begin(), scanned.pids.end()));
}

// Property: on random process forests, following children files, scanning,
// and summing by brute force over parent links give the same tree.
TEST(ProcReader, PropertyBothWalksFindTheTreeOfParentLinks) {
  const auto seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int round = 0; round < 8; ++round) {
    ProcTree proc;
    const int n = 2 + static_cast<int>(rng() % 30);
    std::map<int, int> parent;  // pid -> ppid
    std::map<int, std::map<int, std::string>>
        children;  // pid -> tid -> "c1 c2 "
    std::map<int, uint64_t> ticks;
    for (int pid = 100; pid < 100 + n; ++pid) {
      const int ppid =
          pid == 100 || rng() % 4 == 0
              ? 1
              : 100 +
                    static_cast<int>(rng() % static_cast<unsigned>(pid - 100));
      parent[pid] = ppid;
      ticks[pid] = rng() % 1000;
      proc.set_process(pid, ppid, ticks[pid], 0);
      children[pid]
              [pid];  // every main thread has a (maybe empty) children file
      if (ppid != 1) {
        // Forked by the main thread or by another one.
        const int tid = rng() % 3 == 0 ? ppid + 1000 : ppid;
        children[ppid][tid] += std::to_string(pid) + " ";
      }
    }
    for (const auto& [pid, threads] : children) {
      for (const auto& [tid, list] : threads) {
        if (tid == pid)
          proc.set_children(pid, list);
        else
          proc.add_thread(pid, tid, list);
      }
    }
    const int root = 100 + static_cast<int>(rng() % static_cast<unsigned>(n));
    std::set<pid_t> expected{root};
    uint64_t expected_ticks = 0;
    for (int pid = 100; pid < 100 + n; ++pid) {
      int p = pid;
      while (p != root && p != 1) p = parent[p];
      if (p == root) {
        expected.insert(pid);
        expected_ticks += ticks[pid];
      }
    }
    for (TreeWalk walk : {TreeWalk::kChildrenFiles, TreeWalk::kScanAll}) {
      const auto tree = ProcReader(proc.root(), walk).tree_cpu(root);
      EXPECT_EQ(tree.ticks, expected_ticks) << "root " << root;
      EXPECT_EQ(std::set<pid_t>(tree.pids.begin(), tree.pids.end()), expected)
          << "root " << root;
      EXPECT_EQ(tree.walk, walk);
    }
  }
}

TEST(ProcReader, ReadsAReusedPidAfresh) {
  ProcTree proc;
  proc.set_process(10, 1, 100, 0);
  proc.set_children(10, "11 ");
  proc.set_process(11, 10, 50, 0);
  proc.set_children(11, "");
  const ProcReader reader(proc.root());
  EXPECT_EQ(reader.tree_cpu(10).ticks, 150u);
  // 11 exits and a new process gets its pid: the descriptors kept from the
  // first walk read nothing, as procfs gives for a process that has gone.
  proc.remove_process(11);
  proc.set_process(11, 10, 7, 0);
  proc.set_children(11, "12 ");
  proc.set_process(12, 11, 3, 0);
  proc.set_children(12, "");
  const auto tree = reader.tree_cpu(10);
  EXPECT_EQ(tree.ticks, 110u);
  EXPECT_EQ(tree.pids, (std::vector<pid_t>{10, 11, 12}));
}

size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

TEST(ProcReader, KeepsDescriptorsOnlyForTheTreeAndAtMostABoundedNumber) {
  ProcTree proc;
  std::string children;
  proc.set_process(10, 1, 1, 0);
  for (int pid = 100; pid < 250; ++pid) {
    proc.set_process(pid, 10, 1, 0);
    proc.set_children(pid, "");
    children += std::to_string(pid) + " ";
  }
  proc.set_children(10, children);
  const size_t before = open_descriptors();
  const ProcReader reader(proc.root());
  EXPECT_EQ(reader.tree_cpu(10).ticks, 151u);
  EXPECT_LE(open_descriptors(), before + 256);  // 151 processes, 128 kept open
  EXPECT_EQ(reader.tree_cpu(10).ticks, 151u);
  proc.set_children(10, "");  // the workers left the tree
  EXPECT_EQ(reader.tree_cpu(10).ticks, 1u);
  EXPECT_EQ(open_descriptors(), before + 2);  // the root's stat and children
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

// A child, forked by the calling thread, that lives until every write end of
// the pipe `hold` is closed.
pid_t fork_held_child(const int hold[2]) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(hold[1]);
    char c;
    while (::read(hold[0], &c, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  return pid;
}

TEST(ProcReader, FollowsARealTreeAcrossWalks) {
  int hold[2];
  ASSERT_EQ(::pipe(hold), 0);
  const ProcReader reader;
  const pid_t first = fork_held_child(hold);
  ASSERT_GT(first, 0);
  auto has = [](const TreeCpu& t, pid_t pid) {
    return std::find(t.pids.begin(), t.pids.end(), pid) != t.pids.end();
  };
  EXPECT_TRUE(has(reader.tree_cpu(::getpid()), first));
  const pid_t second = fork_held_child(hold);
  ASSERT_GT(second, 0);
  const auto both = reader.tree_cpu(::getpid());
  EXPECT_TRUE(has(both, first));
  EXPECT_TRUE(has(both, second));
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  const auto after = reader.tree_cpu(::getpid());
  EXPECT_FALSE(has(after, first));
  EXPECT_TRUE(has(after, second));
  ::close(hold[1]);
  ::close(hold[0]);
  ::waitpid(second, nullptr, 0);
}

TEST(ProcReader, FollowsTheRealChildrenOfThisProcessAndItsThreads) {
  const std::string probe = "/proc/" + std::to_string(::getpid()) + "/task/" +
                            std::to_string(::getpid()) + "/children";
  if (::access(probe.c_str(), R_OK) != 0)
    GTEST_SKIP() << probe
                 << " is absent (kernel without CONFIG_PROC_CHILDREN); the "
                    "fake trees cover the walk";
  int hold[2];
  ASSERT_EQ(::pipe(hold), 0);
  const pid_t from_main = fork_held_child(hold);
  ASSERT_GT(from_main, 0);
  // A thread forks a child and stays alive while the tree is walked (its
  // children file lists the child only while the thread lives).
  std::mutex m;
  std::condition_variable cv;
  pid_t from_thread = 0;
  bool walked = false;
  std::thread worker([&] {
    const pid_t pid = fork_held_child(hold);
    std::unique_lock lock(m);
    from_thread = pid;
    cv.notify_all();
    cv.wait(lock, [&] { return walked; });
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return from_thread != 0; });
  }
  const auto tree = ProcReader().tree_cpu(::getpid());
  {
    std::lock_guard lock(m);
    walked = true;
    cv.notify_all();
  }
  worker.join();
  ::close(hold[1]);
  ::close(hold[0]);
  ::waitpid(from_main, nullptr, 0);
  ::waitpid(from_thread, nullptr, 0);
  const std::set<pid_t> pids(tree.pids.begin(), tree.pids.end());
  EXPECT_TRUE(pids.count(from_main)) << "child of the main thread";
  EXPECT_TRUE(pids.count(from_thread)) << "child of another thread";
  EXPECT_EQ(tree.walk, TreeWalk::kChildrenFiles);
}

}  // namespace
}  // namespace greenrun::sensors
