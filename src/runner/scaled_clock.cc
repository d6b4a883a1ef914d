#include "runner/scaled_clock.h"

#include <cassert>

namespace greenrun::runner {
namespace {

template <class D>
D scaled(D d, double k) {
  return std::chrono::duration_cast<D>(std::chrono::duration<double, typename D::period>(
      static_cast<double>(d.count()) * k));
}

}  // namespace

ScaledClock::ScaledClock(Clock& base, double scale)
    : base_(base), scale_(scale), base_steady0_(base.steady_now()), base_utc0_(base.utc_now()) {
  assert(scale > 0);
}

SteadyTime ScaledClock::steady_now() const { return from_base(base_.steady_now()); }

UtcTime ScaledClock::utc_now() const {
  return base_utc0_ + std::chrono::duration_cast<Duration>(scaled(base_.steady_now() - base_steady0_, scale_));
}

void ScaledClock::sleep_until(SteadyTime t) { base_.sleep_until(to_base(t)); }

SteadyTime ScaledClock::to_base(SteadyTime scaled_t) const {
  return base_steady0_ + scaled(scaled_t - base_steady0_, 1.0 / scale_);
}

SteadyTime ScaledClock::from_base(SteadyTime base) const {
  return base_steady0_ + scaled(base - base_steady0_, scale_);
}

}  // namespace greenrun::runner
