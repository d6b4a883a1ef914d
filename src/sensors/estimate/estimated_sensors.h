// Sensors that estimate instead of measure (every Reading is
// Method::kEstimated): CPU power from utilisation and a CpuPowerModel, DRAM
// power from memory size. Elapsed time comes from the caller's SampleInput.
//
// Thread-safety: one thread at a time.
#pragma once

#include "greenrun/sensors/energy_sensor.h"
#include "sensors/estimate/cpu_power_model.h"

namespace greenrun::sensors {

class EstimatedCpuSensor final : public EnergySensor {
 public:
  EstimatedCpuSensor(CpuPowerModel model, SteadyTime start) : model_(std::move(model)), last_(start) {}
  std::string_view name() const override { return "estimate-cpu"; }
  std::vector<Component> components() const override { return {Component::kCpu}; }
  // Energy = P(machine utilisation of the interval) x elapsed.
  [[nodiscard]] Result<SensorSample> read(const SampleInput& in) override;
  const CpuPowerModel& model() const { return model_; }

 private:
  CpuPowerModel model_;
  SteadyTime last_;
};

class EstimatedDramSensor final : public EnergySensor {
 public:
  EstimatedDramSensor(uint64_t memory_bytes, SteadyTime start)
      : power_(dram_power(memory_bytes)), memory_bytes_(memory_bytes), last_(start) {}
  std::string_view name() const override { return "estimate-dram"; }
  std::vector<Component> components() const override { return {Component::kDram}; }
  [[nodiscard]] Result<SensorSample> read(const SampleInput& in) override;
  Power power() const { return power_; }

 private:
  Power power_;
  uint64_t memory_bytes_;
  SteadyTime last_;
};

}  // namespace greenrun::sensors
