#include "intensity/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::intensity {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;

UtcTime at(const char* s) { return *parse_utc(s); }
CarbonIntensity g(double v) { return CarbonIntensity::grams_per_kwh(v); }

IntensitySeries series(const std::string& zone, const char* from, Duration step, std::vector<double> values,
                       const std::string& origin = "test.csv", Signal signal = Signal::kAverageLifecycle) {
  IntensitySeries s(zone, signal);
  UtcTime t = at(from);
  for (double v : values) {
    EXPECT_TRUE(s.append(t, step, g(v)));
    t += step;
  }
  s.set_provenance(Provenance{"test", origin, "invented for a test"});
  return s;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-store-test");
    path_ = (dir_ / "nested" / "folder" / "greenrun.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  IntensityStore open() {
    auto s = IntensityStore::open(path_);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return std::move(*s);
  }

  // Every row of both tables, as text: equal snapshots mean an unchanged store.
  static std::string snapshot(const IntensityStore& store, bool with_imports = true) {
    std::string out;
    for (const char* sql : {"SELECT * FROM chunks ORDER BY id", "SELECT * FROM imports ORDER BY id"}) {
      if (!with_imports && std::string_view(sql).find("imports") != std::string_view::npos) continue;
      sqlite3_stmt* st = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(store.connection(), sql, -1, &st, nullptr), SQLITE_OK);
      while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          const void* b = sqlite3_column_blob(st, c);
          out.append(static_cast<const char*>(b ? b : ""), static_cast<size_t>(sqlite3_column_bytes(st, c)));
          out.push_back('|');
        }
        out.push_back('\n');
      }
      sqlite3_finalize(st);
    }
    return out;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, OpenCreatesTheFolderAndAVersionedSchema) {
  IntensityStore store = open();
  EXPECT_TRUE(fs::exists(path_));
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store.connection(), "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 3);
  sqlite3_finalize(st);
  auto list = store.list();
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST_F(StoreTest, ImportingTheSameDataTwiceIsIdempotent) {
  IntensityStore store = open();
  const auto s = series("DE", "2023-01-31T20:00Z", hours(1), {100, 200, 300, 400, 500, 600});  // crosses a month
  auto first = store.import({s});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->inserted, 6u);
  EXPECT_EQ(first->unchanged, 0u);
  const auto stats_before = store.stats();
  auto second = store.import({s});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->inserted, 0u);
  EXPECT_EQ(second->replaced, 0u);
  EXPECT_EQ(second->unchanged, 6u);
  // Points keep the import that first wrote them; the second import is recorded.
  auto w = store.load_window({"DE", Signal::kAverageLifecycle, Origin::kActual}, at("2023-01-01"), at("2023-03-01"));
  ASSERT_TRUE(w);
  ASSERT_EQ(w->series.size(), 6u);
  for (int64_t id : w->import_ids) EXPECT_EQ(id, first->records[0].id);
  auto imports = store.imports();
  ASSERT_TRUE(imports);
  ASSERT_EQ(imports->size(), 2u);
  EXPECT_EQ((*imports)[1].unchanged, 6u);
  ASSERT_TRUE(stats_before);
  auto stats_after = store.stats();
  ASSERT_TRUE(stats_after);
  ASSERT_EQ(stats_after->size(), stats_before->size());
  EXPECT_EQ((*stats_after)[0].count, 6u);
  EXPECT_DOUBLE_EQ((*stats_after)[0].mean, (*stats_before)[0].mean);
}

TEST_F(StoreTest, AFailedImportChangesNothingEvenAfterEarlierSeriesWereWritten) {
  {
    IntensityStore store = open();
    ASSERT_TRUE(store.import({series("GB", "2023-01-01T00:00Z", hours(1), {10, 20, 30})}));
  }
  IntensityStore store = open();
  const std::string before = snapshot(store);
  // The first series is valid and written inside the transaction; the second
  // fails (no zone), so the first must be rolled back too.
  auto bad = store.import({series("GB", "2023-01-01T01:00Z", hours(1), {99, 98, 97, 96}),
                           series("", "2023-01-01T00:00Z", hours(1), {1}, "broken.csv")});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("broken.csv"), std::string::npos) << bad.error().message;
  EXPECT_EQ(snapshot(store), before);
  IntensityStore reopened = open();
  EXPECT_EQ(snapshot(reopened), before);
}

