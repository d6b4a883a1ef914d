// The embedded catalogue as a front end lists it: grid zones (annual means,
// whether a typical profile exists) and cloud regions (location, grid zone,
// the zone's annual mean). What `greenrun zones` / `greenrun regions` print,
// and what Python or the server would offer as a picker; the search rule
// lives here so every front end finds the same zones.
//
// The entries are plain values (copied out of the catalogue compiled into
// the binary): a front end needs no header of the intensity library.
//
// Thread-safety: pure reads of immutable data; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/signal.h"

namespace greenrun::engine {

struct ZoneEntry {
  std::string id;    // "DE", "US-CAL-CISO", "CAISO_NORTH", "FRA" ...
  std::string name;  // "Germany"
  std::string kind;  // "electricitymaps", "country", "bidding-zone", "watttime", "world"
  double annual_mean_g_per_kwh = 0;
  intensity::Signal signal = intensity::Signal::kAverageLifecycle;  // of the annual mean
  int year = 0;
  std::string source;         // where the annual mean comes from
  std::string fallback_zone;  // WattTime regions: the zone whose mean this repeats; else empty
  bool typical_profile = false;  // a month x hour profile (life-cycle or direct) exists
};

// The zones whose id, name or kind contains `search` (case-insensitive;
// empty: every zone), in catalogue order. Error kNotFound when none match.
[[nodiscard]] Result<std::vector<ZoneEntry>> list_zones(std::string_view search);

struct RegionEntry {
  std::string provider;  // "aws", "azure", "gcp"
  std::string region;    // "us-east-1"
  std::string name;      // display name; may be empty
  std::string location;  // "N. Virginia, US"
  double latitude = 0, longitude = 0;
  std::string zone;                            // its grid zone
  std::optional<double> zone_annual_mean_g_per_kwh;  // none when the catalogue lacks the zone
  std::optional<int> zone_year;
  std::optional<double> provider_g_per_kwh;  // the provider table's own figure
  std::string provider_source;               // where that figure came from
  std::string watttime_region;               // "PJM_DC" where known; else empty
  std::string source;                        // which tables list it; where coordinates came from
};

// The cloud regions of `provider` ("aws", "azure", "gcp"; none or empty:
// all), in catalogue order.
[[nodiscard]] std::vector<RegionEntry> list_regions(std::optional<std::string_view> provider);

}  // namespace greenrun::engine
