#include "runner/run_store.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <cstdlib>
#include <iostream>
#include <random>

#include "greenrun/base/time_format.h"
#include "testing/paths.h"
#include "testing/schedule_section.h"
#include "testing/seed.h"

namespace greenrun::runner {
namespace {

using sensors::Component;
using sensors::Method;

RunRecord run(const std::string& id, const std::string& project, const std::string& phase, double cpu_j,
              std::optional<double> grams, Method m = Method::kEstimated) {
  RunRecord r;
  r.id = id;
  r.project = project;
  r.phase = phase;
  r.command = {"python", "train.py", "--epochs", "3"};
  r.started = *parse_utc("2026-03-01T10:00:00Z");
  r.ended = r.started + std::chrono::minutes(5);
  r.duration = std::chrono::minutes(5);
  r.zone = "DE";
  r.zone_source = "--zone";
  r.components.push_back({Component::kCpu, Energy::joules(cpu_j * 2), Energy::joules(cpu_j), m, {"cpu"}});
  r.components.push_back({Component::kPlatform, Energy::joules(1e6), Energy::joules(1e6), Method::kMeasured, {"psys"}});
  if (grams)
    r.average = EmissionsFigure{"average-lifecycle", Mass::grams(*grams), CarbonIntensity::grams_per_kwh(400), "test", 1.0};
  return r;
}

class RunStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-runs"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "greenrun.db").string(); }
  std::filesystem::path dir_;
};

TEST_F(RunStoreTest, RecordsRoundTripThroughTheStore) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store) << store.error().message;
  auto r = run("20260301T100000Z-aaaaaa", "bert", "training", 1000, 12.5);
  accounting::EmissionsReport job;
  job.context.zone = "DE";
  job.breakdown.total = Mass::grams(12.5);
  job.breakdown.estimate = true;
  r.emissions_job = job;
  r.flexible_start.computed = true;
  r.flexible_start.best_start = r.started + std::chrono::hours(3);
  r.flexible_start.emissions = Mass::grams(9);
  r.flexible_start.baseline = Mass::grams(12);
  r.flexible_start.saving_percent = 25;
  r.flexible_start.basis = "typical profile, not a forecast";
  ASSERT_TRUE(store->insert(r));
  auto back = store->get("20260301T100000Z-aaaaaa");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->command, r.command);
  EXPECT_EQ(back->started, r.started);
  EXPECT_EQ(back->duration, r.duration);
  EXPECT_DOUBLE_EQ(back->job_energy().joules(), 1000);  // platform not added
  EXPECT_DOUBLE_EQ(back->average->job.grams(), 12.5);
  EXPECT_EQ(back->flexible_start.best_start, r.flexible_start.best_start);
  EXPECT_EQ(back->flexible_start.basis, r.flexible_start.basis);
  EXPECT_EQ(back->emissions_job, r.emissions_job);
  EXPECT_FALSE(back->emissions_machine);
  EXPECT_EQ(to_json(*back), to_json(r));
}

TEST_F(RunStoreTest, FindsByUniquePrefixAndRefusesAmbiguity) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insert(run("20260301T100000Z-aaaaaa", "p", "", 1, std::nullopt)));
  ASSERT_TRUE(store->insert(run("20260301T100000Z-abbbbb", "p", "", 1, std::nullopt)));
  EXPECT_EQ(store->get("20260301T100000Z-ab")->id, "20260301T100000Z-abbbbb");
  auto amb = store->get("20260301T100000Z-a");
  ASSERT_FALSE(amb);
  EXPECT_NE(amb.error().message.find("ambiguous"), std::string::npos);
  EXPECT_FALSE(store->get("nope"));
}