TEST_F(StoreTest, ASqliteFailureMidImportRollsBackEverything) {
  IntensityStore store = open();
  ASSERT_TRUE(store.import({series("GB", "2023-01-01T00:00Z", hours(1), {10, 20, 30})}));
  // Make writing zone "FAIL" fail inside SQLite, after the GB series is written.
  ASSERT_EQ(sqlite3_exec(store.connection(),
                         "CREATE TEMP TRIGGER boom BEFORE INSERT ON chunks WHEN NEW.zone = 'FAIL' "
                         "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  const std::string before = snapshot(store);
  auto bad = store.import({series("GB", "2023-01-01T02:00Z", hours(1), {1, 2, 3}),
                           series("FR", "2023-01-01T00:00Z", hours(1), {5}),
                           series("FAIL", "2023-01-01T00:00Z", hours(1), {1})});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("injected failure"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find(path_), std::string::npos) << bad.error().message;
  EXPECT_EQ(snapshot(store), before);
  IntensityStore reopened = open();
  EXPECT_EQ(snapshot(reopened), before);
}

TEST_F(StoreTest, OverlappingImportsKeepTheProvenanceOfEveryPoint) {
  IntensityStore store = open();
  greenrun::testing::FakeClock clock;
  store.set_clock(clock);
  auto a = store.import({series("DE", "2023-05-01T00:00Z", hours(1), {100, 110, 120, 130, 140, 150}, "a.csv")});
  ASSERT_TRUE(a);
  // b covers 02:00-03:30 at 15 minutes: it replaces 02:00-03:00 and the first
  // half of 03:00-04:00, whose second half stays from a.csv.
  auto b = store.import({series("DE", "2023-05-01T02:00Z", minutes(15), {1, 2, 3, 4, 5, 6}, "b.csv")});
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->inserted, 0u);
  EXPECT_EQ(b->replaced, 6u);
  EXPECT_EQ(b->unchanged, 0u);
  const int64_t ia = a->records[0].id, ib = b->records[0].id;

  auto w = store.load_window({"DE", Signal::kAverageLifecycle, Origin::kActual}, at("2023-05-01T00:00Z"),
                             at("2023-05-01T06:00Z"));
  ASSERT_TRUE(w) << w.error().message;
  const auto& s = w->series;
  ASSERT_EQ(s.size(), 2u + 6u + 1u + 2u);
  EXPECT_EQ(s.point(0).value.grams_per_kwh(), 100);
  EXPECT_EQ(w->import_ids[0], ia);
  EXPECT_EQ(s.point(2).start, at("2023-05-01T02:00Z"));
  EXPECT_EQ(s.point(2).duration, minutes(15));
  EXPECT_EQ(s.point(2).value.grams_per_kwh(), 1);
  EXPECT_EQ(w->import_ids[2], ib);
  EXPECT_EQ(s.point(8).start, at("2023-05-01T03:30Z"));  // the trimmed remainder of a's 03:00 point
  EXPECT_EQ(s.point(8).duration, minutes(30));
  EXPECT_EQ(s.point(8).value.grams_per_kwh(), 130);
  EXPECT_EQ(w->import_ids[8], ia);
  EXPECT_TRUE(s.gaps().empty());
  EXPECT_NE(s.provenance().origin.find("a.csv"), std::string::npos);
  EXPECT_NE(s.provenance().origin.find("b.csv"), std::string::npos);
  ASSERT_EQ(w->imports.size(), 2u);

  auto list = store.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].points, 11u);
  EXPECT_EQ((*list)[0].sources, (std::vector<std::string>{"test: a.csv", "test: b.csv"}));
  auto imports = store.imports();
  ASSERT_TRUE(imports);
  ASSERT_EQ(imports->size(), 2u);
  EXPECT_EQ((*imports)[0].provenance.origin, "a.csv");
  EXPECT_EQ((*imports)[1].provenance.origin, "b.csv");
  EXPECT_EQ((*imports)[1].imported_at, clock.utc_now());
  EXPECT_EQ((*imports)[1].replaced, 6u);
}

