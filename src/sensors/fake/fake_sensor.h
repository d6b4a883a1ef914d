// FakeSensor: invented but plausible figures (a CPU drawing `cpu_power` x
// utilisation and a constant DRAM draw), so the CLI runs end to end anywhere.
// Every Reading is Method::kSimulated and every output says "simulated".
//
// Thread-safety: one thread at a time.
#pragma once

#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::sensors {

class FakeSensor final : public EnergySensor {
 public:
  FakeSensor(SteadyTime start, Power cpu_power = Power::watts(65), Power dram_power = Power::watts(3))
      : last_(start), cpu_power_(cpu_power), dram_power_(dram_power) {}
  std::string_view name() const override { return "fake"; }
  std::vector<Component> components() const override { return {Component::kCpu, Component::kDram}; }
  [[nodiscard]] Result<SensorSample> read(const SampleInput& in) override;

 private:
  SteadyTime last_;
  Power cpu_power_;
  Power dram_power_;
};

}  // namespace greenrun::sensors
