// NvmlSensor: energy of each visible NVIDIA GPU through NvmlLibrary.
//
// Per GPU, the best method that works, chosen at open() and degraded at run
// time when a call starts failing:
//   measured   — nvmlDeviceGetTotalEnergyConsumption (mJ counter, Volta+);
//   integrated — nvmlDeviceGetPowerUsage samples, trapezoids over time;
//   estimated  — TDP (mlco2 table) x utilisation, when there is no power reading.
// A GPU that is lost mid-run (NVML_ERROR_GPU_IS_LOST) is dropped with a
// warning; read() fails only when no GPU is left.
//
// Visibility follows CUDA_VISIBLE_DEVICES (indices or GPU-UUID prefixes; an
// invalid entry ends the list as in CUDA; empty means no GPU). Indices are
// NVML's, which is CUDA's order under CUDA_DEVICE_ORDER=PCI_BUS_ID.
//
// Job share: where NVML lists compute processes, the job gets the fraction of
// GPU memory held by its processes (a proxy: NVML has no per-process energy).
// When the list is empty or unsupported, job_energy is unset and the caller
// attributes the whole GPU to the job. Each read also lists every GPU's
// compute processes (SensorSample::gpu_processes), so a node's GPU energy can
// be shared among several jobs (sensors/slurm_gpu_jobs.h).
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/sensors/energy_sensor.h"
#include "sensors/nvml/nvml_library.h"

namespace greenrun::sensors::nvml {

// The NVML indices CUDA_VISIBLE_DEVICES selects out of `count` devices.
// `uuids[i]` is device i's UUID ("" if unknown). nullopt text = all devices.
std::vector<unsigned> visible_devices(const std::optional<std::string>& cuda_visible_devices, unsigned count,
                                      const std::vector<std::string>& uuids);

enum class GpuMethod { kCounter, kPower, kUtilisation };

struct GpuDevice {
  unsigned index = 0;
  std::string name;
  NvmlLibrary::Device handle = nullptr;
  GpuMethod method = GpuMethod::kCounter;
  uint64_t last_mj = 0;
  std::optional<Power> last_power;
  Power tdp;  // for kUtilisation
  bool lost = false;
};

class NvmlSensor final : public EnergySensor {
 public:
  // Loads NVML from `library_path`, selects the visible GPUs and primes them
  // at `now`. Error when the library is missing, init fails or no GPU is
  // visible (all normal on a machine without GPUs: the reason is recorded).
  // `prefer_power` skips the energy counter (to compare the two methods on
  // real hardware: scripts/gpu-check.sh).
  [[nodiscard]] static Result<std::unique_ptr<NvmlSensor>> open(
      const std::string& library_path, const std::optional<std::string>& cuda_visible_devices, SteadyTime now,
      bool prefer_power = false);

  std::string_view name() const override { return "nvml"; }
  std::vector<Component> components() const override { return {Component::kGpu}; }
  [[nodiscard]] Result<SensorSample> read(const SampleInput& in) override;

  const std::vector<GpuDevice>& devices() const { return devices_; }
  // Notes from open(): devices skipped and why.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  NvmlSensor(std::unique_ptr<NvmlLibrary> lib, SteadyTime now) : lib_(std::move(lib)), last_(now) {}
  static std::optional<Energy> job_share(const std::vector<GpuProcess>& procs, Energy total, const SampleInput& in);

  std::unique_ptr<NvmlLibrary> lib_;
  std::vector<GpuDevice> devices_;
  std::vector<std::string> notes_;
  SteadyTime last_;
};

}  // namespace greenrun::sensors::nvml
