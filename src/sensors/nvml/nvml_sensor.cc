#include "sensors/nvml/nvml_sensor.h"

#include <algorithm>
#include <charconv>

#include "sensors/estimate/tdp_table.h"

namespace greenrun::sensors::nvml {

namespace {
// NVML's NVML_VALUE_NOT_AVAILABLE for usedGpuMemory (e.g. under MIG or WDDM).
constexpr uint64_t kNotAvailable = ~0ULL;
}  // namespace

std::vector<unsigned> visible_devices(const std::optional<std::string>& cuda_visible_devices, unsigned count,
                                      const std::vector<std::string>& uuids) {
  std::vector<unsigned> out;
  if (!cuda_visible_devices) {
    for (unsigned i = 0; i < count; ++i) out.push_back(i);
    return out;
  }
  const std::string& text = *cuda_visible_devices;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string token = text.substr(pos, comma - pos);
    pos = comma + 1;
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    if (token.empty()) break;
    std::optional<unsigned> index;
    unsigned n = 0;
    auto r = std::from_chars(token.data(), token.data() + token.size(), n);
    if (r.ec == std::errc() && r.ptr == token.data() + token.size()) {
      if (n < count) index = n;
    } else if (token.rfind("GPU-", 0) == 0) {
      for (unsigned i = 0; i < count && i < uuids.size(); ++i)
        if (!uuids[i].empty() && uuids[i].rfind(token, 0) == 0) index = i;
    }
    if (!index) break;  // CUDA ignores everything after an invalid entry
    if (std::find(out.begin(), out.end(), *index) == out.end()) out.push_back(*index);
  }
  return out;
}

Result<std::unique_ptr<NvmlSensor>> NvmlSensor::open(const std::string& library_path,
                                                     const std::optional<std::string>& cuda_visible_devices,
                                                     SteadyTime now, bool prefer_power) {
  auto lib = NvmlLibrary::load(library_path);
  if (!lib) return std::unexpected(lib.error());
  const auto count = (*lib)->device_count();
  if (!count) return make_error(count.error().message);
  std::vector<NvmlLibrary::Device> handles(*count, nullptr);
  std::vector<std::string> uuids(*count);
  for (unsigned i = 0; i < *count; ++i) {
    if (auto h = (*lib)->handle_by_index(i)) {
      handles[i] = *h;
      if (auto u = (*lib)->uuid(*h)) uuids[i] = *u;
    }
  }
  std::unique_ptr<NvmlSensor> s(new NvmlSensor(std::move(*lib), now));
  for (unsigned i : visible_devices(cuda_visible_devices, *count, uuids)) {
    const std::string label = "gpu" + std::to_string(i);
    if (!handles[i]) {
      s->notes_.push_back(label + ": no handle; skipped");
      continue;
    }
    GpuDevice d;
    d.index = i;
    d.handle = handles[i];
    d.name = s->lib_->name(d.handle).value_or("unknown GPU");
    auto mj = prefer_power ? NvmlResult<uint64_t>(std::unexpected(NvmlError{kNvmlErrorNotSupported,
                                                                              "energy counter not used (asked for power)"}))
                           : s->lib_->total_energy_mj(d.handle);
    if (mj) {
      d.method = GpuMethod::kCounter;
      d.last_mj = *mj;
    } else if (auto mw = s->lib_->power_mw(d.handle)) {
      d.method = GpuMethod::kPower;
      d.last_power = Power::watts(*mw / 1000.0);
      s->notes_.push_back(label + ": " + mj.error().message + "; integrating power samples");
    } else if (auto tdp = find_gpu_tdp(d.name); tdp && s->lib_->utilisation(d.handle)) {
      d.method = GpuMethod::kUtilisation;
      d.tdp = tdp->tdp;
      s->notes_.push_back(label + ": no energy or power readings; estimating TDP " +
                          std::to_string(static_cast<int>(tdp->tdp.watts())) + " W x utilisation");
    } else {
      s->notes_.push_back(label + " (" + d.name + "): no energy, power or usable utilisation reading; skipped");
      continue;
    }
    s->devices_.push_back(std::move(d));
  }
  if (s->devices_.empty()) {
    std::string why = "NVML: no usable GPU visible";
    if (cuda_visible_devices) why += " (CUDA_VISIBLE_DEVICES=\"" + *cuda_visible_devices + "\")";
    for (const auto& n : s->notes_) why += "; " + n;
    return make_error(why);
  }
  return s;
}

