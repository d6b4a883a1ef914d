#include "greenrun/base/clock.h"

#include <thread>

namespace greenrun {

SteadyTime SystemClock::steady_now() const {
  return std::chrono::steady_clock::now();
}

UtcTime SystemClock::utc_now() const {
  return std::chrono::time_point_cast<Duration>(
      std::chrono::system_clock::now());
}

void SystemClock::sleep_until(SteadyTime t) { std::this_thread::sleep_until(t); }

}  // namespace greenrun