TEST_F(StoreTest, FullyReplacedImportsDropOutOfTheSources) {
  IntensityStore store = open();
  ASSERT_TRUE(store.import({series("DE", "2023-05-01T00:00Z", hours(1), {1, 2}, "old.csv")}));
  ASSERT_TRUE(store.import({series("DE", "2023-05-01T00:00Z", hours(1), {3, 4}, "new.csv")}));
  auto list = store.list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].sources, std::vector<std::string>{"test: new.csv"});
}

TEST_F(StoreTest, LoadReturnsWholePointsOverlappingTheWindowInOrder) {
  IntensityStore store = open();
  ASSERT_TRUE(store.import({series("GB", "2023-01-01T00:00Z", hours(1), {10, 20, 30, 40})}));
  const SeriesKey key{"GB", Signal::kAverageLifecycle, Origin::kActual};
  auto w = store.load(key, at("2023-01-01T01:30Z"), at("2023-01-01T02:10Z"));
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ(w->point(0).start, at("2023-01-01T01:00Z"));
  EXPECT_EQ(w->point(1).end(), at("2023-01-01T03:00Z"));
  EXPECT_EQ(w->zone(), "GB");
  EXPECT_EQ(w->provenance().source, "test");
  // The end is exclusive; a window after the data is empty, not an error.
  auto edge = store.load(key, at("2023-01-01T04:00Z"), at("2023-01-01T05:00Z"));
  ASSERT_TRUE(edge);
  EXPECT_TRUE(edge->empty());
  auto other = store.load({"GB", Signal::kAverageDirect, Origin::kActual}, at("2023-01-01"), at("2023-01-02"));
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());
  EXPECT_FALSE(store.load(key, at("2023-01-02"), at("2023-01-01")));
}

TEST_F(StoreTest, LoadFindsALongPointThatStartedMonthsBeforeTheWindow) {
  IntensityStore store = open();
  IntensitySeries s("SE", Signal::kAverageLifecycle);
  ASSERT_TRUE(s.append(at("2022-01-01"), at("2023-01-01") - at("2022-01-01"), g(45)));  // a yearly figure
  ASSERT_TRUE(store.import({s}));
  auto w = store.load({"SE", Signal::kAverageLifecycle, Origin::kActual}, at("2022-07-01"), at("2022-07-02"));
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ(w->point(0).start, at("2022-01-01"));
}

TEST_F(StoreTest, StatsSplitPointsThatStraddleAYearBoundaryByTime) {
  IntensityStore store = open();
  IntensitySeries s("NO", Signal::kAverageDirect);
  ASSERT_TRUE(s.append(at("2022-12-31T22:00Z"), hours(4), g(100), /*estimated=*/true));  // 2 h in each year
  ASSERT_TRUE(s.append(at("2023-01-01T02:00Z"), hours(2), g(400)));
  ASSERT_TRUE(store.import({s}));
  auto st = store.stats();
  ASSERT_TRUE(st);
  ASSERT_EQ(st->size(), 2u);
  const ZoneYearStats& y22 = (*st)[0];
  const ZoneYearStats& y23 = (*st)[1];
  EXPECT_EQ(y22.year, 2022);
  EXPECT_EQ(y22.count, 1u);
  EXPECT_EQ(y22.estimated, 1u);
  EXPECT_DOUBLE_EQ(y22.mean, 100);
  EXPECT_EQ(y23.year, 2023);
  EXPECT_EQ(y23.count, 2u);
  EXPECT_DOUBLE_EQ(y23.mean, (100 * 2 + 400 * 2) / 4.0);
  EXPECT_DOUBLE_EQ(y23.min, 100);
  EXPECT_DOUBLE_EQ(y23.max, 400);
  EXPECT_EQ(y23.signal, Signal::kAverageDirect);
  EXPECT_EQ(y23.origin, Origin::kActual);
}

