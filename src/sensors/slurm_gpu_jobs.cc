#include "sensors/slurm_gpu_jobs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace greenrun::sensors {
namespace {

std::optional<std::string> slurp(const std::filesystem::path& p) { return read_proc_file(p.string()); }


struct CgroupJob {
  std::string job;
  std::optional<std::string> node;  // from a slurm_<node> folder above it
};

// The job in one /proc/<pid>/cgroup line's path:
//   4:freezer:/slurm_n1/uid_0/job_42/step_0           (v1, multiple slurmd)
//   0::/system.slice/slurmstepd.scope/job_42/step_0/user/task_0   (v2)
std::optional<CgroupJob> job_in_path(std::string_view path) {
  CgroupJob out;
  bool found = false;
  size_t at = 0;
  while (at <= path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(at, end - at);
    if (part.starts_with("slurm_") && part.size() > 6) out.node = std::string(part.substr(6));
    if (part.starts_with("job_") && part.size() > 4 &&
        std::all_of(part.begin() + 4, part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out.job = std::string(part.substr(4));
      found = true;
      break;
    }
    at = end + 1;
  }
  if (!found) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::string> job_of_process(const std::string& procfs_root, const std::string& node, unsigned pid) {
  const std::filesystem::path dir = std::filesystem::path(procfs_root) / std::to_string(pid);
  if (const auto cgroup = slurp(dir / "cgroup")) {
    std::istringstream lines(*cgroup);
    std::string line;
    while (std::getline(lines, line)) {
      const size_t colon = line.find(':', line.find(':') + 1);
      if (colon == std::string::npos) continue;
      const auto j = job_in_path(std::string_view(line).substr(colon + 1));
      if (!j) continue;
      if (!node.empty() && j->node && *j->node != node) return std::nullopt;  // another slurmd's job
      return j->job;
    }
  }
  // No job cgroup (proctrack/linuxproc): its environment, as the process tree reads it.
  const auto environ = slurp(dir / "environ");
  if (!environ) return std::nullopt;
  auto job = environ_value(*environ, "SLURM_JOB_ID");
  if (!job || job->empty()) return std::nullopt;
  if (!node.empty())
    if (const auto n = environ_value(*environ, "SLURMD_NODENAME"); n && *n != node) return std::nullopt;
  return job;
}

void attribute_gpus(const std::vector<GpuEnergy>& gpus, Attribution& a) {
  const auto gpu_slot = [](std::vector<NodeComponentEnergy>& components, Method method) -> NodeComponentEnergy& {
    for (auto& c : components)
      if (c.component == Component::kGpu) return c;
    components.push_back({Component::kGpu, {}, method});
    return components.back();
  };
  const auto share_of = [&](const std::string& id) -> JobShare& {
    for (auto& j : a.jobs)
      if (j.job_id == id) return j;
    JobShare j{id, 0.0, {}, {}};
    a.jobs.push_back(std::move(j));
    return a.jobs.back();
  };
  for (const auto& g : gpus) {
    if (!g.processes_known || g.processes.empty() || g.energy.joules() <= 0) continue;
    const bool by_memory = std::all_of(g.processes.begin(), g.processes.end(),
                                       [](const GpuProcessOfJob& p) { return p.used_memory_bytes.has_value(); });
    uint64_t all = 0;
    if (by_memory)
      for (const auto& p : g.processes) all += *p.used_memory_bytes;
    const bool memory = by_memory && all > 0;
    std::map<std::string, double> parts;  // job -> fraction of this GPU
    for (const auto& p : g.processes) {
      if (!p.job) continue;
      parts[*p.job] += memory ? static_cast<double>(*p.used_memory_bytes) / static_cast<double>(all)
                              : 1.0 / static_cast<double>(g.processes.size());
    }
    Energy given;
    for (const auto& [id, fraction] : parts) {
      const Energy e = g.energy * std::min(1.0, fraction);
      JobShare& j = share_of(id);
      NodeComponentEnergy& c = gpu_slot(j.components, g.method);
      c.method = c.energy.joules() > 0 ? weaker(c.method, g.method) : g.method;
      c.energy += e;
      const std::string_view how = memory ? kGpuByMemory : kGpuByProcessCount;
      if (j.gpu_method.empty() || how == kGpuByProcessCount) j.gpu_method = std::string(how);
      given += e;
    }
    NodeComponentEnergy& rest = gpu_slot(a.unattributed, g.method);
    rest.energy -= given;
  }
  std::sort(a.jobs.begin(), a.jobs.end(), [](const JobShare& x, const JobShare& y) { return x.job_id < y.job_id; });
}

}  // namespace greenrun::sensors
