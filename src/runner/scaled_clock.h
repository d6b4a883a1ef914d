// ScaledClock: a Clock whose time runs `scale` times faster than a base
// clock from the moment it is made, so that an hour of schedule passes in
// 3600/scale seconds of real time (end-to-end tests with real processes,
// `greenrun run --time-scale N`). Scale 1 is the base clock itself, shifted
// by nothing.
//
// Both steady and UTC time are scaled around the instant of construction;
// to_base()/from_base() convert steady instants for code that waits on the
// real clock (ChildProcess::wait_until, the sampler).
//
// Thread-safety: const after construction; safe wherever the base clock is.
#pragma once

#include "greenrun/base/clock.h"

namespace greenrun::runner {

class ScaledClock final : public Clock {
 public:
  // REQUIRES: scale > 0; `base` outlives this clock.
  ScaledClock(Clock& base, double scale);

  SteadyTime steady_now() const override;
  UtcTime utc_now() const override;
  void sleep_until(SteadyTime t) override;

  double scale() const { return scale_; }
  // The base clock's steady instant at which this clock shows `scaled`.
  SteadyTime to_base(SteadyTime scaled) const;
  // This clock's steady instant when the base clock shows `base`.
  SteadyTime from_base(SteadyTime base) const;

 private:
  Clock& base_;
  double scale_;
  SteadyTime base_steady0_;
  UtcTime base_utc0_;
};

}  // namespace greenrun::runner
