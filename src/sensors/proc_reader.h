// ProcReader: the few facts greenrun takes from procfs — machine CPU time
// (/proc/stat), a process tree's CPU time (/proc/<pid>/stat and
// task/<tid>/children), memory size (/proc/meminfo) and the CPU model
// (/proc/cpuinfo). The procfs root is a constructor argument so tests point it
// at a tree shaped like a real machine.
//
// CPU times are in clock ticks (USER_HZ, usually 100 per second) as procfs
// gives them; only ratios of them are used.
//
// Thread-safety: const methods only read files; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/result.h"

namespace greenrun::sensors {

struct MachineCpuTimes {
  uint64_t busy = 0;   // user+nice+system+irq+softirq+steal (guest is inside user)
  uint64_t total = 0;  // busy + idle + iowait
};

struct CpuInfo {
  std::string model_name;  // first "model name" line ("" when absent, e.g. some ARM)
  int logical_cpus = 0;    // "processor" lines
  int sockets = 0;         // distinct "physical id" (0 when not reported)
  bool hypervisor = false; // the "hypervisor" flag: a virtual machine
};

// A process tree's CPU time at one instant.
struct TreeCpu {
  uint64_t ticks = 0;        // utime+stime+cutime+cstime summed over the tree
  std::vector<pid_t> pids;   // root first; empty when the root is gone
};

class ProcReader {
 public:
  explicit ProcReader(std::string procfs_root = "/proc");

  [[nodiscard]] Result<MachineCpuTimes> machine_cpu() const;
  [[nodiscard]] Result<CpuInfo> cpu_info() const;
  // MemTotal in bytes.
  [[nodiscard]] Result<uint64_t> memory_total_bytes() const;

  // The tree under `root` (children found through task/*/children, or a scan
  // of every /proc/<pid>/stat when that file is missing). Processes that
  // vanish while walking are skipped; a missing root gives an empty tree.
  // Orphans re-parented away from the tree are no longer counted.
  TreeCpu tree_cpu(pid_t root) const;

 private:
  std::optional<uint64_t> process_ticks(pid_t pid, pid_t* ppid) const;
  void children_by_scan(pid_t parent, std::vector<pid_t>& out) const;

  std::string root_;
};

}  // namespace greenrun::sensors
