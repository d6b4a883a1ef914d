// Slurm jobs on one node: how much CPU time each used over an interval
// (SlurmJobCpu), and the node's energy shared among them by that CPU time
// (attribute_to_jobs). What `greenrun slurm sampler` samples on each compute
// node (docs/slurm.md, "Per-job energy across nodes").
//
// Three sources, tried in this order (<cgroup_root> is the cgroup v1 mount,
// <slurm_dir> "slurm", or "slurm_<node>" where several slurmd share a host):
//  - cgroup: Slurm's jobacct_gather/cgroup keeps every job in
//    <cgroup_root>/cpuacct/<slurm_dir>/uid_<uid>/job_<id>/, whose
//    cpuacct.usage is the job's CPU time in nanoseconds (all its steps and
//    their children, exited ones included).
//  - cgroup-tasks: proctrack/cgroup alone keeps only freezer groups,
//    <cgroup_root>/freezer/<slurm_dir>/uid_<uid>/job_<id>/step_<s>/; the
//    processes listed in their cgroup.procs count for the job, each with its
//    utime+stime from procfs.
//  - process tree: otherwise every process whose /proc/<pid>/environ holds
//    SLURM_JOB_ID (and, when the node name is given and the variable is
//    there, SLURMD_NODENAME equal to it: several slurmd on one host share a
//    procfs) counts for that job, with its utime+stime; a process that
//    scrubs its environment is not seen.
// The source is the first whose folder exists, checked at every sample. It
// is not chosen per job: a job seen by two sources in turn (its cpuacct group
// made a moment after its freezer group, or removed before it) would have its
// CPU time counted twice. So an empty cpuacct/slurm_<node> folder that no job
// of this node will enter (left by a dead cluster with the same node names on
// one host) hides the node's jobs until it is removed (docs/slurm.md). Note
// that task/cgroup alone makes only freezer groups; cpuacct groups come from
// jobacct_gather/cgroup.
// Per process (cgroup-tasks, process tree), a process's CPU time between its
// last sample and its exit is missed (an under-count of at most one interval
// per process, never an over-count).
//
// Jobs starting and ending mid-interval: a job (or process) first seen in a
// sample counts all its CPU time so far, which it used since it started,
// i.e. inside the interval when it started after the previous sample. A job
// whose cgroup vanished before the sample (Slurm removes it at the end) loses
// its last partial interval: that energy stays unattributed, listed in
// `ended`.
//
// Both roots are constructor arguments, so tests use fake trees.
//
// Thread-safety: SlurmJobCpu is used by one thread; attribute_to_jobs is pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::sensors {

enum class JobCpuSource { kCgroup, kCgroupTasks, kProcessTree };
std::string_view to_string(JobCpuSource s);  // "cgroup", "cgroup-tasks", "process-tree"

struct JobCpuOptions {
  std::string cgroup_root = "/sys/fs/cgroup";  // the v1 mount: cpuacct/, freezer/ under it
  // Slurm's folder under each controller. "" : "slurm_<node>" when it exists
  // (multiple-slurmd nodes, one host), else "slurm". Looked for at every
  // sample: Slurm creates it with the node's first job.
  std::string slurm_dir;
  std::string procfs_root = "/proc";
  std::string node;                 // SLURMD_NODENAME to match ("" : any)
  long ticks_per_second = 100;      // USER_HZ of /proc/<pid>/stat
};

struct JobCpu {
  uint64_t cpu_ns = 0;             // CPU time used since the previous sample
  std::vector<std::string> steps;  // step names seen ("batch", "0", ...), sorted
  bool new_job = false;            // first seen in this sample
};

struct JobCpuDelta {
  JobCpuSource source = JobCpuSource::kProcessTree;
  std::map<std::string, JobCpu> jobs;  // by job id
  std::vector<std::string> ended;      // jobs seen before, gone now
};

class SlurmJobCpu {
 public:
  explicit SlurmJobCpu(JobCpuOptions options);
  // The CPU time each job running now used since the previous call (the
  // first call: since each job started). Error only when neither source can
  // be read (no procfs).
  [[nodiscard]] Result<JobCpuDelta> sample();
  const JobCpuOptions& options() const { return options_; }

 private:
  struct TaskOfJob {
    int pid = 0;
    std::string job;
    std::string step;
  };
  // The job cgroups' parent folder under `controller`, when there is one.
  std::optional<std::string> cgroup_folder(const std::string& controller) const;
  Result<JobCpuDelta> sample_cgroup(const std::string& folder);
  Result<JobCpuDelta> sample_cgroup_tasks(const std::string& folder);
  Result<JobCpuDelta> sample_processes();
  // Per-process CPU time since the previous sample, summed per job.
  JobCpuDelta account(const std::vector<TaskOfJob>& tasks, JobCpuSource source);

  JobCpuOptions options_;
  std::map<std::string, uint64_t> last_job_ns_;  // cgroup: cumulative usage per job
  // process tree: (pid, starttime) -> (job, ticks)
  std::map<std::pair<int, uint64_t>, std::pair<std::string, uint64_t>> last_process_ticks_;
  std::vector<std::string> last_jobs_;  // both: the jobs seen by the previous call
};

// A small procfs or cgroupfs file read whole; nullopt when it cannot be read
// (the process or group is gone, or it is not ours to read).
std::optional<std::string> read_proc_file(const std::string& path);
// The value of NAME in a NUL-separated environ block (/proc/<pid>/environ).
std::optional<std::string> environ_value(std::string_view environ, std::string_view name);

// One component's energy over the interval, as the node's sensors read it.
struct NodeComponentEnergy {
  Component component = Component::kCpu;
  Energy energy;
  Method method = Method::kMeasured;
};

struct JobShare {
  std::string job_id;
  double share = 0;  // of the node's CPU capacity over the interval, 0..1
  std::vector<NodeComponentEnergy> components;  // the job's part of each attributed component
  std::string gpu_method;  // "" : no GPU energy; else how it was attributed (slurm_gpu_jobs.h)
  Energy total() const;
};

struct Attribution {
  std::vector<JobShare> jobs;                      // by job id
  std::vector<NodeComponentEnergy> unattributed;   // per component, node - sum of jobs
  double unattributed_share = 0;                   // 1 - sum of shares
};

// Shares the node's energy among the jobs by CPU time:
//   share_j = cpu_ns_j / capacity_ns, capacity_ns = the node's CPU time
//   (busy + idle, all CPUs) over the interval;
// each job gets share_j of the CPU, DRAM and platform energy. The rest —
// the idle share and other processes' share — stays unattributed: a job is
// charged for what it used, not for the node's idle power. GPU energy is
// not shared by CPU time: it stays unattributed here, and attribute_gpus
// (slurm_gpu_jobs.h) gives it to the jobs whose processes use each GPU. When the jobs' CPU time exceeds the capacity
// (clocks read a moment apart), the shares are scaled to sum to 1.
// Conservation: for every component, sum of jobs + unattributed = node.
// REQUIRES: capacity_ns > 0 or no job has cpu_ns > 0.
Attribution attribute_to_jobs(const std::vector<NodeComponentEnergy>& node, uint64_t capacity_ns,
                              const std::map<std::string, JobCpu>& jobs);

}  // namespace greenrun::sensors
