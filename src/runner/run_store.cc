#include "runner/run_store.h"

#include <map>
#include <sqlite3.h>

#include "base/time_format.h"

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
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_project ON runs(project, phase);
)sql";

struct Statement {
  sqlite3_stmt* s = nullptr;
  ~Statement() { sqlite3_finalize(s); }
};

}  // namespace

Result<RunStore> RunStore::open(const std::string& path) {
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto owned = std::make_unique<intensity::IntensityStore>(std::move(*store));
  sqlite3* db = owned->connection();
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path + ": cannot create the runs table: " + (err ? err : "");
    sqlite3_free(err);
    return make_error(msg);
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
      "machine_energy_j, method, emissions_g, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
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
  if (sqlite3_step(st.s) != SQLITE_DONE) return make_error(path_ + ": cannot record run: " + sqlite3_errmsg(db_));
  return {};
}

Result<std::vector<RunRecord>> RunStore::list(const std::optional<std::string>& project, size_t limit) const {
  Statement st;
  const std::string sql = std::string("SELECT record FROM runs") + (project ? " WHERE project = ?" : "") +
                          " ORDER BY started DESC, id DESC LIMIT ?";
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st.s, nullptr) != SQLITE_OK)
    return make_error(path_ + ": " + sqlite3_errmsg(db_));
  int i = 1;
  if (project) sqlite3_bind_text(st.s, i++, project->c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.s, i, static_cast<sqlite3_int64>(limit));
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
  if (by != "project" && by != "phase") return make_error("--by: expected project or phase, got \"" + by + "\"");
  auto runs = list(project, 1'000'000);
  if (!runs) return std::unexpected(runs.error());
  std::map<std::string, RunTotals> groups;
  for (const auto& r : *runs) {
    const std::string key = by == "project" ? r.project : r.phase;
    auto& g = groups[key];
    g.key = key;
    ++g.runs;
    g.job_energy += r.job_energy();
    g.machine_energy += r.machine_energy();
    g.duration += r.duration;
    if (r.average)
      g.emissions += r.average->job;
    else
      ++g.runs_without_emissions;
    if (r.schedule) {
      ++g.scheduled_runs;
      g.scheduling_avoided += r.schedule->saving();
    }
    const std::string m(sensors::to_string(r.weakest_method()));
    if (g.weakest_method.empty()) {
      g.weakest_method = m;
    } else {
      // Keep the weaker of the two names (the enum order).
      for (auto w : {sensors::Method::kSimulated, sensors::Method::kEstimated, sensors::Method::kIntegrated}) {
        if (sensors::to_string(w) == m || sensors::to_string(w) == g.weakest_method) {
          g.weakest_method = std::string(sensors::to_string(w));
          break;
        }
      }
    }
  }
  std::vector<RunTotals> out;
  for (auto& [k, v] : groups) out.push_back(std::move(v));
  return out;
}

}  // namespace greenrun::runner
