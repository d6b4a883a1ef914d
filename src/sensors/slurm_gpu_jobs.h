// GPU energy per Slurm job on one node: each GPU's energy over an interval
// shared among the jobs whose processes run on it (docs/slurm.md, "What a
// node's sampler attributes"). The sampler's CPU-time sharing
// (slurm_jobs.h) leaves GPU energy alone; this gives it to jobs where NVML
// names the processes on a GPU (SensorSample::gpu_processes).
//
//   job_of_process()  which Slurm job a host pid belongs to: the job_<id>
//                     folder in its /proc/<pid>/cgroup (any controller, v1
//                     or v2), else SLURM_JOB_ID in its environment; none
//                     for a process outside every job (or another node's,
//                     where several slurmd share a host).
//   attribute_gpus()  pure: per GPU, its energy split among its processes
//                     by the GPU memory each holds ("gpu-memory"), or in
//                     equal parts where memory is not reported
//                     ("gpu-processes"); each job gets its processes' parts.
//                     A process in no job, and a GPU with no process (or an
//                     unreadable list), leave their energy unattributed.
//
// GPU memory held is a proxy — NVML has no per-process energy — and a
// process that starts and ends between two samples is not seen: its GPU's
// energy over that interval stays unattributed (an under-count, never an
// over-count). Conservation holds per GPU: jobs + unattributed = the GPU.
//
// Thread-safety: pure functions (job_of_process reads procfs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/sensors/energy_sensor.h"
#include "greenrun/sensors/slurm_jobs.h"

namespace greenrun::sensors {

// `node`: SLURMD_NODENAME to match ("" : any). Reads
// <procfs_root>/<pid>/cgroup, then <procfs_root>/<pid>/environ.
std::optional<std::string> job_of_process(const std::string& procfs_root, const std::string& node, unsigned pid);

// How a job's GPU energy was attributed (the record's "gpu_attribution").
inline constexpr std::string_view kGpuByMemory = "gpu-memory";
inline constexpr std::string_view kGpuByProcessCount = "gpu-processes";

struct GpuProcessOfJob {
  std::optional<std::string> job;             // none: no Slurm job
  std::optional<uint64_t> used_memory_bytes;  // none: not reported
};

struct GpuEnergy {
  std::string device;
  Energy energy;
  Method method = Method::kMeasured;
  bool processes_known = true;
  std::vector<GpuProcessOfJob> processes;
};

// Adds each job's GPU parts to `a` (its kGpu component; a job with GPU
// energy but no CPU share is added with share 0) and takes them from
// a.unattributed's kGpu entry. Per job, `gpu_method` (by job id) says how:
// kGpuByMemory, or kGpuByProcessCount where any of its GPUs lacked memory
// figures. REQUIRES: `a` from attribute_to_jobs over a node whose kGpu
// energy is the sum of `gpus`.
void attribute_gpus(const std::vector<GpuEnergy>& gpus, Attribution& a);

}  // namespace greenrun::sensors
