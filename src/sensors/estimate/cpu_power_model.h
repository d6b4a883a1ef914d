// CpuPowerModel: how much power this machine's CPUs draw at a given
// utilisation, when no counter measures it (cloud VMs, CI machines).
//
//   P(u) = P_idle + (P_max - P_idle) x u,   u = busy / total CPU time (/proc/stat)
//
// P_max and P_idle, in order of preference (docs/formats.md, "Estimates"):
// 1. the model's TDP (scripts/gen_tdp.py table) x sockets on bare metal, or
//    x this VM's share of the host (vCPUs / host threads) when the host's
//    thread count is known (GREENRUN_HOST_THREADS);
//    P_idle = P_max x idle fraction, the fraction being Cloud Carbon
//    Footprint's mean Min Watts / Max Watts per vCPU (about 0.26);
// 2. in a VM whose host is unknown, or when the model is not in the table:
//    Cloud Carbon Footprint's mean per-vCPU Min/Max Watts x vCPUs.
// Dividing a socket TDP among an unknown number of tenants would be a guess;
// the per-vCPU coefficient is a published average instead.
//
// Thread-safety: plain value.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/units.h"
#include "sensors/proc_reader.h"

namespace greenrun::sensors {

struct CpuPowerModel {
  Power idle;
  Power max;
  std::string basis;  // one line: what the figures rest on, for the record

  Power at(double utilisation) const;  // utilisation clamped to [0, 1]
};

// REQUIRES: info.logical_cpus > 0.
CpuPowerModel cpu_power_model(const CpuInfo& info, std::optional<int> host_threads);

// CodeCarbon's RAM model: 3 W per 8 GB = 0.375 W/GB, constant
// (codecarbon docs, "Methodology / RAM").
inline constexpr double kDramWattsPerGb = 0.375;
Power dram_power(uint64_t memory_bytes);

}  // namespace greenrun::sensors
