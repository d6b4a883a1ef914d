#include "runner/run_store.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sqlite3.h>

#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  project TEXT NOT NULL,
  phase TEXT NOT NULL,
  started TEXT NOT NULL,
  duration_s REAL NOT NULL,
  exit_status INTEGER NOT NULL,
  zone TEXT NOT NULL,
  job_energy_j REAL NOT NULL,
  machine_energy_j REAL NOT NULL,
  method TEXT NOT NULL,
  emissions_g REAL,
  record TEXT NOT NULL,
  schedule_mode TEXT,
  schedule_emissions_g REAL,
  schedule_at_once_g REAL
);
CREATE TABLE IF NOT EXISTS run_tags (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
)sql";

// After any migration, so that the columns exist. runs_summary covers every
// column `runs summary` reads: the GROUP BY scans the index alone, never the
// table's rows with their large `record`s (100,000 runs: docs/benchmarks.md).
// runs_started serves `runs list` (newest first, LIMIT) without a sort.
// runs_project (layout 1) is subsumed by runs_summary.
const char* kIndexes = R"sql(
DROP INDEX IF EXISTS runs_project;
CREATE INDEX IF NOT EXISTS runs_summary ON runs(project, phase, duration_s, job_energy_j, machine_energy_j,
  emissions_g, method, schedule_mode, schedule_emissions_g, schedule_at_once_g);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started, id);
)sql";

// Layout 2 (store schema version 2) added these to a layout-1 table.
const char* kAddScheduleColumns = R"sql(
ALTER TABLE runs ADD COLUMN schedule_mode TEXT;
ALTER TABLE runs ADD COLUMN schedule_emissions_g REAL;
ALTER TABLE runs ADD COLUMN schedule_at_once_g REAL;
)sql";

// The weakest method of a group: the enum's order, as SQL.
const char* kMethodRank =
    "CASE method WHEN 'measured' THEN 0 WHEN 'integrated' THEN 1 WHEN 'estimated' THEN 2 ELSE 3 END";

struct Statement {
  sqlite3_stmt* s = nullptr;
  ~Statement() { sqlite3_finalize(s); }
};

Status exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return {};
  std::string msg = path + ": runs table: " + (err ? err : sqlite3_errmsg(db));
  sqlite3_free(err);
  return make_error(msg);
}

// Seconds as stored (whole milliseconds / 1000, or their sum) to a Duration.
Duration seconds(double s) { return Duration(std::llround(s * 1000.0)); }

std::string column_text(sqlite3_stmt* s, int i) {
  const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return t ? std::string(t, static_cast<size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

Result<bool> has_schedule_columns(sqlite3* db, const std::string& path) {
  Statement st;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'schedule_mode'", -1,
                         &st.s, nullptr) != SQLITE_OK ||
      sqlite3_step(st.s) != SQLITE_ROW)
    return make_error(path + ": runs table: " + sqlite3_errmsg(db));
  return sqlite3_column_int(st.s, 0) > 0;
}

// Layout 1 -> 2: the schedule columns, filled from each row's record. The
// caller holds the write transaction.
Status migrate_to_layout_2(sqlite3* db, const std::string& path) {
  if (auto ok = exec(db, path, kAddScheduleColumns); !ok) return ok;
  Statement select, update;
  if (sqlite3_prepare_v2(db, "SELECT id, record FROM runs WHERE record LIKE '%\"schedule\"%'", -1, &select.s,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "UPDATE runs SET schedule_mode = ?, schedule_emissions_g = ?, schedule_at_once_g = ? "
                         "WHERE id = ?",
                         -1, &update.s, nullptr) != SQLITE_OK)
    return make_error(path + ": runs table: " + sqlite3_errmsg(db));
  int rc;
  while ((rc = sqlite3_step(select.s)) == SQLITE_ROW) {
    const std::string id = column_text(select.s, 0);
    auto r = run_record_from_json(column_text(select.s, 1));
    if (!r) return make_error(path + ": runs table: migrating run " + id + ": " + r.error().message);
    if (!r->schedule) continue;
    sqlite3_bind_text(update.s, 1, r->schedule->mode.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(update.s, 2, r->schedule->emissions.grams());
    sqlite3_bind_double(update.s, 3, r->schedule->at_once.grams());
    sqlite3_bind_text(update.s, 4, id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(update.s) != SQLITE_DONE) return make_error(path + ": runs table: " + sqlite3_errmsg(db));
    sqlite3_reset(update.s);
  }
  if (rc != SQLITE_DONE) return make_error(path + ": runs table: " + sqlite3_errmsg(db));
  return {};
}

}  // namespace

