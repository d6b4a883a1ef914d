// A job to schedule: how long it runs and how much power it draws while it
// runs. Power is constant (watts, or a total energy spread evenly), or a
// per-interval profile taken from an earlier run (interval j covers job time
// [offset_j, offset_j + duration_j) measured from the job's own start, so the
// profile follows the work, not the wall clock).
//
// Thread-safety: immutable values.
#pragma once

#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::scheduling {

struct PowerInterval {
  Duration duration;
  Power power;
};

class PowerProfile {
 public:
  // REQUIRES nothing; a negative power is rejected by Job::make.
  static PowerProfile constant(Power p);
  // A profile whose intervals add up to the job duration (checked by
  // Job::make). Error: empty profile, non-positive interval, negative power.
  [[nodiscard]] static Result<PowerProfile> intervals(std::vector<PowerInterval> parts);

  bool is_constant() const { return parts_.empty(); }
  // The constant power, or the time-weighted mean of the profile.
  Power mean_power() const;
  const std::vector<PowerInterval>& parts() const { return parts_; }

 private:
  Power constant_;
  std::vector<PowerInterval> parts_;
};

class Job {
 public:
  // Errors: duration <= 0; negative power; a profile whose intervals do not
  // add up to `duration`.
  [[nodiscard]] static Result<Job> make(Duration duration, PowerProfile power);
  // Total energy spread evenly over the duration. Error: duration <= 0,
  // negative energy.
  [[nodiscard]] static Result<Job> with_energy(Duration duration, Energy energy);

  Duration duration() const { return duration_; }
  const PowerProfile& power() const { return power_; }
  Energy energy() const { return power_.mean_power() * duration_; }

 private:
  Job(Duration d, PowerProfile p) : duration_(d), power_(std::move(p)) {}
  Duration duration_{};
  PowerProfile power_;
};

}  // namespace greenrun::scheduling
