// What the intensity store holds, as a front end lists it: every stored
// series (zone x signal x origin) with its span and the imports its points
// came from; per zone, UTC year, signal and origin the counts and the
// time-weighted mean, min and max; and one series' points in a window with
// its gaps. What `greenrun intensity list`, `stats` and `show` print; Python
// and the server can show the same.
//
// Reading never writes the store: an absent store holds nothing (not an
// error). Errors (kIo) name the store when it cannot be read.
//
// Thread-safety: each call opens the store read-only itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/intensity/stored_series.h"

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

// The stored zone id that `zone` names: stored ids match case-insensitively
// ("gb" -> "GB"); a `region` ("azure:westus"), or a zone of that form, is
// resolved through the embedded catalogue first. With `must_exist`, an id
// the store lacks is an error (kNotFound) listing the stored zones;
// otherwise it is returned as typed (a zone new to the store). The one place
// user text becomes a stored zone id, for import and show alike.
[[nodiscard]] Result<std::string> resolve_stored_zone(std::string_view zone, std::string_view region,
                                                      const std::vector<intensity::StoredSeriesInfo>& stored,
                                                      const std::string& store_path, bool must_exist);

struct StoredWindowRequest {
  std::string zone;    // one of zone and region (resolve_stored_zone)
  std::string region;
  std::optional<intensity::Signal> signal;  // needed when the zone has several series
  std::optional<intensity::Origin> origin;
  std::optional<UtcTime> from;  // none: the series' start
  std::optional<UtcTime> to;    // none: the series' end
};

struct StoredWindow {
  std::string zone;
  intensity::SeriesKey key;
  UtcTime from{}, to{};
  intensity::LoadedWindow window;  // whole points overlapping [from, to), as stored
  std::vector<intensity::Gap> gaps;  // inside [from, to): before, between and after the points
  Duration missing{0};               // the gaps' total
  size_t estimated = 0;              // points the provider estimated
  std::optional<CarbonIntensity> mean;  // time-weighted over [from, to); none unless fully covered
};

// Errors: kNotFound for an unknown zone or region or no series with the
// signal and origin asked for; kFailure (exit status 1, as `intensity show`
// always gave) for several series and neither chosen, or from >= to.
[[nodiscard]] Result<StoredWindow> stored_window(const StoredWindowRequest& request, const Services& services);

}  // namespace greenrun::engine
