// Clock: the one seam for time. Steady time for deltas and rates, UTC for
// intensity lookup, and sleep_until. Sensors never read the wall clock
// themselves; they are handed readings taken from a Clock.
//
// Thread-safety: SystemClock is thread-safe. Implementations must be safe to
// call from the sampler thread and the main thread at once.
#pragma once

#include <chrono>

#include "greenrun/base/units.h"

namespace greenrun {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime steady_now() const = 0;
  virtual UtcTime utc_now() const = 0;
  // Blocks until steady_now() >= t (a fake clock advances instead).
  virtual void sleep_until(SteadyTime t) = 0;
};

class SystemClock final : public Clock {
 public:
  SteadyTime steady_now() const override;
  UtcTime utc_now() const override;
  void sleep_until(SteadyTime t) override;
};

}  // namespace greenrun
