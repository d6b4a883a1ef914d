#include "sensors/estimate/estimated_sensors.h"

#include <cstdio>

namespace greenrun::sensors {
namespace {
Duration elapsed(SteadyTime& last, SteadyTime now) {
  const auto d = now > last ? std::chrono::duration_cast<Duration>(now - last) : Duration(0);
  last = now;
  return d;
}
}  // namespace

Result<SensorSample> EstimatedCpuSensor::read(const SampleInput& in) {
  const Duration d = elapsed(last_, in.now);
  SensorSample s;
  s.readings.push_back(Reading{Component::kCpu, "cpu (utilisation x power model)",
                               model_.at(in.machine_cpu_utilisation) * d, Method::kEstimated, std::nullopt});
  return s;
}

Result<SensorSample> EstimatedDramSensor::read(const SampleInput& in) {
  const Duration d = elapsed(last_, in.now);
  char device[96];
  std::snprintf(device, sizeof device, "dram (%.1f GB x %.3f W/GB)", static_cast<double>(memory_bytes_) / 1e9,
                kDramWattsPerGb);
  SensorSample s;
  s.readings.push_back(Reading{Component::kDram, device, power_ * d, Method::kEstimated, std::nullopt});
  return s;
}

}  // namespace greenrun::sensors
