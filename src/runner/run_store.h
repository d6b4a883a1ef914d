// RunStore: the `runs` table in greenrun's SQLite store (the same file as the
// IntensityStore, ctx.store_path()). It opens the file through
// IntensityStore::open, so the file is always a valid greenrun store (the
// application id and schema checks apply), and adds its table on that
// connection. One row per `greenrun run`, with typed columns for everything
// `greenrun runs list/summary` need (so neither parses a record) and the
// whole RunRecord as run.json text for `runs show` and `--json`.
//
// The table's layout is covered by the store's schema version
// (intensity/store.cc, PRAGMA user_version 2). open() migrates a table of the
// first layout (no schedule columns) in place, filling the new columns from
// each row's record, in one transaction. docs/formats.md, "runs table".
//
// Thread-safety: one RunStore per thread; SQLite serialises writers across
// processes (busy timeout 5 s).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/runner/run_rows.h"
#include "intensity/store.h"

struct sqlite3;

namespace greenrun::runner {

class RunStore {
 public:
  // Opens or creates the store file and the `runs` table. Error names the path.
  [[nodiscard]] static Result<RunStore> open(const std::string& path);
  RunStore(RunStore&&) noexcept;
  RunStore& operator=(RunStore&&) noexcept;
  RunStore(const RunStore&) = delete;
  ~RunStore();

  [[nodiscard]] Status insert(const RunRecord& r);
  // Newest first; `project` filters when set. From the typed columns only.
  [[nodiscard]] Result<std::vector<RunRow>> rows(const std::optional<std::string>& project = std::nullopt,
                                                 size_t limit = 1000) const;
  // Newest first; `project` filters when set. Whole records (parses each).
  [[nodiscard]] Result<std::vector<RunRecord>> list(const std::optional<std::string>& project = std::nullopt,
                                                    size_t limit = 1000) const;
  // By exact id or unique prefix. Error: not found, or ambiguous.
  [[nodiscard]] Result<RunRecord> get(const std::string& id_or_prefix) const;
  // Totals grouped by "project" or "phase" (optionally within one project),
  // ordered by key; computed by SQLite over the typed columns.
  [[nodiscard]] Result<std::vector<RunTotals>> summary(const std::string& by,
                                                       const std::optional<std::string>& project = std::nullopt) const;
  // The same three reads over any RunQuery. summary() groups by "project",
  // "phase", "zone" or "month" (of the start, UTC: "2026-12"); error (kUsage)
  // for another `by`.
  [[nodiscard]] Result<std::vector<RunRow>> rows(const RunQuery& query) const;
  [[nodiscard]] Result<std::vector<RunRecord>> list(const RunQuery& query) const;
  [[nodiscard]] Result<std::vector<RunTotals>> summary(const std::string& by, const RunQuery& query) const;

  // Deletes one run's row and tags (by id or unique prefix, as get()) in one
  // transaction and returns the record it held; the run's files are not
  // touched. Errors as get(), or the store's.
  [[nodiscard]] Result<RunRecord> remove(const std::string& id_or_prefix);
  // Sets KEY to VALUE on the run with exactly this id (replacing a value).
  [[nodiscard]] Status set_tag(const std::string& run_id, const std::string& key, const std::string& value);
  // The run's tags, by key.
  [[nodiscard]] Result<std::map<std::string, std::string>> tags(const std::string& run_id) const;

 private:
  RunStore(std::string path, std::unique_ptr<intensity::IntensityStore> store)
      : path_(std::move(path)), store_(std::move(store)), db_(store_->connection()) {}
  std::string path_;
  std::unique_ptr<intensity::IntensityStore> store_;  // owns the connection
  sqlite3* db_ = nullptr;
};

}  // namespace greenrun::runner