double RunRow::schedule_saving_percent() const {
  return schedule_at_once.grams() > 0 ? 100.0 * schedule_saving().grams() / schedule_at_once.grams() : 0.0;
}

namespace {

// The WHERE clause of a RunQuery, with its values bound in order.
struct Where {
  std::string sql;  // "" or " WHERE ..."
  std::vector<std::string> values;
};

Where where_clause(const RunQuery& q) {
  Where w;
  std::vector<std::string> terms;
  if (q.project) {
    terms.push_back("project = ?");
    w.values.push_back(*q.project);
  }
  if (q.phase) {
    terms.push_back("phase = ?");
    w.values.push_back(*q.phase);
  }
  if (q.since) {
    terms.push_back("julianday(started) >= julianday(?)");
    w.values.push_back(format_utc(*q.since));
  }
  if (q.until) {
    terms.push_back("julianday(started) < julianday(?)");
    w.values.push_back(format_utc(*q.until));
  }
  if (q.tag) {
    terms.push_back("id IN (SELECT run_id FROM run_tags WHERE key = ? AND value = ?)");
    w.values.push_back(q.tag->first);
    w.values.push_back(q.tag->second);
  }
  for (size_t i = 0; i < terms.size(); ++i) w.sql += (i ? " AND " : " WHERE ") + terms[i];
  return w;
}

// Binds the clause's values from parameter 1; returns the next index.
int bind(sqlite3_stmt* st, const Where& w) {
  int i = 1;
  for (const auto& v : w.values) sqlite3_bind_text(st, i++, v.c_str(), -1, SQLITE_TRANSIENT);
  return i;
}

}  // namespace

