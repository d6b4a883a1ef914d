#include "sensors/rapl/rapl_counter.h"

namespace greenrun::sensors::rapl {

Energy delta(CounterReading previous, CounterReading current, uint64_t range_uj) {
  const uint64_t p = previous.microjoules;
  const uint64_t c = current.microjoules;
  if (p > range_uj || c > range_uj) return Energy::zero();
  const uint64_t d = c >= p ? c - p : (range_uj - p) + c + 1;
  return Energy::microjoules(static_cast<double>(d));
}

}  // namespace greenrun::sensors::rapl