TEST_F(StoreTest, DataPersistsAcrossReopen) {
  {
    IntensityStore store = open();
    ASSERT_TRUE(store.import({series("US-CAL-CISO", "2023-06-30T23:00Z", minutes(30), {5, 6, 7, 8})}));
  }
  IntensityStore store = open();
  auto w = store.load({"US-CAL-CISO", Signal::kAverageLifecycle, Origin::kActual}, at("2023-06-30"),
                      at("2023-07-02"));
  ASSERT_TRUE(w);
  ASSERT_EQ(w->size(), 4u);
  EXPECT_EQ(w->point(3).value.grams_per_kwh(), 8);
  EXPECT_EQ(w->point(3).end(), at("2023-07-01T01:00Z"));
}

TEST_F(StoreTest, AFileThatIsNotSqliteGivesAClearError) {
  fs::create_directories(fs::path(path_).parent_path());
  {
    std::ofstream f(path_, std::ios::binary);
    for (int i = 0; i < 200; ++i) f << "this is not a database, ";
  }
  auto s = IntensityStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find(path_), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("not a greenrun store"), std::string::npos) << s.error().message;
}

TEST_F(StoreTest, ASqliteDatabaseOfAnotherApplicationIsRefused) {
  fs::create_directories(fs::path(path_).parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE photos(id INTEGER)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto s = IntensityStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("not a greenrun store"), std::string::npos) << s.error().message;
}

TEST_F(StoreTest, ANewerSchemaVersionIsRefused) {
  {
    IntensityStore store = open();
    ASSERT_EQ(sqlite3_exec(store.connection(), "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  auto s = IntensityStore::open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("schema version 99"), std::string::npos) << s.error().message;
}

TEST_F(StoreTest, AfterAnImportTheWholeStoreIsInItsMainFile) {
  {
    IntensityStore store = open();
    ASSERT_TRUE(store.import({series("DE", "2023-01-01T00:00Z", hours(1), std::vector<double>(24 * 60, 300.0))}));
  }
  // The WAL is empty once the writer closed: copying greenrun.db alone copies the store.
  const fs::path wal = path_ + "-wal";
  if (fs::exists(wal)) {
    EXPECT_EQ(fs::file_size(wal), 0u);
  }
  const fs::path copy = dir_ / "copy.db";
  fs::copy_file(path_, copy);
  auto read = IntensityStore::open_read_only(copy.string());
  ASSERT_TRUE(read) << read.error().message;
  auto listed = read->list();
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].points, 24u * 60);
}

TEST_F(StoreTest, TheWalStaysBoundedWhileAWriterStaysOpen) {
  IntensityStore store = open();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store.import({series("DE", "2023-01-01T00:00Z", minutes(5), std::vector<double>(20000, 100.0 + i))}));
  const fs::path wal = path_ + "-wal";
  if (fs::exists(wal)) {
    EXPECT_EQ(fs::file_size(wal), 0u) << "checkpointed after each import";
  }
}

TEST_F(StoreTest, ReadOnlyOpenNeverCreatesOrWritesTheStore) {
  auto missing = IntensityStore::open_read_only(path_);
  ASSERT_TRUE(missing) << missing.error().message;
  auto listed = missing->list();
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_TRUE(listed->empty());
  EXPECT_TRUE(missing->read_only());
  EXPECT_FALSE(fs::exists(fs::path(path_).parent_path())) << "neither the file nor its folder is created";
  auto refused = missing->import({series("DE", "2023-01-01T00:00Z", hours(1), {1.0})});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find(path_ + ": the store is read-only"), std::string::npos)
      << refused.error().message;

  {
    IntensityStore store = open();
    ASSERT_TRUE(store.import({series("DE", "2023-01-01T00:00Z", hours(1), {1.0, 2.0})}));
  }
  const auto before = fs::last_write_time(path_);
  const auto size = fs::file_size(path_);
  auto read = IntensityStore::open_read_only(path_);
  ASSERT_TRUE(read) << read.error().message;
  auto stats = read->stats();
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ(sqlite3_exec(read->connection(), "DELETE FROM chunks", nullptr, nullptr, nullptr), SQLITE_READONLY);
  EXPECT_EQ(fs::last_write_time(path_), before);
  EXPECT_EQ(fs::file_size(path_), size);
}

