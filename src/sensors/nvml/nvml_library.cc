// The only file that casts dlsym results. Signatures follow nvml.h (not
// included: greenrun builds without the CUDA toolkit).
#include "sensors/nvml/nvml_library.h"

#include <dlfcn.h>

namespace greenrun::sensors::nvml {
namespace {

using nvmlReturn_t = int;
struct nvmlUtilization_t {
  unsigned int gpu;
  unsigned int memory;
};
// nvmlProcessInfo_t as of the _v2/_v3 entry points.
struct nvmlProcessInfo_t {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};

}  // namespace

struct NvmlLibrary::Api {
  void* handle = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*device_count)(unsigned int*) = nullptr;
  nvmlReturn_t (*handle_by_index)(unsigned int, void**) = nullptr;
  nvmlReturn_t (*name)(void*, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(void*, char*, unsigned int) = nullptr;
  nvmlReturn_t (*total_energy)(void*, unsigned long long*) = nullptr;
  nvmlReturn_t (*power_usage)(void*, unsigned int*) = nullptr;
  nvmlReturn_t (*utilization)(void*, nvmlUtilization_t*) = nullptr;
  nvmlReturn_t (*compute_processes)(void*, unsigned int*, nvmlProcessInfo_t*) = nullptr;
  const char* compute_processes_symbol = "";

  NvmlError error(const char* call, nvmlReturn_t rc) const {
    const char* text = error_string ? error_string(rc) : nullptr;
    return NvmlError{rc, std::string(call) + ": " + (text ? text : "NVML error " + std::to_string(rc))};
  }
};

namespace {
template <typename F>
void bind(void* handle, F& fn, const char* symbol) {
  // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
  fn = reinterpret_cast<F>(dlsym(handle, symbol));
}
}  // namespace

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::load(const std::string& path) {
  auto api = std::make_unique<Api>();
  api->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!api->handle) {
    const char* why = dlerror();
    return make_error(path + ": cannot load NVML (" + (why ? why : "unknown reason") +
                      "); no NVIDIA driver on this machine");
  }
  void* h = api->handle;
  bind(h, api->init, "nvmlInit_v2");
  bind(h, api->shutdown, "nvmlShutdown");
  bind(h, api->error_string, "nvmlErrorString");
  bind(h, api->device_count, "nvmlDeviceGetCount_v2");
  bind(h, api->handle_by_index, "nvmlDeviceGetHandleByIndex_v2");
  bind(h, api->name, "nvmlDeviceGetName");
  bind(h, api->uuid, "nvmlDeviceGetUUID");
  bind(h, api->total_energy, "nvmlDeviceGetTotalEnergyConsumption");
  bind(h, api->power_usage, "nvmlDeviceGetPowerUsage");
  bind(h, api->utilization, "nvmlDeviceGetUtilizationRates");
  bind(h, api->compute_processes, "nvmlDeviceGetComputeRunningProcesses_v3");
  api->compute_processes_symbol = "nvmlDeviceGetComputeRunningProcesses_v3";
  if (!api->compute_processes) {
    bind(h, api->compute_processes, "nvmlDeviceGetComputeRunningProcesses_v2");
    api->compute_processes_symbol = "nvmlDeviceGetComputeRunningProcesses_v2";
  }
  const char* missing = !api->init             ? "nvmlInit_v2"
                        : !api->shutdown       ? "nvmlShutdown"
                        : !api->device_count   ? "nvmlDeviceGetCount_v2"
                        : !api->handle_by_index ? "nvmlDeviceGetHandleByIndex_v2"
                        : !api->name           ? "nvmlDeviceGetName"
                                               : nullptr;
  if (missing) {
    dlclose(h);
    return make_error(path + ": not a usable NVML library (missing " + missing + ")");
  }
  if (const nvmlReturn_t rc = api->init(); rc != kNvmlSuccess) {
    const std::string msg = api->error("nvmlInit_v2", rc).message;
    dlclose(h);
    return make_error(path + ": " + msg);
  }
  return std::unique_ptr<NvmlLibrary>(new NvmlLibrary(std::move(api)));
}