TEST_F(RunStoreTest, SummaryTotalsAProjectAcrossItsPhases) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insert(run("r1", "bert", "model-selection", 100, 1.0)));
  ASSERT_TRUE(store->insert(run("r2", "bert", "training", 300, 3.0, Method::kMeasured)));
  ASSERT_TRUE(store->insert(run("r3", "bert", "training", 200, std::nullopt, Method::kMeasured)));
  ASSERT_TRUE(store->insert(run("r4", "vit", "training", 50, 0.5, Method::kSimulated)));
  auto by_project = store->summary("project");
  ASSERT_TRUE(by_project);
  ASSERT_EQ(by_project->size(), 2u);
  const auto& bert = (*by_project)[0];
  EXPECT_EQ(bert.key, "bert");
  EXPECT_EQ(bert.runs, 3u);
  EXPECT_DOUBLE_EQ(bert.job_energy.joules(), 600);
  EXPECT_DOUBLE_EQ(bert.emissions.grams(), 4.0);
  EXPECT_EQ(bert.runs_without_emissions, 1u);
  EXPECT_EQ(bert.weakest_method, Method::kEstimated);
  EXPECT_EQ((*by_project)[1].weakest_method, Method::kSimulated);
  auto phases = store->summary("phase", std::string("bert"));
  ASSERT_TRUE(phases);
  ASSERT_EQ(phases->size(), 2u);
  EXPECT_EQ((*phases)[1].key, "training");
  EXPECT_DOUBLE_EQ((*phases)[1].job_energy.joules(), 500);
  auto zones = store->summary("zone");
  ASSERT_TRUE(zones) << zones.error().message;
  ASSERT_EQ(zones->size(), 1u);
  EXPECT_EQ((*zones)[0].key, "DE");
  auto months = store->summary("month");
  ASSERT_TRUE(months) << months.error().message;
  ASSERT_EQ(months->size(), 1u);
  EXPECT_EQ((*months)[0].key, "2026-03");
  auto bad = store->summary("zone; DROP TABLE runs");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(store->summary("project")) << "the table is still there";
}

TEST_F(RunStoreTest, QueriesFilterByPhaseAndStartEvenWithMilliseconds) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store);
  auto a = run("a", "p", "train", 10, 1.0);
  a.started = *parse_utc("2026-03-01T00:00:00.500Z");  // as text it sorts before "...00Z", in time it is later
  auto b = run("b", "p", "eval", 10, 1.0);
  b.started = *parse_utc("2026-03-01T00:00:00Z");
  ASSERT_TRUE(store->insert(a));
  ASSERT_TRUE(store->insert(b));
  RunQuery since;
  since.since = *parse_utc("2026-03-01T00:00:00.250Z");
  auto later = store->rows(since);
  ASSERT_TRUE(later) << later.error().message;
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].id, "a");
  RunQuery all;
  auto ordered = store->list(all);
  ASSERT_TRUE(ordered);
  ASSERT_EQ(ordered->size(), 2u);
  EXPECT_EQ((*ordered)[0].id, "a") << "newest first, by time";
  RunQuery eval;
  eval.phase = "eval";
  auto totals = store->summary("phase", eval);
  ASSERT_TRUE(totals);
  ASSERT_EQ(totals->size(), 1u);
  EXPECT_EQ((*totals)[0].key, "eval");
}

TEST_F(RunStoreTest, ScheduledRunsKeepTheirScheduleAndTheSummaryTotalsTheSaving) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store);
  auto scheduled = run("r1", "bert", "training", 100, 60.0);
  auto section = schedule_summary_from_json(greenrun::testing::kScheduleSection);
  ASSERT_TRUE(section) << section.error().message;
  scheduled.schedule = *section;  // 66 g against 180 g at once
  ASSERT_TRUE(store->insert(scheduled));
  ASSERT_TRUE(store->insert(run("r2", "bert", "training", 100, 1.0)));
  ASSERT_TRUE(store->insert(run("r3", "vit", "training", 100, 1.0)));
  auto back = store->get("r1");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->schedule);
  EXPECT_EQ(*back->schedule, *section);
  EXPECT_EQ(to_json(*back), to_json(scheduled));
  EXPECT_FALSE(store->get("r2")->schedule);
  auto groups = store->summary("project");
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].scheduled_runs, 1u);
  EXPECT_DOUBLE_EQ((*groups)[0].scheduling_avoided.grams(), 114);
  EXPECT_EQ((*groups)[1].scheduled_runs, 0u);
  EXPECT_DOUBLE_EQ((*groups)[1].scheduling_avoided.grams(), 0);
}