std::optional<Energy> NvmlSensor::job_share(const std::vector<GpuProcess>& procs, Energy total,
                                            const SampleInput& in) {
  if (procs.empty()) return std::nullopt;
  uint64_t job = 0, all = 0;
  size_t job_count = 0;
  for (const auto& p : procs) {
    const bool mine = std::find(in.job_pids.begin(), in.job_pids.end(), static_cast<pid_t>(p.pid)) != in.job_pids.end();
    const uint64_t mem = p.used_memory_bytes == kNotAvailable ? 0 : p.used_memory_bytes;
    all += mem;
    if (mine) {
      job += mem;
      ++job_count;
    }
  }
  if (all == 0) return total * (static_cast<double>(job_count) / static_cast<double>(procs.size()));
  return total * (static_cast<double>(job) / static_cast<double>(all));
}

Result<SensorSample> NvmlSensor::read(const SampleInput& in) {
  const Duration dt = in.now > last_ ? std::chrono::duration_cast<Duration>(in.now - last_) : Duration(0);
  last_ = in.now;
  SensorSample s;
  size_t alive = 0;
  for (auto& d : devices_) {
    if (d.lost) continue;
    const std::string label = "gpu" + std::to_string(d.index);
    auto lose = [&](const NvmlError& e) {
      d.lost = true;
      s.warnings.push_back(label + " (" + d.name + ") lost: " + e.message + "; its energy is no longer counted");
    };
    Energy e;
    Method method = Method::kMeasured;
    if (d.method == GpuMethod::kCounter) {
      auto mj = lib_->total_energy_mj(d.handle);
      if (mj) {
        e = Energy::millijoules(static_cast<double>(*mj >= d.last_mj ? *mj - d.last_mj : 0));
        d.last_mj = *mj;
      } else if (mj.error().gpu_lost()) {
        lose(mj.error());
        continue;
      } else {
        s.warnings.push_back(label + ": energy counter failed (" + mj.error().message +
                             "); switching to integrated power samples");
        d.method = GpuMethod::kPower;
        d.last_power.reset();
      }
    }
    if (d.method == GpuMethod::kPower) {
      method = Method::kIntegrated;
      auto mw = lib_->power_mw(d.handle);
      if (!mw) {
        lose(mw.error());
        continue;
      }
      const Power p = Power::watts(*mw / 1000.0);
      const Power mean = d.last_power ? Power::watts((d.last_power->watts() + p.watts()) / 2) : p;
      e = mean * dt;
      d.last_power = p;
    } else if (d.method == GpuMethod::kUtilisation) {
      method = Method::kEstimated;
      auto u = lib_->utilisation(d.handle);
      if (!u) {
        lose(u.error());
        continue;
      }
      e = d.tdp * (u->gpu_percent / 100.0) * dt;
    }
    ++alive;
    auto procs = lib_->compute_processes(d.handle);
    const std::vector<GpuProcess> none;
    const auto& list = procs ? *procs : none;
    const std::string device = label + " " + d.name;
    s.readings.push_back(Reading{Component::kGpu, device, e, method, job_share(list, e, in)});
    GpuProcesses on_device{device, {}, procs.has_value()};
    for (const auto& p : list)
      on_device.processes.push_back(
          {p.pid, p.used_memory_bytes == kNotAvailable ? std::nullopt : std::optional<uint64_t>(p.used_memory_bytes)});
    s.gpu_processes.push_back(std::move(on_device));
  }
  if (alive == 0) return make_error("NVML: every GPU has been lost");
  return s;
}

}  // namespace greenrun::sensors::nvml
