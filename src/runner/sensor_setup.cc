#include "runner/sensor_setup.h"

#include <charconv>
#include <cstdlib>

#include "sensors/estimate/cpu_power_model.h"
#include "sensors/estimate/estimated_sensors.h"
#include "sensors/fake/fake_sensor.h"
#include "sensors/nvml/nvml_sensor.h"
#include "sensors/rapl/rapl_sensor.h"

namespace greenrun::runner {

SensorConfig SensorConfig::from_environment(std::string mode) {
  SensorConfig c;
  c.mode = std::move(mode);
  if (const char* v = std::getenv("GREENRUN_POWERCAP_ROOT"); v && *v) c.powercap_root = v;
  if (const char* v = std::getenv("GREENRUN_NVML_LIBRARY"); v && *v) c.nvml_library = v;
  if (const char* v = std::getenv("CUDA_VISIBLE_DEVICES")) c.cuda_visible_devices = v;
  if (const char* v = std::getenv("GREENRUN_NVML_METHOD"); v && std::string_view(v) == "power")
    c.nvml_prefer_power = true;
  if (const char* v = std::getenv("GREENRUN_HOST_THREADS"); v && *v) {
    int n = 0;
    const std::string_view s(v);
    if (std::from_chars(s.data(), s.data() + s.size(), n).ec == std::errc() && n > 0) c.host_threads = n;
  }
  return c;
}

Result<SensorSetup> set_up_sensors(const SensorConfig& config, const sensors::ProcReader& proc, SteadyTime now) {
  const std::string& mode = config.mode;
  if (mode != "auto" && mode != "rapl" && mode != "nvml" && mode != "estimate" && mode != "fake")
    return make_error("--sensors: expected auto, rapl, nvml, estimate or fake, got \"" + mode + "\"");
  SensorSetup out;
  if (mode == "fake") {
    out.sensors.push_back(std::make_unique<sensors::FakeSensor>(now));
    out.notes.push_back("fake: SIMULATED figures (65 W CPU x utilisation, 3 W DRAM), not measurements");
    out.label = "fake";
    return out;
  }
  bool have_cpu = false, have_dram = false;
  std::vector<std::string> used;
  if (mode == "auto" || mode == "rapl") {
    auto rapl = sensors::rapl::RaplSensor::open(config.powercap_root);
    if (rapl) {
      for (auto c : (*rapl)->components()) {
        have_cpu = have_cpu || c == sensors::Component::kCpu;
        have_dram = have_dram || c == sensors::Component::kDram;
      }
      out.max_interval = (*rapl)->max_safe_interval();
      std::string zones;
      for (const auto& z : (*rapl)->zones()) zones += (zones.empty() ? "" : ", ") + z.id + " " + z.name;
      out.notes.push_back("rapl: measured from " + config.powercap_root + " (" + zones +
                          "); psys, if present, is reported apart and not added");
      out.sensors.push_back(std::move(*rapl));
      used.push_back("rapl");
    } else if (mode == "rapl") {
      return make_error("rapl: " + rapl.error().message);
    } else {
      out.notes.push_back("rapl skipped: " + rapl.error().message);
    }
  }
  if (mode == "auto" || mode == "nvml") {
    auto nvml = sensors::nvml::NvmlSensor::open(config.nvml_library, config.cuda_visible_devices, now,
                                                 config.nvml_prefer_power);
    if (nvml) {
      for (const auto& n : (*nvml)->notes()) out.notes.push_back("nvml: " + n);
      out.gpu_count = static_cast<int>((*nvml)->devices().size());
      if (!(*nvml)->devices().empty()) out.gpu_model = (*nvml)->devices().front().name;
      out.notes.push_back("nvml: " + std::to_string(out.gpu_count) + " GPU(s) (" + out.gpu_model + ")");
      out.sensors.push_back(std::move(*nvml));
      used.push_back("nvml");
    } else if (mode == "nvml") {
      return make_error("nvml: " + nvml.error().message);
    } else {
      out.notes.push_back("nvml skipped: " + nvml.error().message);
    }
  }
  if (!have_cpu) {
    auto info = proc.cpu_info();
    sensors::CpuInfo ci = info ? *info : sensors::CpuInfo{};
    if (ci.logical_cpus <= 0) ci.logical_cpus = 1;
    auto model = sensors::cpu_power_model(ci, config.host_threads);
    out.notes.push_back("cpu estimated: " + model.basis + " (idle " + std::to_string(static_cast<int>(model.idle.watts() + 0.5)) +
                        " W, max " + std::to_string(static_cast<int>(model.max.watts() + 0.5)) + " W)");
    out.sensors.push_back(std::make_unique<sensors::EstimatedCpuSensor>(std::move(model), now));
    used.push_back("estimate-cpu");
  }
  if (!have_dram) {
    auto mem = proc.memory_total_bytes();
    if (mem) {
      auto s = std::make_unique<sensors::EstimatedDramSensor>(*mem, now);
      out.notes.push_back("dram estimated: 0.375 W/GB x " + std::to_string(*mem / 1'000'000'000) +
                          " GB (CodeCarbon's 3 W per 8 GB)");
      out.sensors.push_back(std::move(s));
      used.push_back("estimate-dram");
    } else {
      out.notes.push_back("dram skipped: " + mem.error().message);
    }
  }
  for (const auto& u : used) out.label += (out.label.empty() ? "" : "+") + u;
  return out;
}

}  // namespace greenrun::runner