TEST_F(RunStoreTest, RowsWrittenBeforeSchedulesWereRecordedStillLoad) {
  ASSERT_TRUE(RunStore::open(path()));
  // A row as the store kept it before run.json had a "schedule" section.
  const std::string old_record =
      R"({"id":"20260301T100000Z-aaaaaa","project":"bert","phase":"","command":["true"],)"
      R"("started":"2026-03-01T10:00:00Z","ended":"2026-03-01T10:00:01Z","duration_s":1.0,"exit_status":0,)"
      R"("zone":"","zone_source":"world average","sensors":"estimate","simulated":false,"sensor_notes":[],)"
      R"("components":[{"component":"cpu","machine_j":10.0,"job_j":1.0,"method":"estimated","devices":[]}],)"
      R"("pue":1.0,"flexible_start":{"computed":false,"reason":"no zone"},"warnings":[],"out_dir":"/tmp/x"})";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  const std::string sql =
      "INSERT INTO runs (id, project, phase, started, duration_s, exit_status, zone, job_energy_j, machine_energy_j, "
      "method, emissions_g, record) VALUES ('20260301T100000Z-aaaaaa', 'bert', '', '2026-03-01T10:00:00Z', 1, 0, '', "
      "1, 10, 'estimated', NULL, '" + old_record + "')";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto store = RunStore::open(path());
  ASSERT_TRUE(store) << store.error().message;
  auto runs = store->list();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_FALSE((*runs)[0].schedule);
  auto groups = store->summary("project");
  ASSERT_TRUE(groups);
  EXPECT_EQ((*groups)[0].scheduled_runs, 0u);
}

TEST_F(RunStoreTest, RowsComeFromTheTypedColumns) {
  auto store = RunStore::open(path());
  ASSERT_TRUE(store);
  auto scheduled = run("r1", "bert", "training", 100, 60.0, Method::kMeasured);
  scheduled.started += std::chrono::hours(1);
  scheduled.exit_status = 3;
  auto section = schedule_summary_from_json(greenrun::testing::kScheduleSection);
  ASSERT_TRUE(section);
  scheduled.schedule = *section;
  ASSERT_TRUE(store->insert(scheduled));
  ASSERT_TRUE(store->insert(run("r2", "vit", "", 50, std::nullopt, Method::kSimulated)));
  // A record that would not parse: rows() never reads it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE runs SET record = 'not json'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto rows = store->rows();
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  const RunRow& a = (*rows)[0];  // newest first
  EXPECT_EQ(a.id, "r1");
  EXPECT_EQ(a.started, scheduled.started);
  EXPECT_EQ(a.duration, std::chrono::minutes(5));
  EXPECT_EQ(a.exit_status, 3);
  EXPECT_DOUBLE_EQ(a.job_energy.joules(), 100);
  EXPECT_DOUBLE_EQ(a.machine_energy.joules(), 200);
  EXPECT_EQ(a.method, Method::kMeasured);
  ASSERT_TRUE(a.emissions);
  EXPECT_DOUBLE_EQ(a.emissions->grams(), 60);
  EXPECT_EQ(a.schedule_mode, "pause-resume");
  EXPECT_DOUBLE_EQ(a.schedule_saving().grams(), 114);
  EXPECT_NEAR(a.schedule_saving_percent(), section->saving_percent(), 1e-9);
  const RunRow& b = (*rows)[1];
  EXPECT_EQ(b.method, Method::kSimulated);
  EXPECT_FALSE(b.emissions);
  EXPECT_FALSE(b.schedule_mode);
  auto groups = store->summary("project");
  ASSERT_TRUE(groups) << groups.error().message;
  EXPECT_EQ((*groups)[0].scheduled_runs, 1u);
  EXPECT_DOUBLE_EQ((*groups)[0].scheduling_avoided.grams(), 114);
  EXPECT_EQ((*groups)[0].duration, std::chrono::minutes(5));
  EXPECT_FALSE(store->list());  // the whole records do need parsing
}

// The `runs` table and store version as greenrun wrote them before the
// schedule columns (store schema version 1).
constexpr const char* kLayout1Runs = R"sql(
CREATE TABLE runs (
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
CREATE INDEX runs_project ON runs(project, phase);
PRAGMA user_version = 1;
)sql";

