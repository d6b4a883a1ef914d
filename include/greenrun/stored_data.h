// What the intensity store holds, as a front end lists it: every stored
// series (zone x signal x origin) with its span and the imports its points
// came from, and per zone, UTC year, signal and origin the counts and the
// time-weighted mean, min and max. What `greenrun intensity list` and
// `intensity stats` print; Python and the server can show the same.
//
// Reading never writes the store: an absent store holds nothing (not an
// error). Errors (kIo) name the store when it cannot be read.
//
// Thread-safety: each call opens the store read-only itself.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "greenrun/engine.h"
#include "intensity/store.h"

namespace greenrun::engine {

struct StoredSeriesListing {
  std::vector<intensity::StoredSeriesInfo> series;
  // Every import recorded in the store, by id (StoredSeriesInfo::import_ids
  // refer to these).
  std::map<int64_t, intensity::ImportRecord> imports;
};

[[nodiscard]] Result<StoredSeriesListing> list_stored(const Services& services);

struct StoredStats {
  std::vector<intensity::ZoneYearStats> stats;          // zone, year, signal, origin order
  std::map<int64_t, intensity::ImportRecord> imports;  // by id
};

[[nodiscard]] Result<StoredStats> stored_stats(const Services& services);

}  // namespace greenrun::engine
