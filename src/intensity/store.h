// IntensityStore: the local SQLite store of carbon-intensity series and the
// imports that filled it. Location: --store, else $GREENRUN_STORE, else
// $XDG_DATA_HOME/greenrun/greenrun.db (~/.local/share/greenrun/greenrun.db).
//
// Guarantees: an import is one transaction (a failure changes nothing);
// importing the same data twice is idempotent; overlapping imports keep the
// provenance of every import (which source last wrote each point is kept).
//
// Thread-safety: one IntensityStore per thread; SQLite serialises writers
// across processes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/units.h"
#include "intensity/intensity_series.h"

struct sqlite3;

namespace greenrun::intensity {

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
  std::vector<std::string> sources;  // provenance of the imports that wrote it
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
};

struct ImportSummary {
  size_t inserted = 0;   // new points
  size_t replaced = 0;   // points whose value or flag changed
  size_t unchanged = 0;  // identical points already present
};

class IntensityStore {
 public:
  // Resolves the default location (see the header comment). `override_path`
  // is --store when given.
  static std::string default_path(const std::optional<std::string>& override_path = std::nullopt);

  // Opens or creates the store (and its folder). Error names the path.
  [[nodiscard]] static Result<IntensityStore> open(const std::string& path);

  IntensityStore(IntensityStore&&) noexcept;
  IntensityStore& operator=(IntensityStore&&) noexcept;
  ~IntensityStore();

  const std::string& path() const { return path_; }

  // Writes every series in one transaction. On error nothing is written.
  [[nodiscard]] Result<ImportSummary> import(const std::vector<IntensitySeries>& series);

  [[nodiscard]] Result<std::vector<StoredSeriesInfo>> list() const;

  // Points that overlap [from, to) (whole points, not clipped), in order.
  // An empty series when the store has none.
  [[nodiscard]] Result<IntensitySeries> load(const SeriesKey& key, UtcTime from, UtcTime to) const;

  [[nodiscard]] Result<std::vector<ZoneYearStats>> stats() const;

  // The underlying connection, for tables owned by other parts (run records).
  sqlite3* connection() const { return db_; }

 private:
  IntensityStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace greenrun::intensity
