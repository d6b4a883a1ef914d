#include "sensors/estimate/cpu_power_model.h"

#include <algorithm>
#include <cstdio>

#include "sensors/estimate/tdp_table.h"

namespace greenrun::sensors {
namespace {
std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
}  // namespace

Power CpuPowerModel::at(double utilisation) const {
  const double u = std::clamp(utilisation, 0.0, 1.0);
  return Power::watts(idle.watts() + (max.watts() - idle.watts()) * u);
}

CpuPowerModel cpu_power_model(const CpuInfo& info, std::optional<int> host_threads) {
  const double idle_fraction = kCcfMeanMinWattsPerVcpu / kCcfMeanMaxWattsPerVcpu;
  const auto tdp = find_cpu_tdp(info.model_name);
  const int vcpus = std::max(1, info.logical_cpus);
  if (tdp && (!info.hypervisor || (host_threads && *host_threads > 0))) {
    double share = 1.0;
    std::string how;
    if (info.hypervisor) {
      share = std::min(1.0, static_cast<double>(vcpus) / *host_threads);
      how = "x VM share " + std::to_string(vcpus) + "/" + std::to_string(*host_threads) + " host threads";
    } else {
      share = std::max(1, info.sockets);
      how = "x " + std::to_string(std::max(1, info.sockets)) + " socket(s)";
    }
    const Power max = tdp->tdp * share;
    return CpuPowerModel{max * idle_fraction, max,
                         "TDP " + fixed(tdp->tdp.watts(), 0) + " W of \"" + tdp->matched + "\" (" + tdp->source +
                             " table) " + how + "; idle " + fixed(idle_fraction * 100, 0) +
                             " % of max (CCF mean min/max)"};
  }
  const std::string why = !tdp ? "\"" + info.model_name + "\" not in the TDP table"
                               : std::string("VM with unknown host size (set GREENRUN_HOST_THREADS)");
  return CpuPowerModel{Power::watts(kCcfMeanMinWattsPerVcpu * vcpus), Power::watts(kCcfMeanMaxWattsPerVcpu * vcpus),
                       why + ": Cloud Carbon Footprint mean " + fixed(kCcfMeanMinWattsPerVcpu, 2) + "-" +
                           fixed(kCcfMeanMaxWattsPerVcpu, 2) + " W per vCPU x " + std::to_string(vcpus) +
                           " vCPUs"};
}

Power dram_power(uint64_t memory_bytes) {
  return Power::watts(kDramWattsPerGb * static_cast<double>(memory_bytes) / 1e9);
}

}  // namespace greenrun::sensors