TEST_F(StoreTest, ReadOnlyOpenRefusesFilesThatAreNotGreenrunStores) {
  fs::create_directories(fs::path(path_).parent_path());
  {
    std::ofstream f(path_, std::ios::binary);
    for (int i = 0; i < 200; ++i) f << "this is not a database, ";
  }
  auto s = IntensityStore::open_read_only(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find(path_ + ": not a greenrun store"), std::string::npos) << s.error().message;
  auto dir = IntensityStore::open_read_only(dir_.string());
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find(dir_.string() + ": is a directory, not a greenrun store"), std::string::npos)
      << dir.error().message;
  auto dir_rw = IntensityStore::open(dir_.string());
  ASSERT_FALSE(dir_rw);
  EXPECT_NE(dir_rw.error().message.find("is a directory, not a greenrun store"), std::string::npos)
      << dir_rw.error().message;
}

TEST_F(StoreTest, AStoreWithoutWritePermissionSaysReadOnly) {
  {
    IntensityStore store = open();
    ASSERT_TRUE(store.import({series("DE", "2023-01-01T00:00Z", hours(1), {1.0, 2.0})}));
  }
  fs::permissions(path_, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  if (::access(path_.c_str(), W_OK) == 0) GTEST_SKIP() << "running as root: a 0444 file is still writable";
  auto s = IntensityStore::open(path_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->read_only());
  auto listed = s->list();
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 1u);
  auto refused = s->import({series("DE", "2023-02-01T00:00Z", hours(1), {1.0})});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the store is read-only"), std::string::npos) << refused.error().message;
}