Result<RunStore> RunStore::open(const std::string& path) {
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto owned = std::make_unique<intensity::IntensityStore>(std::move(*store));
  sqlite3* db = owned->connection();
  sqlite3_busy_timeout(db, 5000);
  // One write transaction: two greenruns opening a layout-1 store at once
  // migrate it once.
  if (auto ok = exec(db, path, "BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  auto body = [&]() -> Status {
    if (auto ok = exec(db, path, kSchema); !ok) return ok;
    auto has = has_schedule_columns(db, path);
    if (!has) return std::unexpected(has.error());
    if (!*has)
      if (auto ok = migrate_to_layout_2(db, path); !ok) return ok;
    return exec(db, path, kIndexes);
  };
  if (auto ok = body(); !ok) {
    (void)exec(db, path, "ROLLBACK");
    return std::unexpected(ok.error());
  }
  if (auto ok = exec(db, path, "COMMIT"); !ok) {
    (void)exec(db, path, "ROLLBACK");
    return std::unexpected(ok.error());
  }
  return RunStore(path, std::move(owned));
}

RunStore::RunStore(RunStore&& o) noexcept : path_(std::move(o.path_)), store_(std::move(o.store_)), db_(o.db_) {
  o.db_ = nullptr;
}
RunStore& RunStore::operator=(RunStore&& o) noexcept {
  if (this != &o) {
    path_ = std::move(o.path_);
    store_ = std::move(o.store_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}
RunStore::~RunStore() = default;

Status RunStore::insert(const RunRecord& r) {
  Statement st;
  const char* sql =
      "INSERT OR REPLACE INTO runs (id, project, phase, started, duration_s, exit_status, zone, job_energy_j, "
      "machine_energy_j, method, emissions_g, record, schedule_mode, schedule_emissions_g, schedule_at_once_g) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(db_, sql, -1, &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  const std::string started = format_utc(r.started);
  const std::string method(sensors::to_string(r.weakest_method()));
  const std::string record = to_json(r, -1);
  sqlite3_bind_text(st.s, 1, r.id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, r.project.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 3, r.phase.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 4, started.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 5, to_seconds(r.duration));
  sqlite3_bind_int(st.s, 6, r.exit_status);
  sqlite3_bind_text(st.s, 7, r.zone.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st.s, 8, r.job_energy().joules());
  sqlite3_bind_double(st.s, 9, r.machine_energy().joules());
  sqlite3_bind_text(st.s, 10, method.c_str(), -1, SQLITE_TRANSIENT);
  if (r.average)
    sqlite3_bind_double(st.s, 11, r.average->job.grams());
  else
    sqlite3_bind_null(st.s, 11);
  sqlite3_bind_text(st.s, 12, record.c_str(), -1, SQLITE_TRANSIENT);
  if (r.schedule) {
    sqlite3_bind_text(st.s, 13, r.schedule->mode.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st.s, 14, r.schedule->emissions.grams());
    sqlite3_bind_double(st.s, 15, r.schedule->at_once.grams());
  } else {
    for (int i = 13; i <= 15; ++i) sqlite3_bind_null(st.s, i);
  }
  if (sqlite3_step(st.s) != SQLITE_DONE) return make_error(path_ + ": cannot record run: " + sqlite3_errmsg(db_));
  return {};
}

Result<std::vector<RunRow>> RunStore::rows(const std::optional<std::string>& project, size_t limit) const {
  RunQuery q;
  q.project = project;
  q.limit = limit;
  return rows(q);
}

Result<std::vector<RunRow>> RunStore::rows(const RunQuery& query) const {
  Statement st;
  const Where where = where_clause(query);
  const std::string sql =
      "SELECT id, started, project, phase, duration_s, exit_status, zone, job_energy_j, machine_energy_j, "
      "method, emissions_g, schedule_mode, schedule_emissions_g, schedule_at_once_g FROM runs" +
      where.sql + " ORDER BY julianday(started) DESC, id DESC LIMIT ?";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  const int i = bind(st.s, where);
  sqlite3_bind_int64(st.s, i, static_cast<sqlite3_int64>(std::min<size_t>(query.limit, INT64_MAX)));
  std::vector<RunRow> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    RunRow row;
    row.id = column_text(st.s, 0);
    auto started = parse_utc(column_text(st.s, 1));
    if (!started) return make_error(path_ + ": runs: run " + row.id + ": started: " + started.error().message);
    row.started = *started;
    row.project = column_text(st.s, 2);
    row.phase = column_text(st.s, 3);
    row.duration = seconds(sqlite3_column_double(st.s, 4));
    row.exit_status = sqlite3_column_int(st.s, 5);
    row.zone = column_text(st.s, 6);
    row.job_energy = Energy::joules(sqlite3_column_double(st.s, 7));
    row.machine_energy = Energy::joules(sqlite3_column_double(st.s, 8));
    const std::string method = column_text(st.s, 9);
    const auto m = sensors::parse_method(method);
    if (!m) return make_error(path_ + ": runs: run " + row.id + ": method: expected measured, integrated, "
                              "estimated or simulated, got \"" + method + "\"");
    row.method = *m;
    if (sqlite3_column_type(st.s, 10) != SQLITE_NULL) row.emissions = Mass::grams(sqlite3_column_double(st.s, 10));
    if (sqlite3_column_type(st.s, 11) != SQLITE_NULL) {
      row.schedule_mode = column_text(st.s, 11);
      row.schedule_emissions = Mass::grams(sqlite3_column_double(st.s, 12));
      row.schedule_at_once = Mass::grams(sqlite3_column_double(st.s, 13));
    }
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

Result<std::vector<RunRecord>> RunStore::list(const std::optional<std::string>& project, size_t limit) const {
  RunQuery q;
  q.project = project;
  q.limit = limit;
  return list(q);
}

Result<std::vector<RunRecord>> RunStore::list(const RunQuery& query) const {
  Statement st;
  const Where where = where_clause(query);
  const std::string sql = "SELECT record FROM runs" + where.sql + " ORDER BY julianday(started) DESC, id DESC LIMIT ?";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  const int i = bind(st.s, where);
  sqlite3_bind_int64(st.s, i, static_cast<sqlite3_int64>(std::min<size_t>(query.limit, INT64_MAX)));
  std::vector<RunRecord> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    auto r = run_record_from_json(text ? text : "");
    if (!r) return make_error(path_ + ": runs: " + r.error().message);
    out.push_back(std::move(*r));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

Result<RunRecord> RunStore::get(const std::string& id_or_prefix) const {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT record FROM runs WHERE id = ? OR substr(id, 1, length(?)) = ? LIMIT 3", -1,
                         &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  for (int i = 1; i <= 3; ++i) sqlite3_bind_text(st.s, i, id_or_prefix.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> found;
  while (sqlite3_step(st.s) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    found.emplace_back(text ? text : "");
  }
  if (found.empty() || id_or_prefix.empty()) return make_error("no run with id \"" + id_or_prefix + "\"");
  if (found.size() > 1) {
    for (const auto& f : found) {
      auto r = run_record_from_json(f);
      if (r && r->id == id_or_prefix) return r;
    }
    return make_error("run id prefix \"" + id_or_prefix + "\" is ambiguous; give more characters");
  }
  return run_record_from_json(found[0]);
}

Result<std::vector<RunTotals>> RunStore::summary(const std::string& by,
                                                 const std::optional<std::string>& project) const {
  RunQuery q;
  q.project = project;
  return summary(by, q);
}

Result<std::vector<RunTotals>> RunStore::summary(const std::string& by, const RunQuery& query) const {
  // `by` picks one of four fixed expressions; nothing from the caller reaches the SQL text.
  std::string key;
  if (by == "project" || by == "phase" || by == "zone")
    key = by;
  else if (by == "month")
    key = "strftime('%Y-%m', started)";
  else
    return make_error(ErrorKind::kUsage, "--by: expected project, phase, zone or month, got \"" + by + "\"");
  const Where where = where_clause(query);
  const std::string sql = "SELECT " + key +
                          ", count(*), total(duration_s), total(job_energy_j), total(machine_energy_j), "
                          "total(emissions_g), count(*) - count(emissions_g), max(" +
                          kMethodRank +
                          "), count(schedule_mode), total(schedule_at_once_g - schedule_emissions_g) FROM runs" +
                          where.sql + " GROUP BY 1 ORDER BY 1";
  Statement st;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  (void)bind(st.s, where);
  static constexpr sensors::Method kByRank[] = {sensors::Method::kMeasured, sensors::Method::kIntegrated,
                                                sensors::Method::kEstimated, sensors::Method::kSimulated};
  std::vector<RunTotals> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    RunTotals g;
    g.key = column_text(st.s, 0);
    g.runs = static_cast<size_t>(sqlite3_column_int64(st.s, 1));
    g.duration = seconds(sqlite3_column_double(st.s, 2));
    g.job_energy = Energy::joules(sqlite3_column_double(st.s, 3));
    g.machine_energy = Energy::joules(sqlite3_column_double(st.s, 4));
    g.emissions = Mass::grams(sqlite3_column_double(st.s, 5));
    g.runs_without_emissions = static_cast<size_t>(sqlite3_column_int64(st.s, 6));
    g.weakest_method = kByRank[std::clamp(sqlite3_column_int(st.s, 7), 0, 3)];
    g.scheduled_runs = static_cast<size_t>(sqlite3_column_int64(st.s, 8));
    g.scheduling_avoided = Mass::grams(sqlite3_column_double(st.s, 9));
    out.push_back(std::move(g));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

}  // namespace greenrun::runner

namespace greenrun::runner {

Result<RunRecord> RunStore::remove(const std::string& id_or_prefix) {
  auto r = get(id_or_prefix);
  if (!r) return r;
  if (auto ok = exec(db_, path_, "BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  for (const char* sql : {"DELETE FROM run_tags WHERE run_id = ?", "DELETE FROM runs WHERE id = ?"}) {
    Statement st;
    if (sqlite3_prepare_v2(db_, sql, -1, &st.s, nullptr) != SQLITE_OK) {
      const std::string m = sqlite3_errmsg(db_);
      (void)exec(db_, path_, "ROLLBACK");
      return make_error(path_ + ": " + m);
    }
    sqlite3_bind_text(st.s, 1, r->id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_DONE) {
      const std::string m = sqlite3_errmsg(db_);
      (void)exec(db_, path_, "ROLLBACK");
      return make_error(path_ + ": cannot delete run " + r->id + ": " + m);
    }
  }
  if (auto ok = exec(db_, path_, "COMMIT"); !ok) {
    (void)exec(db_, path_, "ROLLBACK");
    return std::unexpected(ok.error());
  }
  return r;
}

Status RunStore::set_tag(const std::string& run_id, const std::string& key, const std::string& value) {
  Statement st;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO run_tags (run_id, key, value) VALUES (?,?,?)", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st.s, 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 3, value.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE)
    return make_error(path_ + ": cannot tag run " + run_id + ": " + sqlite3_errmsg(db_));
  return {};
}

Result<std::map<std::string, std::string>> RunStore::tags(const std::string& run_id) const {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key", -1, &st.s, nullptr) !=
      SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st.s, 1, run_id.c_str(), -1, SQLITE_TRANSIENT);
  std::map<std::string, std::string> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) out[column_text(st.s, 0)] = column_text(st.s, 1);
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

}  // namespace greenrun::runner
