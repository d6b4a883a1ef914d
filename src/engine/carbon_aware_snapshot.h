// What CarbonAwareQueries answers from: every zone's actual and forecast
// series as the store held them when it was last read (immutable once built,
// shared by the threads answering requests). Private to src/engine.
//
// Thread-safety: immutable after construction.
#pragma once

#include <map>
#include <string>

#include "greenrun/carbon_aware_queries.h"
#include "greenrun/intensity/intensity_series.h"

namespace greenrun::engine {

struct ZoneData {
  std::string zone;                    // as stored
  intensity::IntensitySeries actual;   // empty: none stored
  intensity::IntensitySeries forecast; // empty: none stored
};

struct CarbonAwareQueries::Snapshot {
  std::string fingerprint;               // the store file's size and times when read
  std::map<std::string, ZoneData> zones;  // by upper-case zone id
};

// Index of the first point of `s` ending after t (s.size() when none). O(log n).
size_t first_point_ending_after(const intensity::IntensitySeries& s, UtcTime t);

}  // namespace greenrun::engine
