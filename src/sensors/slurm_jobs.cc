#include "greenrun/sensors/slurm_jobs.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace greenrun::sensors {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> slurp(const fs::path& p) { return read_proc_file(p.string()); }

std::optional<uint64_t> parse_u64(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Sorted directory entries whose name starts with `prefix`; none when unreadable.
std::vector<std::string> entries(const fs::path& dir, std::string_view prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (!it->is_directory(ec2)) continue;
    std::string name = it->path().filename().string();
    if (name.starts_with(prefix)) out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}


// utime+stime (fields 14, 15) and starttime (22) of a /proc/<pid>/stat line.
std::optional<std::pair<uint64_t, uint64_t>> stat_ticks(std::string_view stat) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // Fields from 3 (state) on, space separated.
  std::vector<std::string_view> f;
  size_t at = 0;
  while (at < rest.size() && f.size() < 21) {
    while (at < rest.size() && rest[at] == ' ') ++at;
    size_t end = rest.find(' ', at);
    if (end == std::string_view::npos) end = rest.size();
    if (end > at) f.push_back(rest.substr(at, end - at));
    at = end;
  }
  if (f.size() < 20) return std::nullopt;
  const auto u = parse_u64(f[11]), s = parse_u64(f[12]), start = parse_u64(f[19]);
  if (!u || !s || !start) return std::nullopt;
  return std::make_pair(*u + *s, *start);
}

void finish(JobCpuDelta& d, std::vector<std::string>& last_jobs) {
  std::vector<std::string> now;
  for (const auto& [id, _] : d.jobs) now.push_back(id);
  for (const auto& id : last_jobs)
    if (!d.jobs.contains(id)) d.ended.push_back(id);
  last_jobs = std::move(now);
}

}  // namespace

std::optional<std::string> read_proc_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<std::string> environ_value(std::string_view environ, std::string_view name) {
  size_t at = 0;
  while (at < environ.size()) {
    size_t end = environ.find('\0', at);
    if (end == std::string_view::npos) end = environ.size();
    const std::string_view entry = environ.substr(at, end - at);
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
      return std::string(entry.substr(name.size() + 1));
    at = end + 1;
  }
  return std::nullopt;
}

std::string_view to_string(JobCpuSource s) {
  switch (s) {
    case JobCpuSource::kCgroup: return "cgroup";
    case JobCpuSource::kCgroupTasks: return "cgroup-tasks";
    case JobCpuSource::kProcessTree: break;
  }
  return "process-tree";
}

Energy JobShare::total() const {
  Energy e;
  for (const auto& c : components) e += c.energy;
  return e;
}

SlurmJobCpu::SlurmJobCpu(JobCpuOptions options) : options_(std::move(options)) {}

std::optional<std::string> SlurmJobCpu::cgroup_folder(const std::string& controller) const {
  std::vector<std::string> names;
  if (!options_.slurm_dir.empty()) {
    names.push_back(options_.slurm_dir);
  } else {
    if (!options_.node.empty()) names.push_back("slurm_" + options_.node);
    names.push_back("slurm");
  }
  for (const auto& n : names) {
    std::error_code ec;
    const fs::path p = fs::path(options_.cgroup_root) / controller / n;
    if (fs::is_directory(p, ec)) return p.string();
  }
  return std::nullopt;
}

Result<JobCpuDelta> SlurmJobCpu::sample() {
  if (const auto cpuacct = cgroup_folder("cpuacct")) return sample_cgroup(*cpuacct);
  if (const auto freezer = cgroup_folder("freezer")) return sample_cgroup_tasks(*freezer);
  return sample_processes();
}

Result<JobCpuDelta> SlurmJobCpu::sample_cgroup(const std::string& folder) {
  JobCpuDelta d;
  d.source = JobCpuSource::kCgroup;
  const fs::path slurm(folder);
  std::map<std::string, uint64_t> now_ns;
  for (const auto& uid : entries(slurm, "uid_")) {
    for (const auto& job_dir : entries(slurm / uid, "job_")) {
      const std::string id = job_dir.substr(4);
      const auto text = slurp(slurm / uid / job_dir / "cpuacct.usage");
      if (!text) continue;  // removed while reading: ended
      const auto ns = parse_u64(*text);
      if (!ns) continue;
      now_ns[id] = *ns;
      JobCpu& j = d.jobs[id];
      const auto last = last_job_ns_.find(id);
      j.new_job = last == last_job_ns_.end();
      // A counter that went back (a new cgroup with a reused id) counts from zero.
      j.cpu_ns = j.new_job || *ns < last->second ? *ns : *ns - last->second;
      for (const auto& step : entries(slurm / uid / job_dir, "step_")) j.steps.push_back(step.substr(5));
    }
  }
  last_job_ns_ = std::move(now_ns);
  finish(d, last_jobs_);
  return d;
}

