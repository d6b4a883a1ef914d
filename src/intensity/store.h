// IntensityStore: the local SQLite store of carbon-intensity series and the
// imports that filled it, at default_store_path() unless told otherwise
// (greenrun/intensity/stored_series.h).
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
#include "greenrun/intensity/stored_series.h"

struct sqlite3;

namespace greenrun::intensity {

class IntensityStore {
 public:
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
