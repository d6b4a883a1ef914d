// NvmlLibrary: the few NVML calls greenrun uses, loaded at run time with
// dlopen("libnvidia-ml.so.1") so that greenrun has no link-time dependency on
// the NVIDIA driver. The library path is a parameter (tests load a stand-in
// built by the suite, tests/fixtures/fake_nvml.c). All dlsym casts live in
// nvml_library.cc.
//
// A machine without the library or without GPUs is normal: load() returns an
// error that callers record as the reason the NVML sensor was skipped.
//
// Thread-safety: NVML itself is thread-safe; this wrapper holds no mutable
// state after load().
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::sensors::nvml {

// NVML return codes greenrun distinguishes (nvml.h values).
inline constexpr int kNvmlSuccess = 0;
inline constexpr int kNvmlErrorNotSupported = 3;
inline constexpr int kNvmlErrorNoPermission = 4;
inline constexpr int kNvmlErrorInsufficientSize = 7;
inline constexpr int kNvmlErrorGpuIsLost = 15;

struct NvmlError {
  int code = 0;
  std::string message;  // "nvmlDeviceGetTotalEnergyConsumption: Not Supported"
  bool not_supported() const { return code == kNvmlErrorNotSupported; }
  bool gpu_lost() const { return code == kNvmlErrorGpuIsLost; }
};
template <typename T>
using NvmlResult = std::expected<T, NvmlError>;

struct Utilisation {
  unsigned gpu_percent = 0;
  unsigned memory_percent = 0;
};

struct GpuProcess {
  unsigned pid = 0;
  uint64_t used_memory_bytes = 0;
};

class NvmlLibrary {
 public:
  using Device = void*;  // nvmlDevice_t

  // dlopen + dlsym + nvmlInit_v2. Error names the library and the reason.
  [[nodiscard]] static Result<std::unique_ptr<NvmlLibrary>> load(const std::string& path = "libnvidia-ml.so.1");
  ~NvmlLibrary();  // nvmlShutdown + dlclose
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  [[nodiscard]] NvmlResult<unsigned> device_count() const;
  [[nodiscard]] NvmlResult<Device> handle_by_index(unsigned index) const;
  [[nodiscard]] NvmlResult<std::string> name(Device d) const;
  [[nodiscard]] NvmlResult<std::string> uuid(Device d) const;
  // Energy since the driver was loaded, mJ (Volta and later).
  [[nodiscard]] NvmlResult<uint64_t> total_energy_mj(Device d) const;
  // Current board power draw, mW.
  [[nodiscard]] NvmlResult<unsigned> power_mw(Device d) const;
  [[nodiscard]] NvmlResult<Utilisation> utilisation(Device d) const;
  [[nodiscard]] NvmlResult<std::vector<GpuProcess>> compute_processes(Device d) const;

 private:
  struct Api;
  explicit NvmlLibrary(std::unique_ptr<Api> api);
  std::unique_ptr<Api> api_;
};

}  // namespace greenrun::sensors::nvml
