// Choosing sensors for a run: `--sensors auto|rapl|nvml|estimate|fake`.
//
// auto: RAPL when its counters are readable, else the CPU estimate; DRAM
// from RAPL's dram zones when present, else the per-GB estimate; NVML for
// GPUs when the library loads and a GPU is visible. Every sensor not used
// leaves a note saying why (kept in run.json). rapl / nvml: that sensor only
// (error when unavailable), plus estimates for what it does not cover.
// estimate: estimates only. fake: the simulated FakeSensor only.
//
// Environment seams (for tests and unusual machines): GREENRUN_POWERCAP_ROOT
// (default /sys/class/powercap), GREENRUN_NVML_LIBRARY (default
// libnvidia-ml.so.1), GREENRUN_HOST_THREADS (host size of a VM),
// GREENRUN_NVML_METHOD=power (integrate power even where the counter works),
// CUDA_VISIBLE_DEVICES.
//
// Thread-safety: call from one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/sensors/energy_sensor.h"
#include "sensors/proc_reader.h"

namespace greenrun::runner {

struct SensorConfig {
  std::string mode = "auto";
  std::string powercap_root = "/sys/class/powercap";
  std::string nvml_library = "libnvidia-ml.so.1";
  std::optional<std::string> cuda_visible_devices;
  std::optional<int> host_threads;
  bool nvml_prefer_power = false;  // GREENRUN_NVML_METHOD=power
  // Reads the four settings above from the environment.
  static SensorConfig from_environment(std::string mode);
};

struct SensorSetup {
  std::vector<std::unique_ptr<sensors::EnergySensor>> sensors;
  std::vector<std::string> notes;  // what is used and why others were skipped
  std::string label;               // "rapl+nvml", "estimate", "fake"
  std::optional<Duration> max_interval;  // RAPL wrap limit, when RAPL is used
  std::string gpu_model;
  int gpu_count = 0;
};

// Error: an unknown mode, or a sensor named explicitly that cannot be used.
[[nodiscard]] Result<SensorSetup> set_up_sensors(const SensorConfig& config, const sensors::ProcReader& proc,
                                                 SteadyTime now);

}  // namespace greenrun::runner
