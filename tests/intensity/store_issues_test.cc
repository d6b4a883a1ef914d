// The store's issued forecasts (schema version 3) and the in-place migration
// of a version 2 file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "intensity/store.h"
#include "intensity/store_sql.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;

UtcTime at(const char* s) { return *parse_utc(s); }

IntensitySeries hourly(const char* from, std::vector<double> values, Origin origin,
                       std::optional<const char*> issued = {}) {
  IntensitySeries s("DE", Signal::kAverageLifecycle, origin);
  UtcTime t = at(from);
  for (double v : values) {
    EXPECT_TRUE(s.append(t, hours(1), CarbonIntensity::grams_per_kwh(v)));
    t += hours(1);
  }
  s.set_provenance(Provenance{"test", "hand.csv", ""});
  if (issued) s.set_issued(at(*issued));
  return s;
}

std::vector<double> values(const IntensitySeries& s) {
  std::vector<double> out;
  for (size_t i = 0; i < s.size(); ++i) out.push_back(s.point(i).value.grams_per_kwh());
  return out;
}

int64_t query(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

class StoreIssuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-store-issues-test");
    path_ = (dir_ / "greenrun.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A store file exactly as schema version 2 wrote it (the DDL of that
  // version, its header), holding one forecast import of 2022-03-01 00..03.
  void write_version_2_store() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    const char* ddl = R"sql(
PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;
CREATE TABLE imports(id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, imported_at TEXT NOT NULL,
  source TEXT NOT NULL, origin TEXT NOT NULL, note TEXT NOT NULL, zone TEXT NOT NULL, signal TEXT NOT NULL,
  kind TEXT NOT NULL, first_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, points INTEGER NOT NULL,
  estimated INTEGER NOT NULL, inserted INTEGER NOT NULL, replaced INTEGER NOT NULL, unchanged INTEGER NOT NULL);
CREATE TABLE chunks(id INTEGER PRIMARY KEY, zone TEXT NOT NULL, signal TEXT NOT NULL, kind TEXT NOT NULL,
  month INTEGER NOT NULL, first_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, points INTEGER NOT NULL,
  estimated INTEGER NOT NULL, imports TEXT NOT NULL, data BLOB NOT NULL, UNIQUE(zone, signal, kind, month));
PRAGMA application_id = 1196576338; PRAGMA user_version = 2;
)sql";
    ASSERT_EQ(sqlite3_exec(db, ddl, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    const int64_t t0 = at("2022-03-01T00:00:00Z").time_since_epoch().count(), h = 3'600'000;
    std::vector<store_sql::Pt> pts;
    for (int i = 0; i < 3; ++i) pts.push_back({t0 + i * h, h, 100.0 + i, 1, 0});
    std::string blob;
    store_sql::encode(pts.data(), pts.size(), blob);
    const std::string rows =
        "INSERT INTO imports VALUES(1, 1, '2022-03-02T00:00:00Z', 'test', 'v2.csv', '', 'DE', 'average-lifecycle', "
        "'forecast', " + std::to_string(t0) + ", " + std::to_string(t0 + 3 * h) + ", 3, 0, 3, 0, 0)";
    ASSERT_EQ(sqlite3_exec(db, rows.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO chunks(zone, signal, kind, month, first_ms, end_ms, points, estimated, "
                                 "imports, data) VALUES('DE', 'average-lifecycle', 'forecast', 626, ?, ?, 3, 0, '1', ?)",
                                 -1, &st, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_bind_int64(st, 1, t0);
    sqlite3_bind_int64(st, 2, t0 + 3 * h);
    sqlite3_bind_blob(st, 3, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreIssuesTest, ANewStoreHasSchemaVersion3) {
  auto store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(query(store->connection(), "PRAGMA user_version"), 3);
}

TEST_F(StoreIssuesTest, AVersion2StoreIsMigratedInPlaceKeepingItsDataWithUnknownIssueTimes) {
  write_version_2_store();
  {  // Read-only: read as it is, never migrated, no issues.
    auto ro = IntensityStore::open_read_only(path_);
    ASSERT_TRUE(ro) << ro.error().message;
    auto s = ro->load({"DE", Signal::kAverageLifecycle, Origin::kForecast}, at("2022-03-01T00:00:00Z"),
                      at("2022-03-02T00:00:00Z"));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(values(*s), (std::vector<double>{100, 101, 102}));
    auto recs = ro->imports();
    ASSERT_TRUE(recs) << recs.error().message;
    ASSERT_EQ(recs->size(), 1u);
    EXPECT_FALSE(recs->front().issued);
    auto issues = ro->issues("DE", Signal::kAverageLifecycle, at("2022-01-01T00:00:00Z"), at("2023-01-01T00:00:00Z"));
    ASSERT_TRUE(issues) << issues.error().message;
    EXPECT_TRUE(issues->empty());
    EXPECT_EQ(query(ro->connection(), "PRAGMA user_version"), 2);
  }
  auto store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(query(store->connection(), "PRAGMA user_version"), 3);
  EXPECT_EQ(query(store->connection(), "SELECT count(*) FROM pragma_table_info('imports') WHERE name = 'issued_ms'"),
            1);
  // The forecast stored before version 3 keeps its points; its issue time is
  // unknown (NULL), so it is in no issue.
  auto recs = store->imports();
  ASSERT_TRUE(recs) << recs.error().message;
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_FALSE(recs->front().issued);
  auto s = store->load({"DE", Signal::kAverageLifecycle, Origin::kForecast}, at("2022-03-01T00:00:00Z"),
                       at("2022-03-02T00:00:00Z"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(values(*s), (std::vector<double>{100, 101, 102}));
  auto none = store->issues("DE", Signal::kAverageLifecycle, at("2022-01-01T00:00:00Z"), at("2023-01-01T00:00:00Z"));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
  // The migrated store takes issued forecasts; opening it again changes nothing.
  auto r = store->import({hourly("2022-03-01T01:00:00Z", {7, 8}, Origin::kForecast, "2022-03-01T00:30:00Z")});
  ASSERT_TRUE(r) << r.error().message;
  store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  auto issues = store->issues("DE", Signal::kAverageLifecycle, at("2022-01-01T00:00:00Z"), at("2023-01-01T00:00:00Z"));
  ASSERT_TRUE(issues) << issues.error().message;
  ASSERT_EQ(issues->size(), 1u);
  EXPECT_EQ(issues->front().issued, at("2022-03-01T00:30:00Z"));
}

TEST_F(StoreIssuesTest, EachIssueIsKeptWholeWhileTheMergedForecastKeepsTheNewest) {
  auto store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  // Imported newest first: the merged series follows import order, the
  // issues their issue time.
  ASSERT_TRUE(store->import({hourly("2022-03-01T02:00:00Z", {20, 21, 22}, Origin::kForecast, "2022-03-01T01:00:00Z")}));
  ASSERT_TRUE(store->import({hourly("2022-03-01T00:00:00Z", {10, 11, 12, 13}, Origin::kForecast,
                                    "2022-03-01T00:00:00Z")}));
  auto merged = store->load({"DE", Signal::kAverageLifecycle, Origin::kForecast}, at("2022-03-01T00:00:00Z"),
                            at("2022-03-01T05:00:00Z"));
  ASSERT_TRUE(merged);
  EXPECT_EQ(values(*merged), (std::vector<double>{10, 11, 12, 13, 22}));
  auto issues = store->issues("DE", Signal::kAverageLifecycle, at("2022-03-01T03:00:00Z"), at("2022-03-01T04:00:00Z"));
  ASSERT_TRUE(issues) << issues.error().message;
  ASSERT_EQ(issues->size(), 2u);
  EXPECT_EQ((*issues)[0].issued, at("2022-03-01T00:00:00Z"));
  EXPECT_EQ((*issues)[1].issued, at("2022-03-01T01:00:00Z"));
  EXPECT_EQ((*issues)[1].first, at("2022-03-01T02:00:00Z"));
  EXPECT_EQ((*issues)[1].last_end, at("2022-03-01T05:00:00Z"));
  auto later = store->load_issue((*issues)[1]);
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_EQ(values(*later), (std::vector<double>{20, 21, 22}));
  EXPECT_EQ(later->issued(), at("2022-03-01T01:00:00Z"));
  EXPECT_EQ(later->provenance().origin, "hand.csv");
  auto recs = store->imports();
  ASSERT_TRUE(recs);
  EXPECT_EQ(recs->at(0).issued, at("2022-03-01T01:00:00Z"));
  // A window before every issue's span finds none.
  auto before = store->issues("DE", Signal::kAverageLifecycle, at("2022-02-01T00:00:00Z"), at("2022-03-01T00:00:00Z"));
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->empty());
}

TEST_F(StoreIssuesTest, ImportingTheSameIssueAgainReplacesIt) {
  auto store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE(store->import({hourly("2022-03-01T00:00:00Z", {1, 2}, Origin::kForecast, "2022-03-01T00:00:00Z")}));
  ASSERT_TRUE(store->import({hourly("2022-03-01T00:00:00Z", {3, 4, 5}, Origin::kForecast, "2022-03-01T00:00:00Z")}));
  EXPECT_EQ(query(store->connection(), "SELECT count(*) FROM issues"), 1);
  auto issues = store->issues("DE", Signal::kAverageLifecycle, at("2022-03-01T00:00:00Z"), at("2022-03-02T00:00:00Z"));
  ASSERT_TRUE(issues);
  ASSERT_EQ(issues->size(), 1u);
  auto s = store->load_issue(issues->front());
  ASSERT_TRUE(s);
  EXPECT_EQ(values(*s), (std::vector<double>{3, 4, 5}));
}

TEST_F(StoreIssuesTest, ActualDataWithAnIssueTimeIsRefusedAndNothingIsWritten) {
  auto store = IntensityStore::open(path_);
  ASSERT_TRUE(store) << store.error().message;
  auto r = store->import({hourly("2022-03-01T00:00:00Z", {1}, Origin::kForecast, "2022-03-01T00:00:00Z"),
                          hourly("2022-03-01T00:00:00Z", {1}, Origin::kActual, "2022-03-01T00:00:00Z")});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("only a forecast has an issue time"), std::string::npos) << r.error().message;
  EXPECT_EQ(query(store->connection(), "SELECT count(*) FROM issues"), 0);
  EXPECT_EQ(query(store->connection(), "SELECT count(*) FROM imports"), 0);
}

}  // namespace
}  // namespace greenrun::intensity