Result<JobCpuDelta> SlurmJobCpu::sample_cgroup_tasks(const std::string& folder) {
  std::vector<TaskOfJob> tasks;
  std::set<std::string> jobs;
  const fs::path slurm(folder);
  for (const auto& uid : entries(slurm, "uid_")) {
    for (const auto& job_dir : entries(slurm / uid, "job_")) {
      const std::string id = job_dir.substr(4);
      jobs.insert(id);
      // The job's own cgroup.procs, then each step's.
      std::vector<std::pair<fs::path, std::string>> groups = {{slurm / uid / job_dir, ""}};
      for (const auto& step : entries(slurm / uid / job_dir, "step_"))
        groups.emplace_back(slurm / uid / job_dir / step, step.substr(5));
      for (const auto& [dir, step] : groups) {
        const auto procs = slurp(dir / "cgroup.procs");
        if (!procs) continue;
        std::string_view rest = *procs;
        while (!rest.empty()) {
          const size_t nl = rest.find('\n');
          const std::string_view line = rest.substr(0, nl);
          rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
          int pid = 0;
          const auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
          if (ec == std::errc{} && p == line.data() + line.size()) tasks.push_back({pid, id, step});
        }
      }
    }
  }
  auto d = account(tasks, JobCpuSource::kCgroupTasks);
  for (const auto& id : jobs) d.jobs.try_emplace(id);  // a job with no process now still runs
  for (auto& [id, j] : d.jobs) j.new_job = std::find(last_jobs_.begin(), last_jobs_.end(), id) == last_jobs_.end();
  finish(d, last_jobs_);
  return d;
}

Result<JobCpuDelta> SlurmJobCpu::sample_processes() {
  const fs::path proc(options_.procfs_root);
  std::error_code ec;
  fs::directory_iterator it(proc, ec);
  if (ec) return make_error(ErrorKind::kIo, options_.procfs_root + ": cannot list processes: " + ec.message());
  std::vector<TaskOfJob> tasks;
  for (fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    int pid = 0;
    const auto [p, pec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (pec != std::errc{} || p != name.data() + name.size()) continue;
    const auto environ = slurp(it->path() / "environ");
    if (!environ) continue;  // gone, or not ours to read
    const auto job = environ_value(*environ, "SLURM_JOB_ID");
    if (!job || job->empty()) continue;
    if (!options_.node.empty())
      if (const auto node = environ_value(*environ, "SLURMD_NODENAME"); node && *node != options_.node) continue;
    tasks.push_back({pid, *job, environ_value(*environ, "SLURM_STEP_ID").value_or("")});
  }
  auto d = account(tasks, JobCpuSource::kProcessTree);
  for (auto& [id, j] : d.jobs) j.new_job = std::find(last_jobs_.begin(), last_jobs_.end(), id) == last_jobs_.end();
  finish(d, last_jobs_);
  return d;
}

JobCpuDelta SlurmJobCpu::account(const std::vector<TaskOfJob>& tasks, JobCpuSource source) {
  JobCpuDelta d;
  d.source = source;
  const fs::path proc(options_.procfs_root);
  const uint64_t ns_per_tick = 1'000'000'000ULL / static_cast<uint64_t>(std::max(1L, options_.ticks_per_second));
  decltype(last_process_ticks_) now;
  std::map<std::string, std::set<std::string>> steps;
  for (const auto& t : tasks) {
    const auto stat = slurp(proc / std::to_string(t.pid) / "stat");
    if (!stat) continue;  // gone
    const auto ticks = stat_ticks(*stat);
    if (!ticks) continue;
    const auto key = std::make_pair(t.pid, ticks->second);
    if (now.contains(key)) continue;  // listed twice (a job's and its step's group)
    now[key] = {t.job, ticks->first};
    JobCpu& j = d.jobs[t.job];
    const auto last = last_process_ticks_.find(key);
    const uint64_t before = last == last_process_ticks_.end() ? 0 : std::min(last->second.second, ticks->first);
    j.cpu_ns += (ticks->first - before) * ns_per_tick;
    if (!t.step.empty()) steps[t.job].insert(t.step);
  }
  for (auto& [id, j] : d.jobs) j.steps.assign(steps[id].begin(), steps[id].end());
  last_process_ticks_ = std::move(now);
  return d;
}

Attribution attribute_to_jobs(const std::vector<NodeComponentEnergy>& node, uint64_t capacity_ns,
                              const std::map<std::string, JobCpu>& jobs) {
  Attribution a;
  double sum = 0;
  for (const auto& [id, j] : jobs) {
    const double share = capacity_ns > 0 ? static_cast<double>(j.cpu_ns) / static_cast<double>(capacity_ns) : 0.0;
    a.jobs.push_back(JobShare{id, share, {}, {}});
    sum += share;
  }
  if (sum > 1.0)
    for (auto& j : a.jobs) j.share /= sum;
  sum = 0;
  for (const auto& j : a.jobs) sum += j.share;
  a.unattributed_share = std::max(0.0, 1.0 - sum);
  for (const auto& c : node) {
    Energy given;
    const bool shared = c.component != Component::kGpu;
    for (auto& j : a.jobs) {
      const Energy e = shared ? c.energy * j.share : Energy{};
      j.components.push_back({c.component, e, c.method});
      given += e;
    }
    a.unattributed.push_back({c.component, c.energy - given, c.method});
  }
  return a;
}

}  // namespace greenrun::sensors
