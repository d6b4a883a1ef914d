#include "intensity/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "greenrun/base/time_format.h"
#include "intensity/store_sql.h"

namespace greenrun::intensity {
namespace {

using namespace store_sql;

// The store file's schema version (PRAGMA user_version), for every table in
// it: 1, the first layout; 2, the `runs` table (runner/run_store.cc) gained
// the typed schedule columns `runs summary` needs (RunStore migrates a
// layout-1 table when it opens one; the intensity tables are unchanged); 3,
// forecasts keep their issue time: `imports` gained `issued_ms` (NULL: not
// known, as for every import written before version 3) and the `issues`
// table keeps each issued forecast whole (open() migrates a version 1 or 2
// file in place, in one transaction).
constexpr int kSchemaVersion = 3;
// "GRNR": marks the file as a greenrun store (PRAGMA application_id).
constexpr int kApplicationId = 0x47524E52;
constexpr int64_t kMsPerDay = 86'400'000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS imports(
  id          INTEGER PRIMARY KEY,
  batch       INTEGER NOT NULL,
  imported_at TEXT    NOT NULL,
  source      TEXT    NOT NULL,
  origin      TEXT    NOT NULL,
  note        TEXT    NOT NULL,
  zone        TEXT    NOT NULL,
  signal      TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  first_ms    INTEGER NOT NULL,
  end_ms      INTEGER NOT NULL,
  points      INTEGER NOT NULL,
  estimated   INTEGER NOT NULL,
  inserted    INTEGER NOT NULL,
  replaced    INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL,
  issued_ms   INTEGER);
CREATE TABLE IF NOT EXISTS chunks(
  id        INTEGER PRIMARY KEY,
  zone      TEXT    NOT NULL,
  signal    TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  month     INTEGER NOT NULL,
  first_ms  INTEGER NOT NULL,
  end_ms    INTEGER NOT NULL,
  points    INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  imports   TEXT    NOT NULL,
  data      BLOB    NOT NULL,
  UNIQUE(zone, signal, kind, month));
CREATE TABLE IF NOT EXISTS issues(
  id        INTEGER PRIMARY KEY,
  zone      TEXT    NOT NULL,
  signal    TEXT    NOT NULL,
  issued_ms INTEGER NOT NULL,
  first_ms  INTEGER NOT NULL,
  end_ms    INTEGER NOT NULL,
  points    INTEGER NOT NULL,
  import    INTEGER NOT NULL,
  data      BLOB    NOT NULL,
  UNIQUE(zone, signal, issued_ms));
)sql";

// Version 1 or 2 to 3, before kSchema runs: the issue time of every earlier
// import is unknown (NULL).
constexpr const char* kAddIssuedColumn = "ALTER TABLE imports ADD COLUMN issued_ms INTEGER";


// The store's header: its application id (0: not yet stamped) and schema
// version. Errors: a file that is not SQLite, another application's
// database, or a schema newer than this greenrun.
struct StoreHeader {
  int64_t app = 0;
  int64_t version = 0;
};
Result<StoreHeader> read_header(sqlite3* db, const std::string& path) {
  auto app = query_int(db, path, "PRAGMA application_id");
  if (!app) return make_error(path + ": not a greenrun store (" + sqlite3_errmsg(db) + ")");
  auto version = query_int(db, path, "PRAGMA user_version");
  if (!version) return make_error(version.error().message);
  if (*app != 0 && *app != kApplicationId)
    return make_error(path + ": not a greenrun store (it belongs to another application, application_id " +
                      std::to_string(*app) + ")");
  if (*version > kSchemaVersion)
    return make_error(path + ": the store has schema version " + std::to_string(*version) +
                      ", newer than this greenrun understands (" + std::to_string(kSchemaVersion) +
                      "); upgrade greenrun");
  return StoreHeader{*app, *version};
}


// UTC months since 1970-01 (negative before), and their start in ms.
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t month_start_ms(int64_t month) {
  const int64_t y = 1970 + floor_div(month, 12);
  const auto m = static_cast<unsigned>(month - floor_div(month, 12) * 12 + 1);
  return days_from_civil(y, m, 1) * kMsPerDay;
}
int64_t month_of(int64_t ms) {
  const CivilTime c = to_civil(UtcTime(Duration(ms)));
  return (static_cast<int64_t>(c.year) - 1970) * 12 + (c.month - 1);
}
int64_t year_start_ms(int year) { return days_from_civil(year, 1, 1) * kMsPerDay; }

std::string ids_text(const std::set<uint32_t>& ids) {
  std::string s;
  for (uint32_t id : ids) {
    if (!s.empty()) s.push_back(' ');
    s += std::to_string(id);
  }
  return s;
}

void parse_ids(std::string_view text, std::set<int64_t>& out) {
  int64_t v = 0;
  bool any = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      any = true;
    } else {
      if (any) out.insert(v);
      v = 0;
      any = false;
    }
  }
  if (any) out.insert(v);
}

