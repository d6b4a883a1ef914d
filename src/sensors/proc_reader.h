// ProcReader: the few facts greenrun takes from procfs — machine CPU time
// (/proc/stat), a process tree's CPU time (/proc/<pid>/stat and
// task/<tid>/children, so a sample costs the same whatever else runs on the
// machine), memory size (/proc/meminfo) and the CPU model
// (/proc/cpuinfo). The procfs root is a constructor argument so tests point it
// at a tree shaped like a real machine.
//
// CPU times are in clock ticks (USER_HZ, usually 100 per second) as procfs
// gives them; only ratios of them are used.
//
// Thread-safety: safe from any thread; tree_cpu and machine_cpu keep procfs
// descriptors open between calls (so one ProcReader should serve one job's
// samples), guarded by a mutex.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::sensors {

struct MachineCpuTimes {
  uint64_t busy =
      0;  // user+nice+system+irq+softirq+steal (guest is inside user)
  uint64_t total = 0;  // busy + idle + iowait
};

struct CpuInfo {
  std::string
      model_name;  // first "model name" line ("" when absent, e.g. some ARM)
  int logical_cpus = 0;     // "processor" lines
  int sockets = 0;          // distinct "physical id" (0 when not reported)
  bool hypervisor = false;  // the "hypervisor" flag: a virtual machine
};

// How tree_cpu finds a process's children.
enum class TreeWalk {
  // Follow /proc/<pid>/task/<tid>/children (Linux >= 3.5 with
  // CONFIG_PROC_CHILDREN): the cost grows with the job's tree only. Where a
  // process has no such files the walk scans instead, and says so.
  kChildrenFiles,
  // Read every /proc/<pid>/stat and match parent pids: the cost grows with
  // the machine's process count. The fallback, and the baseline in
  // bench/proc_tree_bench.cc.
  kScanAll,
};

// A process tree's CPU time at one instant.
struct TreeCpu {
  uint64_t ticks = 0;       // utime+stime+cutime+cstime summed over the tree
  std::vector<pid_t> pids;  // root first, every parent before its children;
                            // empty when the root is gone
  // kScanAll when some children were found by scanning all of procfs (the
  // kernel has no children files, or the reader was built to scan).
  TreeWalk walk = TreeWalk::kChildrenFiles;
};

class ProcReader {
 public:
  explicit ProcReader(std::string procfs_root = "/proc",
                      TreeWalk walk = TreeWalk::kChildrenFiles);
  ~ProcReader();
  ProcReader(const ProcReader&) = delete;
  ProcReader& operator=(const ProcReader&) = delete;

  [[nodiscard]] Result<MachineCpuTimes> machine_cpu() const;
  [[nodiscard]] Result<CpuInfo> cpu_info() const;
  // MemTotal in bytes.
  [[nodiscard]] Result<uint64_t> memory_total_bytes() const;

  // The tree under `root`: the root, its children, theirs, and so on, as the
  // kernel's parent links stand at the walk. What it counts:
  //  - every live (or zombie) process in the tree: its own utime+stime plus
  //    cutime+cstime, the ticks of the children it has reaped; a child that
  //    exits and is reaped inside the tree therefore moves its ticks into its
  //    parent's and is counted once;
  //  - children forked by any thread (each task/<tid>/children is read).
  // What it does not count: a process re-parented away from the tree (a
  // daemon's double fork, an orphan adopted by init or a subreaper outside
  // the job) from then on, nor children reaped automatically (SIGCHLD
  // ignored), whose ticks the kernel adds to no one.
  // Parents are read before their children, so a child reaped during the
  // walk is missed for this instant rather than counted twice. Processes
  // that vanish while walking are skipped; a missing root gives an empty
  // tree. Cost with children files: about 2 small reads per process of the
  // tree (plus a task/ listing for multi-threaded ones), whatever else runs.
  TreeCpu tree_cpu(pid_t root) const;

 private:
  // Descriptors of the tree's procfs files, kept open between walks:
  // re-reading an open procfs file (pread at offset 0 regenerates it) costs
  // about half of open+read+close for stat, a tenth for children. A
  // descriptor stays bound to its process: once that process is gone it
  // reads nothing (or fails), and is reopened by path (a reused pid).
  struct OpenProcess {
    int stat_fd = -1;
    int children_fd = -1;  // task/<pid>/children, the main thread's
    uint64_t walk = 0;     // the last walk that met the process
  };
  // At most this many processes keep descriptors (two each); the rest of a
  // bigger tree is read by path.
  static constexpr size_t kMaxOpenProcesses = 128;

  // Reads /proc/<pid>/stat into `text`; false when the process is gone.
  bool read_stat(pid_t pid, OpenProcess* open, std::string& path,
                 std::string& text) const;
  // Appends the children of `pid` found through its children files; false
  // when the process has a task/ folder but no children files in it.
  bool children_from_files(pid_t pid, uint64_t threads, OpenProcess* open,
                           std::string& path, std::string& text,
                           std::vector<pid_t>& out) const;
  // (ppid, pid) of every process in procfs, sorted.
  std::vector<std::pair<pid_t, pid_t>> scan_parents() const;
  // Closes the descriptors of processes the last walk did not meet.
  void close_unmet() const;

  std::string root_;
  TreeWalk walk_;
  mutable std::mutex mutex_;  // guards the members below
  mutable std::unordered_map<pid_t, OpenProcess> open_;
  mutable uint64_t walks_ = 0;
  mutable int machine_stat_fd_ = -1;  // <root>/stat
};

}  // namespace greenrun::sensors
