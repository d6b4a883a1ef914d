// RAPL energy counters as read from powercap sysfs: a wrapping reading
// (microjoules, modulo max_energy_range_uj + 1) is not an energy; delta()
// turns two readings into the energy between them.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>

#include "greenrun/base/units.h"

namespace greenrun::sensors::rapl {

// One raw energy_uj reading. The counter runs from 0 to `range` (the zone's
// max_energy_range_uj) and then wraps to 0.
struct CounterReading {
  uint64_t microjoules = 0;
};

// Energy between two readings of a counter that wraps after `range_uj`,
// assuming at most one wrap in between (the sampler reads often enough; see
// max_safe_interval in rapl_sensor.h). A current reading below the previous
// one is a wrap: (range - previous) + current + 1 (the +1 is the step from
// `range` to 0). A reading above `range` (a broken file) counts as no energy.
// REQUIRES: range_uj > 0.
Energy delta(CounterReading previous, CounterReading current, uint64_t range_uj);

}  // namespace greenrun::sensors::rapl