int user_version(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  int v = -1;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

TEST_F(RunStoreTest, AStoreOfTheFirstLayoutIsMigratedAndStillListsItsRuns) {
  {
    // A version-1 store: the intensity tables, then the old runs table.
    auto intensity = intensity::IntensityStore::open(path());
    ASSERT_TRUE(intensity) << intensity.error().message;
    ASSERT_EQ(sqlite3_exec(intensity->connection(), kLayout1Runs, nullptr, nullptr, nullptr), SQLITE_OK);
    // Rows as the old insert wrote them: one scheduled, one not.
    auto scheduled = run("20260301T100000Z-aaaaaa", "bert", "training", 100, 60.0);
    auto section = schedule_summary_from_json(greenrun::testing::kScheduleSection);
    ASSERT_TRUE(section);
    scheduled.schedule = *section;
    for (const RunRecord& r : {scheduled, run("20260301T100000Z-bbbbbb", "vit", "", 50, 1.0)}) {
      sqlite3_stmt* st = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(intensity->connection(),
                                   "INSERT INTO runs (id, project, phase, started, duration_s, exit_status, zone, "
                                   "job_energy_j, machine_energy_j, method, emissions_g, record) "
                                   "VALUES (?, ?, ?, '2026-03-01T10:00:00Z', 300, 0, 'DE', ?, ?, 'estimated', ?, ?)",
                                   -1, &st, nullptr),
                SQLITE_OK);
      const std::string record = to_json(r, -1);
      sqlite3_bind_text(st, 1, r.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, r.project.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, r.phase.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(st, 4, r.job_energy().joules());
      sqlite3_bind_double(st, 5, r.machine_energy().joules());
      sqlite3_bind_double(st, 6, r.average->job.grams());
      sqlite3_bind_text(st, 7, record.c_str(), -1, SQLITE_TRANSIENT);
      EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
      sqlite3_finalize(st);
    }
  }
  ASSERT_EQ(user_version(path()), 1);
  auto store = RunStore::open(path());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(user_version(path()), 3);  // the current store schema
  auto rows = store->rows();
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "20260301T100000Z-bbbbbb");
  EXPECT_FALSE((*rows)[0].schedule_mode);
  EXPECT_EQ((*rows)[1].schedule_mode, "pause-resume");
  auto groups = store->summary("project");
  ASSERT_TRUE(groups) << groups.error().message;
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].key, "bert");
  EXPECT_EQ((*groups)[0].scheduled_runs, 1u);
  EXPECT_DOUBLE_EQ((*groups)[0].scheduling_avoided.grams(), 114);
  EXPECT_EQ((*groups)[1].scheduled_runs, 0u);
  auto runs = store->list();
  ASSERT_TRUE(runs) << runs.error().message;
  EXPECT_EQ(runs->size(), 2u);
  // Opening again finds the new layout and changes nothing.
  ASSERT_TRUE(RunStore::open(path()));
  EXPECT_EQ(store->rows()->size(), 2u);
}

uint64_t test_seed() { return greenrun::testing::property_seed(); }

// Property: any byte string given as an argument (or as project, phase or
// --out folder) round-trips through run.json and the store: the escaped form
// recorded decodes back to the same bytes. GREENRUN_TEST_SEED replays a run.
TEST_F(RunStoreTest, AnyBytesRoundTripThroughRunJsonAndTheStore) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("GREENRUN_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto bytes = [&] {
    std::string s(std::uniform_int_distribution<size_t>(0, 12)(rng), '\0');
    for (char& c : s) {
      const int kind = std::uniform_int_distribution<int>(0, 3)(rng);
      c = kind == 0   ? "\\xf0a\n"[std::uniform_int_distribution<int>(0, 4)(rng)]
          : kind == 1 ? static_cast<char>(std::uniform_int_distribution<int>(0x80, 0xff)(rng))
                      : static_cast<char>(std::uniform_int_distribution<int>(1, 0xff)(rng));
    }
    return s;
  };
  auto store = RunStore::open(path());
  ASSERT_TRUE(store) << store.error().message;
  // Few rows, many strings each: a store insert costs far more than a string.
  for (int i = 0; i < 40; ++i) {
    RunRecord r = run("run-" + std::to_string(i), bytes(), bytes(), 10, 1.0);
    r.command = {"printf", bytes(), bytes(), bytes(), bytes(), bytes(), bytes(), bytes()};
    r.out_dir = "/tmp/" + bytes();
    r.hostname = bytes();
    std::string text;
    ASSERT_NO_THROW(text = to_json(r));
    auto from_file = run_record_from_json(text);
    ASSERT_TRUE(from_file) << from_file.error().message;
    ASSERT_TRUE(store->insert(r));
    auto from_store = store->get(r.id);
    ASSERT_TRUE(from_store) << from_store.error().message;
    for (const RunRecord* back : {&*from_file, &*from_store}) {
      ASSERT_EQ(back->command, r.command) << text;
      ASSERT_EQ(back->project, r.project) << text;
      ASSERT_EQ(back->phase, r.phase) << text;
      ASSERT_EQ(back->out_dir, r.out_dir) << text;
      ASSERT_EQ(back->hostname, r.hostname) << text;
    }
  }
}

TEST(RunRecord, IdsSortByTime) {
  const auto t = *parse_utc("2026-11-27T13:15:00Z");
  EXPECT_EQ(make_run_id(t, 0xabcdef), "20261127T131500Z-abcdef");
}

}  // namespace
}  // namespace greenrun::runner
