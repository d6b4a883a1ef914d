// What the intensity store holds, as values: a series' key, what is stored of
// it, the imports that wrote it, forecasts kept with their issue time, a
// window read back with its gaps, a year's statistics, an import's counts.
// The store itself (SQLite) is intensity's IntensityStore (src/intensity/store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/signal.h"

namespace greenrun::intensity {

// Where the store is: `override_path` (--store) when given and not empty,
// else $GREENRUN_STORE, else $XDG_DATA_HOME/greenrun/greenrun.db, else
// ~/.local/share/greenrun/greenrun.db.
std::string default_store_path(const std::optional<std::string>& override_path = std::nullopt);

struct SeriesKey {
  std::string zone;
  Signal signal = Signal::kAverageLifecycle;
  Origin origin = Origin::kActual;
};

struct StoredSeriesInfo {
  SeriesKey key;
  UtcTime first{};     // start of the first point
  UtcTime last_end{};  // end of the last point
  size_t points = 0;
  size_t estimated_points = 0;
  // Provenance of the imports whose points are still stored, as
  // "<source>: <origin>" (distinct, by import id).
  std::vector<std::string> sources;
  std::vector<int64_t> import_ids;  // ascending
};

// One row of the `imports` table: one series written by one import call.
struct ImportRecord {
  int64_t id = 0;
  int64_t batch = 0;  // the id of the first record written by the same call
  UtcTime imported_at{};
  Provenance provenance;
  SeriesKey key;
  UtcTime first{};     // span of the series as imported
  UtcTime last_end{};
  size_t points = 0;
  size_t estimated_points = 0;
  size_t inserted = 0;
  size_t replaced = 0;
  size_t unchanged = 0;
  // When the forecast it wrote was issued; nullopt when not known (actual
  // data, and every import written before schema version 3).
  std::optional<UtcTime> issued;
};

// One issued forecast as stored whole in the `issues` table: what the
// provider said at `issued` about [first, last_end), whatever later imports
// wrote over the same instants in the merged forecast series.
struct ForecastIssue {
  int64_t id = 0;
  std::string zone;
  Signal signal = Signal::kAverageLifecycle;
  UtcTime issued{};
  UtcTime first{};
  UtcTime last_end{};
  size_t points = 0;
  int64_t import_id = 0;  // the import that wrote it last
};

// A window of stored points with the import that last wrote each point.
struct LoadedWindow {
  IntensitySeries series;
  std::vector<int64_t> import_ids;   // one per point of `series`
  std::vector<ImportRecord> imports; // the records referenced, by id
};

// One zone x calendar year (UTC) x signal x origin.
struct ZoneYearStats {
  std::string zone;
  int year = 0;
  Signal signal = Signal::kAverageLifecycle;
  Origin origin = Origin::kActual;
  size_t count = 0;
  size_t estimated = 0;
  double mean = 0;  // time-weighted, g/kWh
  double min = 0;
  double max = 0;
  std::vector<int64_t> import_ids;  // imports whose points enter the figures, ascending
};

struct ImportSummary {
  size_t inserted = 0;   // new points (nothing stored overlapped them)
  size_t replaced = 0;   // points that overwrote (part of) different stored points
  size_t unchanged = 0;  // identical points already present (they keep their import id)
  // The import records written, one per input series, in input order.
  std::vector<ImportRecord> records;
};

}  // namespace greenrun::intensity
