// EnergySensor: one source of energy readings (RAPL counters, NVML, an
// estimate from utilisation, or the simulated FakeSensor). Sensors collect;
// the runner's Sampler decides when to read them and where the figures go.
//
// A sensor never reads the clock: the caller passes the steady time of each
// reading in a SampleInput. read() returns the energy used since the sensor
// was opened (its factory primes the counters) or since the previous read(),
// one Reading per device, each labelled with how the figure was obtained.
//
// Thread-safety: a sensor is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::sensors {

// How a figure was obtained. Every energy figure greenrun reports carries one.
// The one Method of greenrun: sensors label readings with it, accounting
// (accounting::Method is an alias) and the runner's records carry it as is.
// Ordered from strongest to weakest evidence.
enum class Method : uint8_t {
  kMeasured,    // a hardware energy counter (RAPL energy_uj, NVML total energy)
  kIntegrated,  // power samples (NVML power usage) integrated over time
  kEstimated,   // a model: utilisation x TDP, W per GB, ...
  kSimulated,   // the FakeSensor: invented numbers, for demos and tests
};
std::string_view to_string(Method m);  // "measured", "integrated", "estimated", "simulated"
// The weakest of two methods (measured < integrated < estimated < simulated):
// a sum is only as good as its weakest part.
constexpr Method weaker(Method a, Method b) { return a > b ? a : b; }

enum class Component { kCpu, kDram, kGpu, kPlatform };
std::string_view to_string(Component c);  // "cpu", "dram", "gpu", "platform"

// The inverses of to_string, for reading records back; nullopt for other text.
std::optional<Method> parse_method(std::string_view s);
std::optional<Component> parse_component(std::string_view s);

// Energy of one device over one interval.
struct Reading {
  Component component = Component::kCpu;
  std::string device;  // "package-0", "gpu0 NVIDIA A100-SXM4-40GB", "cpu (estimate)"
  Energy energy;
  Method method = Method::kMeasured;
  // The job's share when the sensor knows it itself (NVML per-process data);
  // otherwise the Sampler attributes CPU and DRAM by CPU time.
  std::optional<Energy> job_energy;
};

struct SampleInput {
  SteadyTime now{};                // when this reading is taken (caller's clock)
  std::span<const pid_t> job_pids;  // the job's process tree, for per-process data
  double machine_cpu_utilisation = 0;  // 0..1 over the interval, from /proc/stat
};

// A process on a GPU, as the sensor sees it (NVML's running compute processes).
struct GpuProcessUse {
  unsigned pid = 0;
  std::optional<uint64_t> used_memory_bytes;  // none: not reported (MIG, some drivers)
};

// The compute processes on one GPU reading's device when it was read; what
// the Slurm sampler shares that device's energy among jobs by
// (sensors/slurm_gpu_jobs.h).
struct GpuProcesses {
  std::string device;  // the Reading's `device`
  std::vector<GpuProcessUse> processes;  // empty: none running
  bool known = true;  // false: the list could not be read (unsupported)
};

struct SensorSample {
  std::vector<Reading> readings;
  // Problems that did not stop the sensor: a zone that vanished, a GPU lost.
  std::vector<std::string> warnings;
  // Per GPU reading, where the sensor knows them (NVML).
  std::vector<GpuProcesses> gpu_processes;
};

class EnergySensor {
 public:
  virtual ~EnergySensor() = default;
  // "rapl", "nvml", "estimate-cpu", "fake", ...
  virtual std::string_view name() const = 0;
  virtual std::vector<Component> components() const = 0;
  // Energy since the previous read(). Error when the sensor can no longer
  // produce any figure (every zone gone, NVML failed); the caller then drops
  // the sensor and says so.
  [[nodiscard]] virtual Result<SensorSample> read(const SampleInput& in) = 0;
};

}  // namespace greenrun::sensors