NvmlLibrary::NvmlLibrary(std::unique_ptr<Api> api) : api_(std::move(api)) {}

NvmlLibrary::~NvmlLibrary() {
  if (api_ && api_->handle) {
    api_->shutdown();
    dlclose(api_->handle);
  }
}

NvmlResult<unsigned> NvmlLibrary::device_count() const {
  unsigned n = 0;
  if (auto rc = api_->device_count(&n); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetCount_v2", rc));
  return n;
}

NvmlResult<NvmlLibrary::Device> NvmlLibrary::handle_by_index(unsigned index) const {
  void* d = nullptr;
  if (auto rc = api_->handle_by_index(index, &d); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetHandleByIndex_v2", rc));
  return d;
}

NvmlResult<std::string> NvmlLibrary::name(Device d) const {
  char buf[96] = {};
  if (auto rc = api_->name(d, buf, sizeof buf); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetName", rc));
  return std::string(buf);
}

NvmlResult<std::string> NvmlLibrary::uuid(Device d) const {
  if (!api_->uuid) return std::unexpected(NvmlError{kNvmlErrorNotSupported, "nvmlDeviceGetUUID: missing"});
  char buf[96] = {};
  if (auto rc = api_->uuid(d, buf, sizeof buf); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetUUID", rc));
  return std::string(buf);
}

NvmlResult<uint64_t> NvmlLibrary::total_energy_mj(Device d) const {
  if (!api_->total_energy)
    return std::unexpected(NvmlError{kNvmlErrorNotSupported, "nvmlDeviceGetTotalEnergyConsumption: missing"});
  unsigned long long mj = 0;
  if (auto rc = api_->total_energy(d, &mj); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetTotalEnergyConsumption", rc));
  return static_cast<uint64_t>(mj);
}

NvmlResult<unsigned> NvmlLibrary::power_mw(Device d) const {
  if (!api_->power_usage) return std::unexpected(NvmlError{kNvmlErrorNotSupported, "nvmlDeviceGetPowerUsage: missing"});
  unsigned mw = 0;
  if (auto rc = api_->power_usage(d, &mw); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetPowerUsage", rc));
  return mw;
}

NvmlResult<Utilisation> NvmlLibrary::utilisation(Device d) const {
  if (!api_->utilization)
    return std::unexpected(NvmlError{kNvmlErrorNotSupported, "nvmlDeviceGetUtilizationRates: missing"});
  nvmlUtilization_t u{};
  if (auto rc = api_->utilization(d, &u); rc != kNvmlSuccess)
    return std::unexpected(api_->error("nvmlDeviceGetUtilizationRates", rc));
  return Utilisation{u.gpu, u.memory};
}

NvmlResult<std::vector<GpuProcess>> NvmlLibrary::compute_processes(Device d) const {
  if (!api_->compute_processes)
    return std::unexpected(NvmlError{kNvmlErrorNotSupported, "nvmlDeviceGetComputeRunningProcesses: missing"});
  std::vector<nvmlProcessInfo_t> infos(16);
  for (int attempt = 0; attempt < 4; ++attempt) {
    unsigned n = static_cast<unsigned>(infos.size());
    const auto rc = api_->compute_processes(d, &n, infos.data());
    if (rc == kNvmlErrorInsufficientSize) {
      infos.resize(static_cast<size_t>(n) + 16);
      continue;
    }
    if (rc != kNvmlSuccess) return std::unexpected(api_->error(api_->compute_processes_symbol, rc));
    std::vector<GpuProcess> out;
    for (unsigned i = 0; i < n && i < infos.size(); ++i)
      out.push_back(GpuProcess{infos[i].pid, static_cast<uint64_t>(infos[i].usedGpuMemory)});
    return out;
  }
  return std::unexpected(NvmlError{kNvmlErrorInsufficientSize, "compute processes: list keeps growing"});
}

}  // namespace greenrun::sensors::nvml