// Property: after any sequence of overlapping imports, the store holds, at
// every instant, the value of the last import covering it (cells of 5 min
// across a month boundary), and re-importing changes nothing.
TEST_F(StoreTest, RandomOverlappingImportsMatchAReferenceModel) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  IntensityStore store = open();
  const UtcTime base = at("2023-01-31T12:00Z");
  constexpr int kCells = 24 * 12;  // one day of 5-minute cells
  struct Cell {
    double value = -1;
    int64_t import = 0;
  };
  std::vector<Cell> model(kCells);
  const SeriesKey key{"DE", Signal::kAverageLifecycle, Origin::kActual};
  LoadedWindow prev;
  for (int round = 0; round < 40; ++round) {
    const int step_cells = std::vector<int>{1, 2, 3, 6, 12}[rng() % 5];
    const int start = static_cast<int>(rng() % kCells);
    const int n = 1 + static_cast<int>(rng() % 30);
    IntensitySeries s("DE", Signal::kAverageLifecycle);
    std::vector<std::pair<int, double>> pts;
    int c = start;
    for (int i = 0; i < n && c + step_cells <= kCells; ++i) {
      if (rng() % 5 == 0) c += step_cells;  // a gap
      if (c + step_cells > kCells) break;
      // Few distinct values, so that some points repeat exactly what is stored.
      const double v = static_cast<double>(rng() % 4) * 100;
      ASSERT_TRUE(s.append(base + minutes(5 * c), minutes(5 * step_cells), g(v)));
      pts.emplace_back(c, v);
      c += step_cells;
    }
    s.set_provenance(Provenance{"test", "round" + std::to_string(round), ""});
    auto r = store.import({s});
    ASSERT_TRUE(r) << r.error().message;
    size_t unchanged = 0;
    for (auto [cell, v] : pts) {
      // A point identical to a stored one keeps the stored import id.
      int64_t id = r->records[0].id;
      for (size_t i = 0; i < prev.series.size(); ++i) {
        const auto p = prev.series.point(i);
        if (p.start == base + minutes(5 * cell) && p.duration == minutes(5 * step_cells) &&
            p.value.grams_per_kwh() == v) {
          id = prev.import_ids[i];
          ++unchanged;
        }
      }
      for (int k = cell; k < cell + step_cells; ++k) model[static_cast<size_t>(k)] = Cell{v, id};
    }
    EXPECT_EQ(r->unchanged, unchanged);
    EXPECT_EQ(r->inserted + r->replaced + r->unchanged, s.size());
    auto w = store.load_window(key, base, base + minutes(5 * kCells));
    ASSERT_TRUE(w) << w.error().message;
    std::vector<Cell> got(kCells);
    for (size_t i = 0; i < w->series.size(); ++i) {
      const auto p = w->series.point(i);
      for (UtcTime t = p.start; t < p.end(); t += minutes(5))
        got[static_cast<size_t>((t - base) / minutes(5))] = Cell{p.value.grams_per_kwh(), w->import_ids[i]};
    }
    for (size_t k = 0; k < model.size(); ++k) {
      ASSERT_EQ(got[k].value, model[k].value) << "round " << round << " cell " << k;
      ASSERT_EQ(got[k].import, model[k].import) << "round " << round << " cell " << k;
    }
    // Importing the same series again writes no point.
    const std::string before = snapshot(store, /*with_imports=*/false);
    auto again = store.import({s});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->unchanged, s.size());
    EXPECT_EQ(snapshot(store, /*with_imports=*/false), before);
    prev = std::move(*w);
  }
}

