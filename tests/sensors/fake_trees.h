// Trees shaped like real machines for the sensor tests: a powercap sysfs
// (/sys/class/powercap) and a procfs, written under a temporary folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "testing/paths.h"

namespace greenrun::testing {

inline void write_text(const std::filesystem::path& p,
                       const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A powercap tree. Real machines list every zone flat under
// /sys/class/powercap (symlinks into /sys/devices/virtual/powercap/...), plus
// the "intel-rapl" control type folder, which has no energy_uj.
class PowercapTree {
 public:
  PowercapTree() : root_(make_temp_dir("greenrun-powercap")) {
    std::filesystem::create_directories(root_ / "intel-rapl");
    write_text(root_ / "intel-rapl" / "enabled", "1\n");
  }
  ~PowercapTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string root() const { return root_.string(); }

  // A zone with the files the kernel provides.
  void add_zone(const std::string& id, const std::string& name, uint64_t uj,
                uint64_t range_uj = 262143328850ULL) {
    const auto dir = root_ / id;
    write_text(dir / "name", name + "\n");
    write_text(dir / "enabled", "1\n");
    write_text(dir / "max_energy_range_uj", std::to_string(range_uj) + "\n");
    set_counter(id, uj);
  }
  void set_counter(const std::string& id, uint64_t uj) {
    write_text(root_ / id / "energy_uj", std::to_string(uj) + "\n");
  }
  void remove_zone(const std::string& id) {
    std::filesystem::remove_all(root_ / id);
  }
  void make_unreadable(const std::string& id) {
    std::filesystem::permissions(root_ / id / "energy_uj",
                                 std::filesystem::perms::owner_write);
  }

  // One Intel socket as on a laptop/desktop: package with core, uncore and
  // dram sub-zones, plus psys.
  void one_socket_client() {
    add_zone("intel-rapl:0", "package-0", 1'000'000);
    add_zone("intel-rapl:0:0", "core", 500'000);
    add_zone("intel-rapl:0:1", "uncore", 100'000);
    add_zone("intel-rapl:0:2", "dram", 200'000);
    add_zone("intel-rapl:1", "psys", 5'000'000);
  }
  // A two-socket server: two packages, each with a dram sub-zone.
  void two_socket_server() {
    add_zone("intel-rapl:0", "package-0", 10'000'000);
    add_zone("intel-rapl:0:0", "dram", 1'000'000);
    add_zone("intel-rapl:1", "package-1", 20'000'000);
    add_zone("intel-rapl:1:0", "dram", 2'000'000);
  }

 private:
  std::filesystem::path root_;
};

// A procfs with /stat, /cpuinfo, /meminfo and processes.
class ProcTree {
 public:
  ProcTree() : root_(make_temp_dir("greenrun-proc")) {}
  ~ProcTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string root() const { return root_.string(); }

  void set_machine(uint64_t user, uint64_t system, uint64_t idle,
                   uint64_t iowait = 0, uint64_t steal = 0) {
    write_text(root_ / "stat",
               "cpu  " + std::to_string(user) + " 0 " + std::to_string(system) +
                   " " + std::to_string(idle) + " " + std::to_string(iowait) +
                   " 0 0 " + std::to_string(steal) +
                   " 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nintr 1\n");
  }
  // /proc/<pid>/stat with utime, stime, cutime, cstime; `comm` may hold spaces
  // and parentheses as real ones can. Creates task/<pid>/ (the main thread)
  // without a children file: add one with set_children, or the tree looks
  // like a kernel without CONFIG_PROC_CHILDREN.
  void set_process(int pid, int ppid, uint64_t utime, uint64_t stime,
                   uint64_t cutime = 0, uint64_t cstime = 0,
                   const std::string& comm = "work (x) y") {
    auto& p = processes_[pid];
    p = Process{ppid,
                utime,
                stime,
                cutime,
                cstime,
                comm,
                p.threads == 0 ? 1 : p.threads};
    write_stat(pid);
    std::filesystem::create_directories(root_ / std::to_string(pid) / "task" /
                                        std::to_string(pid));
  }
  // task/<pid>/children of the main thread: pids each followed by a space.
  void set_children(int pid, const std::string& children) {
    set_thread_children(pid, pid, children);
  }
  // Another thread `tid` of `pid` (num_threads counts it) with the children
  // it forked.
  void add_thread(int pid, int tid, const std::string& children) {
    ++processes_.at(pid).threads;
    write_stat(pid);
    set_thread_children(pid, tid, children);
  }
  void set_thread_children(int pid, int tid, const std::string& children) {
    write_text(
        root_ / std::to_string(pid) / "task" / std::to_string(tid) / "children",
        children);
  }
  // The process exits between the reads of one walk: its stat is still
  // there, its task/ folder is gone.
  void remove_tasks(int pid) { remove(root_ / std::to_string(pid) / "task"); }
  void remove_process(int pid) {
    remove(root_ / std::to_string(pid));
    processes_.erase(pid);
  }
  void set_cpuinfo(const std::string& text) {
    write_text(root_ / "cpuinfo", text);
  }
  void set_meminfo(uint64_t kib) {
    write_text(root_ / "meminfo", "MemTotal:       " + std::to_string(kib) +
                                      " kB\nMemFree:         1000 kB\n");
  }

 private:
  // Files are emptied before they go: a reader holding them open then reads
  // nothing, as from the procfs files of a process that has gone.
  static void remove(const std::filesystem::path& dir) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec))
      if (e.is_regular_file()) std::ofstream(e.path(), std::ios::trunc);
    std::filesystem::remove_all(dir, ec);
  }
  struct Process {
    int ppid = 0;
    uint64_t utime = 0, stime = 0, cutime = 0, cstime = 0;
    std::string comm;
    int threads = 0;
  };
  void write_stat(int pid) {
    const Process& p = processes_.at(pid);
    write_text(root_ / std::to_string(pid) / "stat",
               std::to_string(pid) + " (" + p.comm + ") S " +
                   std::to_string(p.ppid) + " 1 1 0 -1 4194560 100 0 0 0 " +
                   std::to_string(p.utime) + " " + std::to_string(p.stime) +
                   " " + std::to_string(p.cutime) + " " +
                   std::to_string(p.cstime) + " 20 0 " +
                   std::to_string(p.threads) + " 0 100 1000 10\n");
  }

  std::filesystem::path root_;
  std::map<int, Process> processes_;
};

// /proc/cpuinfo of a two-socket Xeon Gold 6148 server (2 x 2 threads shown).
inline std::string xeon_6148_two_sockets_cpuinfo() {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += "processor\t: " + std::to_string(i) +
           "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
           "model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\nphysical "
           "id\t: " +
           std::to_string(i / 2) + "\nflags\t\t: fpu vme de pse tsc msr\n\n";
  }
  return out;
}

}  // namespace greenrun::testing
