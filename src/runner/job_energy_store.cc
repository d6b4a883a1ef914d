#include "runner/job_energy_store.h"

#include <sqlite3.h>

#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

// start_ms / end_ms: milliseconds since 1970 (UtcTime's resolution), so the
// key compares exactly; `record` is the whole record as to_json writes it.
const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS job_energy (
  job_id TEXT NOT NULL,
  node TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  zone TEXT NOT NULL,
  energy_j REAL NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (job_id, node, start_ms, end_ms)
) WITHOUT ROWID;
)sql";

struct Statement {
  sqlite3_stmt* s = nullptr;
  ~Statement() { sqlite3_finalize(s); }
};

Status exec(sqlite3* db, const std::string& path, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) == SQLITE_OK) return {};
  std::string msg = path + ": job_energy table: " + (err ? err : sqlite3_errmsg(db));
  sqlite3_free(err);
  return make_error(ErrorKind::kIo, msg);
}

long long ms(UtcTime t) { return t.time_since_epoch().count(); }

}  // namespace

JobEnergyStore::JobEnergyStore(std::string path, std::unique_ptr<intensity::IntensityStore> store)
    : path_(std::move(path)), store_(std::move(store)), db_(store_->connection()) {}

Result<JobEnergyStore> JobEnergyStore::open(const std::string& path) {
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto owned = std::make_unique<intensity::IntensityStore>(std::move(*store));
  sqlite3_busy_timeout(owned->connection(), 5000);
  if (auto ok = exec(owned->connection(), path, kSchema); !ok) return std::unexpected(ok.error());
  return JobEnergyStore(path, std::move(owned));
}

JobEnergyStore::JobEnergyStore(JobEnergyStore&& o) noexcept
    : path_(std::move(o.path_)), store_(std::move(o.store_)), db_(o.db_) {
  o.db_ = nullptr;
}
JobEnergyStore& JobEnergyStore::operator=(JobEnergyStore&& o) noexcept {
  if (this != &o) {
    path_ = std::move(o.path_);
    store_ = std::move(o.store_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}
JobEnergyStore::~JobEnergyStore() = default;

Result<InsertCounts> JobEnergyStore::insert(const std::vector<JobEnergyRecord>& records) {
  if (auto ok = exec(db_, path_, "BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  InsertCounts counts;
  auto body = [&]() -> Status {
    Statement st;
    if (sqlite3_prepare_v2(db_,
                           "INSERT OR IGNORE INTO job_energy (job_id, node, start_ms, end_ms, zone, energy_j, record) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &st.s, nullptr) != SQLITE_OK)
      return make_error(ErrorKind::kIo, path_ + ": job_energy table: " + sqlite3_errmsg(db_));
    for (const auto& r : records) {
      const std::string json = to_json(r);
      sqlite3_bind_text(st.s, 1, r.job_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st.s, 2, r.node.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st.s, 3, ms(r.start));
      sqlite3_bind_int64(st.s, 4, ms(r.end));
      sqlite3_bind_text(st.s, 5, r.zone.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(st.s, 6, r.energy().joules());
      sqlite3_bind_text(st.s, 7, json.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st.s) != SQLITE_DONE)
        return make_error(ErrorKind::kIo, path_ + ": job_energy table: " + sqlite3_errmsg(db_));
      if (sqlite3_changes(db_) > 0)
        ++counts.inserted;
      else
        ++counts.duplicates;
      sqlite3_reset(st.s);
    }
    return {};
  };
  if (auto ok = body(); !ok) {
    (void)exec(db_, path_, "ROLLBACK");
    return std::unexpected(ok.error());
  }
  if (auto ok = exec(db_, path_, "COMMIT"); !ok) {
    (void)exec(db_, path_, "ROLLBACK");
    return std::unexpected(ok.error());
  }
  return counts;
}

Result<std::vector<JobEnergyRecord>> JobEnergyStore::job(const std::string& job_id) const {
  Statement st;
  if (sqlite3_prepare_v2(db_, "SELECT record FROM job_energy WHERE job_id = ? ORDER BY node, start_ms", -1, &st.s,
                         nullptr) != SQLITE_OK)
    return make_error(ErrorKind::kIo, path_ + ": job_energy table: " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st.s, 1, job_id.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<JobEnergyRecord> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    auto r = parse_record(t ? t : "", path_ + ": job_energy, job " + job_id);
    if (!r) return std::unexpected(r.error());
    out.push_back(std::move(*r));
  }
  if (rc != SQLITE_DONE) return make_error(ErrorKind::kIo, path_ + ": job_energy table: " + sqlite3_errmsg(db_));
  return out;
}

}  // namespace greenrun::runner
