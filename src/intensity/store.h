// IntensityStore: the local SQLite store of carbon-intensity series and the
// imports that filled it. Location: --store, else $GREENRUN_STORE, else
// $XDG_DATA_HOME/greenrun/greenrun.db (~/.local/share/greenrun/greenrun.db).
//
// Guarantees: an import is one transaction (a failure changes nothing);
// importing the same data twice is idempotent; overlapping imports keep the
// provenance of every import (which source last wrote each point is kept).
//
// Layout (schema version 3, docs/formats.md "Intensity store"): an `imports`
// table with one row per series written by each import call (source, origin
// path or URL, time, counts, a forecast's issue time when known), a `chunks`
// table holding the points of one zone x signal x origin x UTC month as
// packed arrays in a BLOB, merged on import (each point keeps the id of the
// import that last wrote it), and an `issues` table keeping every forecast
// that came with an issue time whole, one row per zone x signal x issue
// time, so that a replay can plan on "the forecast as known at the time".
//
// Overlap rule: newer data wins where it covers; an older point that is only
// partly covered keeps its uncovered parts (it is trimmed, never stretched).
//
// Thread-safety: one IntensityStore per thread; SQLite serialises writers
// across processes (WAL journal, 5 s busy timeout).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"

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

class IntensityStore {
 public:
  // Resolves the default location (see the header comment). `override_path`
  // is --store when given.
  static std::string default_path(const std::optional<std::string>& override_path = std::nullopt);

  // Opens or creates the store (and its folder). Error names the path, e.g.
  // when the file is not a SQLite database, belongs to another application or
  // has a newer schema version than this build knows.
  // A store file without write permission opens read-only (read_only()):
  // reads work, import() refuses with "PATH: the store is read-only ...".
  // A directory is refused ("PATH: is a directory ..."). A connection that
  // wrote anything checkpoints the WAL (TRUNCATE) after each import and when
  // it closes, so that the data lives in PATH itself when a command ends.
  [[nodiscard]] static Result<IntensityStore> open(const std::string& path);

  // Opens for reading only: never creates, migrates or writes the file (nor
  // its folder). A missing file or an empty database reads as an empty store.
  // Errors as open(): "PATH: not a greenrun store (...)", newer schema.
  [[nodiscard]] static Result<IntensityStore> open_read_only(const std::string& path);

  // The clock that stamps imports (default: the system clock). The clock must
  // outlive the store.
  void set_clock(const Clock& clock) { clock_ = &clock; }

  IntensityStore(IntensityStore&&) noexcept;
  IntensityStore& operator=(IntensityStore&&) noexcept;
  ~IntensityStore();

  const std::string& path() const { return path_; }
  // True for open_read_only() and for a file open() could not open for writing.
  bool read_only() const { return read_only_; }

  // Writes every series in one transaction, in order (a later series wins
  // where it overlaps an earlier one with the same key). `issues` are issued
  // forecasts kept whole in the issued-forecast table only, beside a merged
  // forecast of the same zone and signal in `series` (ImportResult::issues);
  // they change no stored series. On error nothing is written. Error: a
  // series without a zone, an issue without an issue time or without its
  // forecast in `series`, or the SQLite failure.
  [[nodiscard]] Result<ImportSummary> import(const std::vector<IntensitySeries>& series,
                                             const std::vector<IntensitySeries>& issues = {});

  [[nodiscard]] Result<std::vector<StoredSeriesInfo>> list() const;

  // Points that overlap [from, to) (whole points, not clipped), in order.
  // An empty series when the store has none. The provenance joins the
  // distinct sources / origins / notes of the points' imports with "; ".
  // Error when from >= to. Zones match exactly (callers fold case).
  [[nodiscard]] Result<IntensitySeries> load(const SeriesKey& key, UtcTime from, UtcTime to) const;
  // The same, with the import that last wrote each point.
  [[nodiscard]] Result<LoadedWindow> load_window(const SeriesKey& key, UtcTime from, UtcTime to) const;

  // Per zone x UTC calendar year x signal x origin, sorted in that order. A
  // point straddling a year boundary is split by time: each part is weighted
  // by its own duration and counted (and enters min/max) in its own year.
  [[nodiscard]] Result<std::vector<ZoneYearStats>> stats() const;

  // The issued forecasts of zone x signal whose span overlaps [from, to),
  // oldest issue first (ties cannot occur: one row per issue time). Empty for
  // a store written before schema version 3 and opened read-only. Error when
  // from >= to.
  [[nodiscard]] Result<std::vector<ForecastIssue>> issues(const std::string& zone, Signal signal, UtcTime from,
                                                          UtcTime to) const;
  // The points of one issue (origin forecast, issued() set, provenance of
  // its import). Error: no such issue, or a damaged BLOB.
  [[nodiscard]] Result<IntensitySeries> load_issue(const ForecastIssue& issue) const;

  // Every import record, oldest first.
  [[nodiscard]] Result<std::vector<ImportRecord>> imports() const;

  // The underlying connection, for tables owned by other parts (run records).
  sqlite3* connection() const { return db_; }

 private:
  IntensityStore(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  // Checkpoints (TRUNCATE) a connection that wrote, then closes it.
  void close();
  [[nodiscard]] Result<std::vector<ImportRecord>> imports_where(const std::string& where) const;
  std::string path_;
  sqlite3* db_ = nullptr;
  const Clock* clock_ = nullptr;  // nullptr: the system clock
  bool read_only_ = false;
  bool created_ = false;  // open() wrote the schema
  bool issue_times_ = true;  // false: a version 1 or 2 file opened read-only
};

}  // namespace greenrun::intensity