// Newer points win where they cover; older points keep their uncovered
// parts. Counts what happened to each new point. Both inputs are sorted and
// non-overlapping; so is the result.
std::vector<Pt> merge(const std::vector<Pt>& old_pts, std::vector<Pt>& new_pts, ImportSummary& counts) {
  size_t j = 0;
  for (Pt& n : new_pts) {
    while (j < old_pts.size() && old_pts[j].end() <= n.start) ++j;
    if (j < old_pts.size() && old_pts[j].start < n.end()) {
      const Pt& o = old_pts[j];
      if (o.start == n.start && o.dur == n.dur && o.value == n.value && o.est == n.est) {
        n.import = o.import;  // identical: the point keeps the import that wrote it
        ++counts.unchanged;
      } else {
        ++counts.replaced;
      }
    } else {
      ++counts.inserted;
    }
  }
  std::vector<Pt> pieces;
  pieces.reserve(old_pts.size());
  size_t k = 0;
  for (const Pt& o : old_pts) {
    int64_t cur = o.start;
    const int64_t end = o.end();
    while (k < new_pts.size() && new_pts[k].end() <= cur) ++k;
    for (size_t kk = k; cur < end;) {
      if (kk >= new_pts.size() || new_pts[kk].start >= end) {
        pieces.push_back(Pt{cur, end - cur, o.value, o.import, o.est});
        break;
      }
      if (new_pts[kk].start > cur) pieces.push_back(Pt{cur, new_pts[kk].start - cur, o.value, o.import, o.est});
      cur = std::max(cur, new_pts[kk].end());
      ++kk;
    }
  }
  std::vector<Pt> out;
  out.reserve(pieces.size() + new_pts.size());
  std::merge(pieces.begin(), pieces.end(), new_pts.begin(), new_pts.end(), std::back_inserter(out),
             [](const Pt& a, const Pt& b) { return a.start < b.start; });
  return out;
}

std::string key_text(const SeriesKey& k) {
  return k.zone + "/" + std::string(to_string(k.signal)) + "/" + std::string(to_string(k.origin));
}

// The statements one import call uses, prepared once.
struct ImportStatements {
  Stmt insert_import, update_import, select_chunks, upsert_chunk, delete_chunk, upsert_issue;
};

Result<ImportStatements> prepare_import(sqlite3* db, const std::string& path) {
  ImportStatements s;
  struct {
    Stmt* st;
    const char* sql;
  } all[] = {
      {&s.insert_import,
       "INSERT INTO imports(batch, imported_at, source, origin, note, zone, signal, kind, first_ms, end_ms, "
       "points, estimated, inserted, replaced, unchanged, issued_ms) VALUES(0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, "
       "?)"},
      {&s.update_import, "UPDATE imports SET batch = ?, inserted = ?, replaced = ?, unchanged = ? WHERE id = ?"},
      {&s.select_chunks,
       "SELECT month, data FROM chunks WHERE zone = ? AND signal = ? AND kind = ? AND "
       "((month BETWEEN ? AND ?) OR (month < ? AND end_ms > ?)) ORDER BY month"},
      {&s.upsert_chunk,
       "INSERT INTO chunks(zone, signal, kind, month, first_ms, end_ms, points, estimated, imports, data) "
       "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(zone, signal, kind, month) DO UPDATE SET "
       "first_ms = excluded.first_ms, end_ms = excluded.end_ms, points = excluded.points, "
       "estimated = excluded.estimated, imports = excluded.imports, data = excluded.data"},
      {&s.delete_chunk, "DELETE FROM chunks WHERE zone = ? AND signal = ? AND kind = ? AND month = ?"},
      // One row per issue: importing the same issue again replaces it whole.
      {&s.upsert_issue,
       "INSERT INTO issues(zone, signal, issued_ms, first_ms, end_ms, points, import, data) "
       "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(zone, signal, issued_ms) DO UPDATE SET "
       "first_ms = excluded.first_ms, end_ms = excluded.end_ms, points = excluded.points, "
       "import = excluded.import, data = excluded.data"},
  };
  for (auto& a : all) {
    auto st = Stmt::prepare(db, path, a.sql);
    if (!st) return make_error(st.error().message);
    *a.st = std::move(*st);
  }
  return s;
}

