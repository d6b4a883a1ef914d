#include "sensors/fake/fake_sensor.h"

#include <algorithm>

namespace greenrun::sensors {

Result<SensorSample> FakeSensor::read(const SampleInput& in) {
  const Duration d = in.now > last_ ? std::chrono::duration_cast<Duration>(in.now - last_) : Duration(0);
  last_ = in.now;
  const double u = std::clamp(in.machine_cpu_utilisation, 0.0, 1.0);
  SensorSample s;
  s.readings.push_back(Reading{Component::kCpu, "cpu (simulated)", cpu_power_ * (0.2 + 0.8 * u) * d,
                               Method::kSimulated, std::nullopt});
  s.readings.push_back(Reading{Component::kDram, "dram (simulated)", dram_power_ * d, Method::kSimulated,
                               std::nullopt});
  return s;
}

}  // namespace greenrun::sensors