// The shared Electricity Maps files: the stored annual means equal the ones
// ../shared/data/README.md lists (direct and LCA), to 0.1 g/kWh.
TEST_F(StoreTest, StatsMatchTheAnnualMeansOfTheSharedElectricityMapsFiles) {
  GREENRUN_REQUIRE_SHARED_DATA();
  struct Expected {
    const char* file;
    const char* zone;
    int year;
    double direct, direct_min, direct_max, lca;
  };
  const Expected table[] = {
      {"green-dcc/AU-NSW_2022_hourly.csv", "AU-NSW", 2022, 539.1, 222.8, 739.6, 592.8},
      {"green-dcc/AU-NSW_2023_hourly.csv", "AU-NSW", 2023, 502.1, 140.0, 719.8, 554.2},
      {"green-dcc/CA-ON_2022_hourly.csv", "CA-ON", 2022, 36.3, 2.4, 131.6, 59.3},
      {"green-dcc/CA-ON_2023_hourly.csv", "CA-ON", 2023, 46.9, 0.0, 138.7, 72.8},
      {"green-dcc/DE-LU_2022_hourly.csv", "DE", 2022, 411.0, 117.4, 681.4, 477.9},
      {"green-dcc/DE-LU_2023_hourly.csv", "DE", 2023, 307.7, 84.4, 640.0, 367.0},
      {"green-dcc/GB_2022_hourly.csv", "GB", 2022, 155.7, 7.0, 297.2, 222.0},
      {"green-dcc/GB_2023_hourly.csv", "GB", 2023, 128.6, 3.6, 282.3, 187.5},
      {"green-dcc/IN-WE_2022_hourly.csv", "IN-WE", 2022, 690.0, 613.3, 728.1, 747.5},
      {"green-dcc/IN-WE_2023_hourly.csv", "IN-WE", 2023, 691.1, 618.1, 730.4, 749.2},
      {"green-dcc/JP-TK_2022_hourly.csv", "JP-TK", 2022, 459.2, 148.2, 508.8, 549.7},
      {"green-dcc/JP-TK_2023_hourly.csv", "JP-TK", 2023, 449.9, 152.4, 510.3, 539.7},
      {"green-dcc/SG_2022_hourly.csv", "SG", 2022, 372.4, 348.3, 381.9, 491.5},
      {"green-dcc/SG_2023_hourly.csv", "SG", 2023, 369.2, 338.2, 380.1, 488.1},
      {"green-dcc/US-CAL-CISO_2022_hourly.csv", "US-CAL-CISO", 2022, 196.0, 53.1, 349.0, 262.3},
      {"green-dcc/US-CAL-CISO_2023_hourly.csv", "US-CAL-CISO", 2023, 194.0, 54.5, 331.7, 260.7},
      {"green-dcc/US-MIDA-PJM_2022_hourly.csv", "US-MIDA-PJM", 2022, 355.0, 249.2, 469.4, 424.5},
      {"green-dcc/US-MIDA-PJM_2023_hourly.csv", "US-MIDA-PJM", 2023, 321.8, 245.2, 424.2, 392.4},
      {"green-dcc/US-NY-NYIS_2022_hourly.csv", "US-NY-NYIS", 2022, 213.8, 134.5, 287.7, 281.2},
      {"green-dcc/US-NY-NYIS_2023_hourly.csv", "US-NY-NYIS", 2023, 209.7, 130.9, 300.6, 277.8},
      {"green-dcc/US-TEX-ERCO_2022_hourly.csv", "US-TEX-ERCO", 2022, 338.2, 105.8, 518.6, 399.5},
      {"green-dcc/US-TEX-ERCO_2023_hourly.csv", "US-TEX-ERCO", 2023, 316.7, 124.0, 494.3, 380.5},
      {"decarbonization-potential/ES_2021_hourly.csv", "ES", 2021, 127.0, 36.8, 275.5, 174.3},
      {"decarbonization-potential/ES_2022_hourly.csv", "ES", 2022, 166.8, 40.3, 317.5, 219.3},
      {"decarbonization-potential/NO_2021_hourly.csv", "NO", 2021, 7.6, 0.9, 76.6, 32.3},
      {"decarbonization-potential/NO_2022_hourly.csv", "NO", 2022, 12.8, 1.8, 105.1, 38.1},
  };
  IntensityStore store = open();
  for (Signal signal : {Signal::kAverageDirect, Signal::kAverageLifecycle}) {
    std::vector<IntensitySeries> all;
    for (const Expected& e : table) {
      ImportOptions o;
      o.electricitymaps_signal = signal;
      auto r = import_file((greenrun::testing::shared_data() / "electricitymaps-hourly" / e.file).string(), o);
      ASSERT_TRUE(r) << r.error().message;
      for (auto& s : r->series) all.push_back(std::move(s));
    }
    auto sum = store.import(all);
    ASSERT_TRUE(sum) << sum.error().message;
    EXPECT_EQ(sum->inserted, 26u * 8760u);
  }
  auto stats = store.stats();
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->size(), 52u);
  std::map<std::tuple<std::string, int, Signal>, ZoneYearStats> by;
  for (const auto& s : *stats) by[{s.zone, s.year, s.signal}] = s;
  for (const Expected& e : table) {
    SCOPED_TRACE(e.file);
    const auto d = by.find({e.zone, e.year, Signal::kAverageDirect});
    const auto l = by.find({e.zone, e.year, Signal::kAverageLifecycle});
    ASSERT_NE(d, by.end());
    ASSERT_NE(l, by.end());
    EXPECT_EQ(d->second.count, 8760u);
    EXPECT_NEAR(d->second.mean, e.direct, 0.05 + 1e-9);
    EXPECT_NEAR(d->second.min, e.direct_min, 0.05 + 1e-9);
    EXPECT_NEAR(d->second.max, e.direct_max, 0.05 + 1e-9);
    EXPECT_NEAR(l->second.mean, e.lca, 0.05 + 1e-9);
    ASSERT_EQ(l->second.import_ids.size(), 1u);
  }
}

}  // namespace
}  // namespace greenrun::intensity
