// engine::NodeSampler (greenrun/job_energy.h): a node's sensors and its
// Slurm jobs' CPU time, one interval at a time, into JobEnergyRecords.
#include <fmt/format.h>

#include <map>

#include "engine/run_recording.h"
#include "greenrun/job_energy.h"
#include "runner/sampler.h"
#include "runner/sensor_setup.h"
#include "sensors/proc_reader.h"
#include "sensors/slurm_gpu_jobs.h"

namespace greenrun::engine {

namespace {

// A GPU reading with the Slurm job of each process on it (none where the
// sensor lists no processes for the device: its energy stays unattributed).
sensors::GpuEnergy gpu_energy(const sensors::Reading& reading, const sensors::SensorSample& sample,
                              const sensors::JobCpuOptions& cpu) {
  sensors::GpuEnergy g{reading.device, reading.energy, reading.method, false, {}};
  for (const auto& on : sample.gpu_processes) {
    if (on.device != reading.device) continue;
    g.processes_known = on.known;
    for (const auto& p : on.processes)
      g.processes.push_back({sensors::job_of_process(cpu.procfs_root, cpu.node, p.pid), p.used_memory_bytes});
  }
  return g;
}

}  // namespace

struct NodeSampler::State {
  std::unique_ptr<SystemClock> own_clock;
  Clock* clock = nullptr;
  NodeSamplerRequest request;
  std::unique_ptr<sensors::ProcReader> proc;
  runner::SensorSetup setup;
  std::unique_ptr<sensors::SlurmJobCpu> cpu;
  sensors::MachineCpuTimes last_machine{};
  UtcTime last_utc{};
};

NodeSampler::~NodeSampler() = default;

const std::string& NodeSampler::sensor_label() const { return state_->setup.label; }
const std::vector<std::string>& NodeSampler::notes() const { return state_->setup.notes; }

Result<std::unique_ptr<NodeSampler>> NodeSampler::open(const NodeSamplerRequest& request, const Services& services) {
  if (request.node.empty()) return make_error(ErrorKind::kUsage, "--node: expected the node's name (SLURMD_NODENAME)");
  if (request.interval < runner::kMinInterval || request.interval > runner::kMaxInterval)
    return make_error(ErrorKind::kUsage, "--interval: expected from 10 ms to 60 s");
  auto where = locate_run(request.zone, request.region, services.store_path);
  if (!where) return std::unexpected(where.error());

  std::unique_ptr<NodeSampler> s(new NodeSampler());
  s->state_ = std::make_unique<State>();
  State& st = *s->state_;
  if (services.clock) {
    st.clock = services.clock;
  } else {
    st.own_clock = std::make_unique<SystemClock>();
    st.clock = st.own_clock.get();
  }
  st.request = request;
  st.request.cpu.node = request.node;
  if (st.request.cpu.procfs_root.empty()) st.request.cpu.procfs_root = services.procfs_root;
  st.proc = std::make_unique<sensors::ProcReader>(st.request.cpu.procfs_root);
  const SteadyTime now = st.clock->steady_now();
  auto setup = services.sensors ? services.sensors(request.sensors, now)
                                : runner::set_up_sensors(runner::SensorConfig::from_environment(request.sensors),
                                                         *st.proc, now);
  if (!setup) return std::unexpected(setup.error());
  st.setup = std::move(*setup);
  st.cpu = std::make_unique<sensors::SlurmJobCpu>(st.request.cpu);
  s->zone_ = where->zone;

  // Prime every counter: energy and CPU time count from here on.
  const sensors::SampleInput input{now, {}, 0};
  for (auto& sensor : st.setup.sensors) (void)sensor->read(input);
  if (auto m = st.proc->machine_cpu()) st.last_machine = *m;
  if (auto primed = st.cpu->sample(); !primed) return std::unexpected(primed.error());
  st.last_utc = st.clock->utc_now();
  s->next_ = now + request.interval;
  return s;
}

Result<NodeInterval> NodeSampler::sample_at_next_deadline() {
  state_->clock->sleep_until(next_);
  return sample();
}

Result<NodeInterval> NodeSampler::sample() {
  State& st = *state_;
  const SteadyTime now = st.clock->steady_now();
  const UtcTime utc = st.clock->utc_now();
  NodeInterval out;
  out.start = st.last_utc;
  out.end = utc;

  auto jobs = st.cpu->sample();
  if (!jobs) return std::unexpected(jobs.error());
  out.source = jobs->source;
  out.ended = jobs->ended;

  uint64_t capacity_ns = 0;
  double utilisation = 0;
  if (auto m = st.proc->machine_cpu()) {
    const uint64_t busy = m->busy >= st.last_machine.busy ? m->busy - st.last_machine.busy : 0;
    const uint64_t total = m->total >= st.last_machine.total ? m->total - st.last_machine.total : 0;
    utilisation = total ? static_cast<double>(busy) / static_cast<double>(total) : 0;
    capacity_ns = total * (1'000'000'000ULL / static_cast<uint64_t>(std::max(1L, st.request.cpu.ticks_per_second)));
    st.last_machine = *m;
  } else {
    out.warnings.push_back("cannot read machine CPU time: " + m.error().message + "; nothing attributed");
  }

  std::map<sensors::Component, sensors::NodeComponentEnergy> by_component;
  std::vector<sensors::GpuEnergy> gpus;  // each GPU reading, with the jobs of its processes
  const sensors::SampleInput input{now, {}, utilisation};
  for (auto it = st.setup.sensors.begin(); it != st.setup.sensors.end();) {
    auto r = (*it)->read(input);
    if (!r) {
      out.warnings.push_back(std::string((*it)->name()) + " sensor stopped: " + r.error().message);
      it = st.setup.sensors.erase(it);
      continue;
    }
    for (const auto& w : r->warnings) out.warnings.push_back(w);
    for (const auto& reading : r->readings) {
      if (reading.component == sensors::Component::kGpu) gpus.push_back(gpu_energy(reading, *r, st.request.cpu));
      auto [slot, fresh] = by_component.try_emplace(reading.component,
                                                    sensors::NodeComponentEnergy{reading.component, {}, reading.method});
      slot->second.energy += reading.energy;
      if (!fresh) slot->second.method = sensors::weaker(slot->second.method, reading.method);
    }
    ++it;
  }
  std::vector<sensors::NodeComponentEnergy> node;
  for (const auto& [_, c] : by_component) {
    node.push_back(c);
    out.node_energy += c.energy;
  }
  auto shares = sensors::attribute_to_jobs(node, capacity_ns, jobs->jobs);
  sensors::attribute_gpus(gpus, shares);
  out.unattributed_share = shares.unattributed_share;
  for (const auto& u : shares.unattributed) out.unattributed += u.energy;

  if (out.end > out.start) {
    for (const auto& j : shares.jobs) {
      runner::JobEnergyRecord rec;
      rec.job_id = j.job_id;
      rec.node = st.request.node;
      // A job seen only on a GPU (no CPU time sample) has no steps listed.
      if (auto cpu = jobs->jobs.find(j.job_id); cpu != jobs->jobs.end()) rec.steps = cpu->second.steps;
      rec.gpu_attribution = j.gpu_method;
      rec.start = out.start;
      rec.end = out.end;
      rec.zone = zone_;
      rec.attribution = std::string(sensors::to_string(jobs->source));
      rec.cpu_share = std::min(1.0, j.share);
      rec.node_energy = out.node_energy;
      rec.unattributed = out.unattributed;
      for (const auto& c : j.components) rec.components.push_back({c.component, c.energy, c.method});
      out.records.push_back(std::move(rec));
    }
  }
  st.last_utc = utc;
  next_ += st.request.interval;
  while (next_ <= now) next_ += st.request.interval;
  return out;
}

}  // namespace greenrun::engine