// Keeps one issued forecast whole in the `issues` table (replacing the same
// zone x signal x issue time), attributed to import `id`, inside the caller's
// transaction. REQUIRES: s.issued(), s not empty.
Status upsert_issue(sqlite3* db, const std::string& path, ImportStatements& st, const IntensitySeries& s,
                    int64_t id) {
  std::vector<Pt> pts(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const IntensityPoint p = s.point(i);
    pts[i] = Pt{p.start.time_since_epoch().count(), p.duration.count(), p.value.grams_per_kwh(),
                static_cast<uint32_t>(id), static_cast<uint8_t>(p.estimated ? 1 : 0)};
  }
  std::string blob;
  encode(pts.data(), pts.size(), blob);
  const std::string signal(to_string(s.signal()));
  st.upsert_issue.bind(1, s.zone()).bind(2, signal).bind(3, s.issued()->time_since_epoch().count());
  st.upsert_issue.bind(4, s.start().time_since_epoch().count()).bind(5, s.end().time_since_epoch().count());
  st.upsert_issue.bind(6, static_cast<int64_t>(s.size())).bind(7, id);
  st.upsert_issue.bind_blob(8, blob);
  return run(st.upsert_issue, db, path);
}

// Writes one series inside the caller's transaction.
Status import_one(sqlite3* db, const std::string& path, ImportStatements& st, const IntensitySeries& s,
                  size_t index, const std::string& now, int64_t& batch, ImportSummary& total) {
  const std::string zone = s.zone();
  const std::string signal(to_string(s.signal()));
  const std::string kind(to_string(s.origin()));
  const Provenance& prov = s.provenance();
  if (zone.empty())
    return make_error(path + ": series " + std::to_string(index + 1) + " (" +
                      (prov.origin.empty() ? std::string("no origin") : prov.origin) +
                      "): expected a zone id, got an empty one; nothing was imported");

  if (s.issued() && s.origin() != Origin::kForecast)
    return make_error(path + ": series " + std::to_string(index + 1) + " (" + zone + " " + kind +
                      "): only a forecast has an issue time; nothing was imported");
  size_t est = 0;
  for (size_t i = 0; i < s.size(); ++i) est += s.point(i).estimated ? 1 : 0;
  const int64_t lo = s.empty() ? 0 : s.start().time_since_epoch().count();
  const int64_t hi = s.empty() ? 0 : s.end().time_since_epoch().count();
  st.insert_import.bind(1, now).bind(2, prov.source).bind(3, prov.origin).bind(4, prov.note).bind(5, zone);
  st.insert_import.bind(6, signal).bind(7, kind).bind(8, lo).bind(9, hi);
  st.insert_import.bind(10, static_cast<int64_t>(s.size())).bind(11, static_cast<int64_t>(est));
  if (s.issued())
    st.insert_import.bind(12, s.issued()->time_since_epoch().count());
  else
    st.insert_import.bind_null(12);
  if (auto ok = run(st.insert_import, db, path); !ok) return ok;
  const int64_t id = sqlite3_last_insert_rowid(db);
  if (id > static_cast<int64_t>(UINT32_MAX)) return make_error(path + ": too many imports for the chunk format");
  if (batch == 0) batch = id;
  if (s.issued() && !s.empty())  // the issue, whole
    if (auto ok = upsert_issue(db, path, st, s, id); !ok) return ok;

  ImportSummary counts;
  if (!s.empty()) {
    std::vector<Pt> new_pts(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      const IntensityPoint p = s.point(i);
      new_pts[i] = Pt{p.start.time_since_epoch().count(), p.duration.count(), p.value.grams_per_kwh(),
                      static_cast<uint32_t>(id), static_cast<uint8_t>(p.estimated ? 1 : 0)};
    }
    // Chunks that may hold points overlapping [lo, hi), plus every month a
    // trimmed older point could start in (up to hi's month).
    const int64_t mlo = month_of(lo), mhi = month_of(hi);
    std::map<int64_t, std::string> old_blobs;
    std::vector<Pt> old_pts;
    st.select_chunks.bind(1, zone).bind(2, signal).bind(3, kind).bind(4, mlo).bind(5, mhi).bind(6, mlo).bind(7, lo);
    int rc;
    while ((rc = st.select_chunks.step()) == SQLITE_ROW) {
      const int64_t month = st.select_chunks.i64(0);
      const std::string_view blob = st.select_chunks.blob(1);
      if (!decode(blob, old_pts)) {
        st.select_chunks.reset();
        return make_error(corrupt_chunk(path, zone + "/" + signal + "/" + kind + "/" + std::to_string(month)));
      }
      old_blobs.emplace(month, std::string(blob));
    }
    st.select_chunks.reset();
    if (rc != SQLITE_DONE) return make_error(path + ": " + sqlite3_errmsg(db));

    std::vector<Pt> merged;
    if (old_pts.empty()) {
      counts.inserted = new_pts.size();
      merged = std::move(new_pts);
    } else {
      merged = merge(old_pts, new_pts, counts);
    }

    // Write each month's chunk; skip the ones whose bytes did not change.
    std::string blob;
    size_t i = 0;
    while (i < merged.size()) {
      const int64_t month = month_of(merged[i].start);
      const int64_t month_end = month_start_ms(month + 1);
      size_t j = i;
      size_t n_est = 0;
      std::set<uint32_t> ids;
      int64_t end = 0;
      while (j < merged.size() && merged[j].start < month_end) {
        n_est += merged[j].est;
        ids.insert(merged[j].import);
        end = merged[j].end();
        ++j;
      }
      encode(merged.data() + i, j - i, blob);
      const auto old = old_blobs.find(month);
      const bool same = old != old_blobs.end() && old->second == blob;
      if (old != old_blobs.end()) old_blobs.erase(old);
      if (!same) {
        st.upsert_chunk.bind(1, zone).bind(2, signal).bind(3, kind).bind(4, month).bind(5, merged[i].start);
        st.upsert_chunk.bind(6, end).bind(7, static_cast<int64_t>(j - i)).bind(8, static_cast<int64_t>(n_est));
        st.upsert_chunk.bind(9, ids_text(ids)).bind_blob(10, blob);
        if (auto ok = run(st.upsert_chunk, db, path); !ok) return ok;
      }
      i = j;
    }
    for (const auto& [month, unused] : old_blobs) {  // months left empty
      st.delete_chunk.bind(1, zone).bind(2, signal).bind(3, kind).bind(4, month);
      if (auto ok = run(st.delete_chunk, db, path); !ok) return ok;
    }
  }
  st.update_import.bind(1, batch).bind(2, static_cast<int64_t>(counts.inserted));
  st.update_import.bind(3, static_cast<int64_t>(counts.replaced)).bind(4, static_cast<int64_t>(counts.unchanged));
  st.update_import.bind(5, id);
  if (auto ok = run(st.update_import, db, path); !ok) return ok;
  ImportRecord rec;
  rec.id = id;
  rec.batch = batch;
  if (auto t = parse_utc(now)) rec.imported_at = *t;
  rec.provenance = prov;
  rec.key = SeriesKey{zone, s.signal(), s.origin()};
  rec.first = UtcTime(Duration(lo));
  rec.last_end = UtcTime(Duration(hi));
  rec.points = s.size();
  rec.estimated_points = est;
  rec.inserted = counts.inserted;
  rec.replaced = counts.replaced;
  rec.unchanged = counts.unchanged;
  rec.issued = s.issued();
  total.records.push_back(std::move(rec));
  total.inserted += counts.inserted;
  total.replaced += counts.replaced;
  total.unchanged += counts.unchanged;
  return {};
}

