// The embedded catalogue as a front end lists it: grid zones (annual means,
// whether a typical profile exists) and cloud regions (location, grid zone,
// the zone's annual mean). What `greenrun zones` / `greenrun regions` print,
// and what Python or the server would offer as a picker; the search rule
// lives here so every front end finds the same zones.
//
// The entries point into the catalogue compiled into the binary: they stay
// valid for the life of the process.
//
// Thread-safety: pure reads of immutable data; safe from any thread.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "intensity/zone_catalogue.h"

namespace greenrun::engine {

struct ZoneEntry {
  const intensity::ZoneInfo* zone = nullptr;  // never null
  bool typical_profile = false;  // a month x hour profile (life-cycle or direct) exists
};

// The zones whose id, name or kind contains `search` (case-insensitive;
// empty: every zone), in catalogue order. Error kNotFound when none match.
[[nodiscard]] Result<std::vector<ZoneEntry>> list_zones(std::string_view search);

struct RegionEntry {
  const intensity::CloudRegion* region = nullptr;  // never null
  const intensity::ZoneInfo* zone = nullptr;       // its grid zone; null when the catalogue lacks it
};

// The cloud regions of `provider` ("aws", "azure", "gcp"; none: all), in
// catalogue order.
[[nodiscard]] std::vector<RegionEntry> list_regions(std::optional<std::string_view> provider);

}  // namespace greenrun::engine
