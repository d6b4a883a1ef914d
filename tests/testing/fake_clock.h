// FakeClock: a Clock that moves only when told (advance) or when someone
// sleeps on it, so an hour of schedule runs in microseconds.
// Thread-safety: all methods lock; safe for a sampler thread and a test thread.
#pragma once

#include <mutex>

#include "greenrun/base/clock.h"

namespace greenrun::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UtcTime utc_start = UtcTime(Duration(1'672'531'200'000)))  // 2023-01-01
      : utc_(utc_start) {}

  SteadyTime steady_now() const override {
    std::lock_guard lock(mu_);
    return steady_;
  }
  UtcTime utc_now() const override {
    std::lock_guard lock(mu_);
    return utc_;
  }
  void sleep_until(SteadyTime t) override {
    std::lock_guard lock(mu_);
    if (t > steady_) {
      const auto d = std::chrono::duration_cast<Duration>(t - steady_);
      steady_ = t;
      utc_ += d;
    }
  }
  void advance(Duration d) {
    std::lock_guard lock(mu_);
    steady_ += d;
    utc_ += d;
  }

 private:
  mutable std::mutex mu_;
  SteadyTime steady_{};
  UtcTime utc_;
};

}  // namespace greenrun::testing