const SystemClock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

std::string default_store_path(const std::optional<std::string>& override_path) {
  if (override_path && !override_path->empty()) return *override_path;
  if (const char* env = std::getenv("GREENRUN_STORE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/greenrun/greenrun.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/greenrun/greenrun.db";
}

Result<IntensityStore> IntensityStore::open(const std::string& path) {
  if (path.empty()) return make_error("expected a store path, got an empty one");
  const std::filesystem::path fs_path(path);
  if (fs_path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(fs_path.parent_path(), ec);
    if (ec)
      return make_error(path + ": cannot create the folder " + fs_path.parent_path().string() + ": " +
                        ec.message());
  }
  {
    std::error_code ec;
    if (std::filesystem::is_directory(fs_path, ec))
      return make_error(path + ": is a directory, not a greenrun store (expected a file such as " +
                        (fs_path / "greenrun.db").string() + ")");
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  IntensityStore store(path, db);  // closes the handle on every path below
  if (rc != SQLITE_OK)
    return make_error(path + ": cannot open the store: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  // SQLite falls back to read-only when the file lacks write permission.
  store.read_only_ = sqlite3_db_readonly(db, "main") == 1;
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);

  // The first read of the header: a file that is not SQLite fails here.
  auto header = read_header(db, path);
  if (!header) return std::unexpected(header.error());
  const int64_t app = header->app, version = header->version;
  if (app == 0) {
    auto tables = query_int(db, path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables) return make_error(tables.error().message);
    if (*tables > 0)
      return make_error(path + ": not a greenrun store (an SQLite database with " + std::to_string(*tables) +
                        " tables of another application)");
    if (store.read_only_)
      return make_error(path + ": the store is read-only and not yet a greenrun store (no permission to write "
                        "it); check its permissions or give another --store");
    // Large pages suit the chunk BLOBs (docs/benchmarks.md); only takes
    // effect before the first table exists.
    if (auto ok = exec(db, path, "PRAGMA page_size = 16384"); !ok) return make_error(ok.error().message);
  }
  // WAL: readers do not block the writer; NORMAL sync is durable across
  // process crashes and keeps the store consistent across power loss (the
  // last imports may be lost then). The WAL is left for the next open instead
  // of being checkpointed (two fsyncs) on every close; SQLite checkpoints it
  // once it reaches wal_autocheckpoint pages. See docs/formats.md.
  if (store.read_only_) return store;
  if (auto ok = exec(db, path, "PRAGMA synchronous = NORMAL"); !ok) return make_error(ok.error().message);
  if (auto ok = exec(db, path, "PRAGMA journal_mode = WAL"); !ok) return make_error(ok.error().message);
  // What a checkpoint leaves of the WAL file is truncated to this.
  if (auto ok = exec(db, path, "PRAGMA journal_size_limit = 67108864"); !ok) return make_error(ok.error().message);
  sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  if (version < kSchemaVersion) {
    if (auto ok = exec(db, path, "BEGIN IMMEDIATE"); !ok) return make_error(ok.error().message);
    store.created_ = true;
    // Another process may have migrated the file since the header was read:
    // ask inside the transaction whether the column is missing.
    auto has_imports = query_int(db, path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'imports'");
    auto has_issued = query_int(db, path, "SELECT count(*) FROM pragma_table_info('imports') WHERE name = 'issued_ms'");
    if (!has_imports || !has_issued) {
      (void)exec(db, path, "ROLLBACK");
      return make_error((has_imports ? has_issued : has_imports).error().message);
    }
    if (*has_imports > 0 && *has_issued == 0) {
      if (auto ok = exec(db, path, kAddIssuedColumn); !ok) {
        (void)exec(db, path, "ROLLBACK");
        return make_error(ok.error().message);
      }
    }
    const std::string setup = std::string(kSchema) + "PRAGMA application_id = " + std::to_string(kApplicationId) +
                              "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    if (auto ok = exec(db, path, setup.c_str()); !ok) {
      (void)exec(db, path, "ROLLBACK");
      return make_error(ok.error().message);
    }
    if (auto ok = exec(db, path, "COMMIT"); !ok) {
      (void)exec(db, path, "ROLLBACK");
      return make_error(ok.error().message);
    }
  }
  return store;
}

Result<IntensityStore> IntensityStore::open_read_only(const std::string& path) {
  if (path.empty()) return make_error("expected a store path, got an empty one");
  const auto empty_store = [&]() -> Result<IntensityStore> {
    // Nothing stored yet: an empty in-memory schema answers every read.
    sqlite3* mem = nullptr;
    const int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, nullptr);
    IntensityStore empty(path, mem);
    empty.read_only_ = true;
    if (rc != SQLITE_OK) return make_error(path + ": cannot open the store: " + sqlite3_errstr(rc));
    if (auto ok = exec(mem, path, kSchema); !ok) return make_error(ok.error().message);
    return empty;
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return empty_store();
  if (status.type() == std::filesystem::file_type::directory)
    return make_error(path + ": is a directory, not a greenrun store (expected a file such as " +
                      (std::filesystem::path(path) / "greenrun.db").string() + ")");
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  IntensityStore store(path, db);
  store.read_only_ = true;
  if (rc != SQLITE_OK)
    return make_error(path + ": cannot open the store: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  auto header = read_header(db, path);
  if (!header) return std::unexpected(header.error());
  const int64_t app = header->app, version = header->version;
  // An older greenrun store reads as it is (it is migrated by the next
  // open() that may write): before version 3 no issue times were kept.
  store.issue_times_ = version >= 3;
  if (app == 0 || version < 1) {
    auto tables = query_int(db, path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables) return make_error(tables.error().message);
    if (*tables > 0)
      return make_error(path + ": not a greenrun store (an SQLite database with " + std::to_string(*tables) +
                        " tables of another application)");
    return empty_store();  // an empty database: nothing stored yet
  }
  return store;
}

void IntensityStore::close() {
  if (!db_) return;
  // Leave the data in the main file when this connection wrote: copying
  // PATH alone then copies the whole store, and the WAL does not grow across
  // commands. Busy (another process reading an older snapshot) leaves the WAL
  // as it is; it is consistent either way.
  if (!read_only_ && (created_ || sqlite3_total_changes64(db_) > 0))
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_close(db_);
  db_ = nullptr;
}

IntensityStore::IntensityStore(IntensityStore&& o) noexcept
    : path_(std::move(o.path_)), db_(o.db_), clock_(o.clock_), read_only_(o.read_only_), created_(o.created_),
      issue_times_(o.issue_times_) {
  o.db_ = nullptr;
}
IntensityStore& IntensityStore::operator=(IntensityStore&& o) noexcept {
  if (this != &o) {
    close();
    path_ = std::move(o.path_);
    db_ = o.db_;
    clock_ = o.clock_;
    read_only_ = o.read_only_;
    created_ = o.created_;
    issue_times_ = o.issue_times_;
    o.db_ = nullptr;
  }
  return *this;
}
IntensityStore::~IntensityStore() { close(); }

Result<ImportSummary> IntensityStore::import(const std::vector<IntensitySeries>& series,
                                             const std::vector<IntensitySeries>& issues) {
  if (read_only_)
    return make_error(path_ + ": the store is read-only (no permission to write it); check its permissions or "
                      "give another --store");
  auto st = prepare_import(db_, path_);
  if (!st) return make_error(st.error().message);
  const std::string now = format_utc((clock_ ? *clock_ : system_clock()).utc_now());
  if (auto ok = exec(db_, path_, "BEGIN IMMEDIATE"); !ok) return make_error(ok.error().message);
  ImportSummary total;
  int64_t batch = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    if (auto ok = import_one(db_, path_, *st, series[i], i, now, batch, total); !ok) {
      (void)exec(db_, path_, "ROLLBACK");
      return make_error(ok.error().message);
    }
  }
  for (size_t i = 0; i < issues.size(); ++i) {
    const IntensitySeries& s = issues[i];
    Status ok;
    if (!s.issued() || s.origin() != Origin::kForecast || s.empty() || s.zone().empty()) {
      ok = make_error(path_ + ": issue " + std::to_string(i + 1) +
                      ": expected a forecast with a zone, points and an issue time; nothing was imported");
    } else {
      // Attributed to this call's import of the same zone and signal (the
      // merged forecast the issue came with), else to its first import.
      int64_t id = batch;
      for (const auto& rec : total.records)
        if (rec.key.zone == s.zone() && rec.key.signal == s.signal() && rec.key.origin == Origin::kForecast) id = rec.id;
      if (id == 0) {
        ok = make_error(path_ + ": issue " + std::to_string(i + 1) +
                        ": expected the forecast it belongs to in the same import; nothing was imported");
      } else {
        ok = upsert_issue(db_, path_, *st, s, id);
      }
    }
    if (!ok) {
      (void)exec(db_, path_, "ROLLBACK");
      return make_error(ok.error().message);
    }
  }
  if (auto ok = exec(db_, path_, "COMMIT"); !ok) {
    (void)exec(db_, path_, "ROLLBACK");
    return make_error(ok.error().message);
  }
  // An import can be large: fold it into the main file now so the WAL stays
  // bounded (journal_size_limit) even while the connection stays open.
  sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  return total;
}

Result<std::vector<ImportRecord>> IntensityStore::imports() const { return imports_where(""); }

Result<std::vector<ImportRecord>> IntensityStore::imports_where(const std::string& where) const {
  const std::string sql =
      "SELECT id, batch, imported_at, source, origin, note, zone, signal, kind, first_ms, end_ms, points, "
      "estimated, inserted, replaced, unchanged, " + std::string(issue_times_ ? "issued_ms" : "NULL") +
      " FROM imports " +
      where + " ORDER BY id";
  auto st = Stmt::prepare(db_, path_, sql.c_str());
  if (!st) return make_error(st.error().message);
  std::vector<ImportRecord> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    ImportRecord r;
    r.id = st->i64(0);
    r.batch = st->i64(1);
    if (auto t = parse_utc(st->text(2))) r.imported_at = *t;
    r.provenance = Provenance{st->text(3), st->text(4), st->text(5)};
    r.key.zone = st->text(6);
    auto sig = parse_signal(st->text(7));
    auto org = parse_origin(st->text(8));
    if (!sig || !org) return make_error(path_ + ": import " + std::to_string(r.id) + ": unknown signal or origin");
    r.key.signal = *sig;
    r.key.origin = *org;
    r.first = UtcTime(Duration(st->i64(9)));
    r.last_end = UtcTime(Duration(st->i64(10)));
    r.points = static_cast<size_t>(st->i64(11));
    r.estimated_points = static_cast<size_t>(st->i64(12));
    r.inserted = static_cast<size_t>(st->i64(13));
    r.replaced = static_cast<size_t>(st->i64(14));
    r.unchanged = static_cast<size_t>(st->i64(15));
    if (!st->is_null(16)) r.issued = UtcTime(Duration(st->i64(16)));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

namespace {
std::string id_list(const std::set<int64_t>& ids) {
  std::string s = "WHERE id IN (";
  bool first = true;
  for (int64_t id : ids) {
    if (!first) s.push_back(',');
    s += std::to_string(id);
    first = false;
  }
  return s + ")";
}
}  // namespace

Result<std::vector<StoredSeriesInfo>> IntensityStore::list() const {
  auto st = Stmt::prepare(db_, path_,
                          "SELECT zone, signal, kind, MIN(first_ms), MAX(end_ms), SUM(points), SUM(estimated), "
                          "group_concat(imports, ' ') FROM chunks GROUP BY zone, signal, kind "
                          "ORDER BY zone, signal, kind");
  if (!st) return make_error(st.error().message);
  std::vector<StoredSeriesInfo> out;
  std::set<int64_t> all_ids;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    StoredSeriesInfo info;
    info.key.zone = st->text(0);
    auto sig = parse_signal(st->text(1));
    auto org = parse_origin(st->text(2));
    if (!sig || !org) return make_error(path_ + ": series " + info.key.zone + ": unknown signal or origin");
    info.key.signal = *sig;
    info.key.origin = *org;
    info.first = UtcTime(Duration(st->i64(3)));
    info.last_end = UtcTime(Duration(st->i64(4)));
    info.points = static_cast<size_t>(st->i64(5));
    info.estimated_points = static_cast<size_t>(st->i64(6));
    std::set<int64_t> ids;
    parse_ids(st->text(7), ids);
    info.import_ids.assign(ids.begin(), ids.end());
    all_ids.insert(ids.begin(), ids.end());
    out.push_back(std::move(info));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  if (all_ids.empty()) return out;
  auto recs = imports_where(id_list(all_ids));
  if (!recs) return make_error(recs.error().message);
  std::map<int64_t, const ImportRecord*> by_id;
  for (const ImportRecord& r : *recs) by_id[r.id] = &r;
  for (StoredSeriesInfo& info : out) {
    for (int64_t id : info.import_ids) {
      const auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      std::string s = it->second->provenance.source + ": " + it->second->provenance.origin;
      if (std::find(info.sources.begin(), info.sources.end(), s) == info.sources.end())
        info.sources.push_back(std::move(s));
    }
  }
  return out;
}

Result<IntensitySeries> IntensityStore::load(const SeriesKey& key, UtcTime from, UtcTime to) const {
  auto w = load_window(key, from, to);
  if (!w) return make_error(w.error().message);
  return std::move(w->series);
}

Result<LoadedWindow> IntensityStore::load_window(const SeriesKey& key, UtcTime from, UtcTime to) const {
  if (from >= to)
    return make_error("expected a window with from < to, got " + format_utc(from) + " .. " + format_utc(to));
  const int64_t lo = from.time_since_epoch().count();
  const int64_t hi = to.time_since_epoch().count();
  auto st = Stmt::prepare(db_, path_,
                          "SELECT month, data FROM chunks WHERE zone = ? AND signal = ? AND kind = ? AND "
                          "month <= ? AND end_ms > ? AND first_ms < ? ORDER BY month");
  if (!st) return make_error(st.error().message);
  st->bind(1, key.zone).bind(2, to_string(key.signal)).bind(3, to_string(key.origin));
  st->bind(4, month_of(hi - 1)).bind(5, lo).bind(6, hi);
  LoadedWindow out;
  out.series = IntensitySeries(key.zone, key.signal, key.origin);
  std::vector<Pt> pts;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    const size_t before = pts.size();
    if (!decode(st->blob(1), pts))
      return make_error(corrupt_chunk(path_, key_text(key) + "/" + std::to_string(st->i64(0))));
    // Keep only the points overlapping the window.
    const auto first = std::remove_if(pts.begin() + static_cast<std::ptrdiff_t>(before), pts.end(),
                                      [&](const Pt& p) { return p.start >= hi || p.end() <= lo; });
    pts.erase(first, pts.end());
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  // Exact capacity: a year of 5-minute points stays within its memory budget.
  out.series.reserve(pts.size());
  out.import_ids.reserve(pts.size());
  std::set<int64_t> ids;
  uint32_t last_id = 0;
  for (const Pt& p : pts) {
    auto ok = out.series.append(UtcTime(Duration(p.start)), Duration(p.dur), CarbonIntensity::grams_per_kwh(p.value),
                                p.est != 0);
    if (!ok) return make_error(path_ + ": " + key_text(key) + ": " + ok.error().message);
    out.import_ids.push_back(p.import);
    if (p.import != last_id) ids.insert(last_id = p.import);
  }
  if (ids.empty()) return out;
  auto recs = imports_where(id_list(ids));
  if (!recs) return make_error(recs.error().message);
  out.imports = std::move(*recs);
  // Join the distinct provenance fields of the imports, oldest first.
  std::vector<std::string> sources, origins, notes;
  auto add = [](std::vector<std::string>& into, const std::string& part) {
    if (!part.empty() && std::find(into.begin(), into.end(), part) == into.end()) into.push_back(part);
  };
  auto join = [](const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += (s.empty() ? "" : "; ") + p;
    return s;
  };
  for (const ImportRecord& r : out.imports) {
    add(sources, r.provenance.source);
    add(origins, r.provenance.origin);
    add(notes, r.provenance.note);
  }
  Provenance joined{join(sources), join(origins), join(notes)};
  out.series.set_provenance(std::move(joined));
  return out;
}

Result<std::vector<ZoneYearStats>> IntensityStore::stats() const {
  auto st = Stmt::prepare(db_, path_,
                          "SELECT zone, signal, kind, month, data FROM chunks ORDER BY zone, signal, kind, month");
  if (!st) return make_error(st.error().message);
  struct Acc {
    size_t count = 0, estimated = 0;
    double weighted = 0, ms = 0, min = 0, max = 0;
    std::set<int64_t> ids;
    uint32_t last_id = 0;
  };
  // (zone, year, signal, origin) -> accumulator; std::map keeps the output order.
  std::map<std::tuple<std::string, int, int, int>, Acc> acc;
  std::vector<Pt> pts;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    const std::string zone = st->text(0);
    auto sig = parse_signal(st->text(1));
    auto org = parse_origin(st->text(2));
    if (!sig || !org) return make_error(path_ + ": series " + zone + ": unknown signal or origin");
    pts.clear();
    if (!decode(st->blob(4), pts))
      return make_error(corrupt_chunk(path_, zone + "/" + st->text(1) + "/" + st->text(2) + "/" +
                                                 std::to_string(st->i64(3))));
    int year = 0;
    int64_t ystart = 1, yend = 0;  // empty: forces the first lookup
    Acc* a = nullptr;
    for (const Pt& p : pts) {
      for (int64_t s = p.start; s < p.end();) {
        if (s < ystart || s >= yend) {
          year = to_civil(UtcTime(Duration(s))).year;
          ystart = year_start_ms(year);
          yend = year_start_ms(year + 1);
          a = &acc[{zone, year, static_cast<int>(*sig), static_cast<int>(*org)}];
        }
        const int64_t e = std::min(p.end(), yend);
        const auto len = static_cast<double>(e - s);
        if (a->count == 0 || p.value < a->min) a->min = p.value;
        if (a->count == 0 || p.value > a->max) a->max = p.value;
        ++a->count;
        if (p.import != a->last_id) {
          a->ids.insert(p.import);
          a->last_id = p.import;
        }
        a->estimated += p.est;
        a->weighted += p.value * len;
        a->ms += len;
        s = e;
      }
    }
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  std::vector<ZoneYearStats> out;
  out.reserve(acc.size());
  for (const auto& [k, a] : acc) {
    ZoneYearStats z;
    z.zone = std::get<0>(k);
    z.year = std::get<1>(k);
    z.signal = static_cast<Signal>(std::get<2>(k));
    z.origin = static_cast<Origin>(std::get<3>(k));
    z.count = a.count;
    z.estimated = a.estimated;
    z.mean = a.ms > 0 ? a.weighted / a.ms : 0;
    z.min = a.min;
    z.max = a.max;
    z.import_ids.assign(a.ids.begin(), a.ids.end());
    out.push_back(std::move(z));
  }
  return out;
}

}  // namespace greenrun::intensity
