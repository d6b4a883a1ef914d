// `greenrun runs list|show|summary` for carbon-aware runs: in-process on a
// store holding a known schedule (exact text), and after a scheduled run
// that the engine recorded on a fake clock with a simulated job.
#include <algorithm>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sstream>

#include "cli.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "intensity/store.h"
#include "runner/codecarbon_csv.h"
#include "runner/run_store.h"
#include "runner/sensor_setup.h"
#include "sensors/fake/fake_sensor.h"
#include "testing/engine_fakes.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"
#include "testing/schedule_section.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string fmt_intensity(double g_per_kwh) {
  char buf[32];
  std::snprintf(buf, sizeof buf, " %.0f ", g_per_kwh);
  return buf;
}

class RunsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-runs-cmd"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string store() const { return (dir_ / "greenrun.db").string(); }

  runner::RunRecord record(const std::string& id, const std::string& started, bool scheduled) {
    runner::RunRecord r;
    r.id = id;
    r.project = "bert";
    r.phase = "training";
    r.command = {"python3", "train.py"};
    r.started = *parse_utc(started);
    r.duration = 4h;
    r.ended = r.started + r.duration;
    r.zone = "DE";
    r.zone_source = "--zone";
    r.sensors = "fake";
    r.components.push_back(
        {sensors::Component::kCpu, Energy::joules(3e6), Energy::joules(2.16e6), sensors::Method::kSimulated, {}});
    r.average = runner::EmissionsFigure{"average-lifecycle", Mass::grams(150), CarbonIntensity::grams_per_kwh(250),
                                        "store: test DE", 1.0};
    if (scheduled) {
      auto s = runner::schedule_summary_from_json(greenrun::testing::kScheduleSection);
      EXPECT_TRUE(s) << s.error().message;
      if (s) r.schedule = std::move(*s);
    }
    return r;
  }
  void insert(const runner::RunRecord& r) {
    auto s = runner::RunStore::open(store());
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->insert(r));
  }
  std::string cli(const std::vector<std::string>& args, int expected_status = 0) {
    std::vector<std::string> full = {"greenrun", "--store", store()};
    full.insert(full.end(), args.begin(), args.end());
    std::ostringstream out, err;
    EXPECT_EQ(run_cli(full, out, err), expected_status) << err.str();
    return out.str();
  }
  static std::string line_with(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.find(needle) != std::string::npos) return line;
    return "";
  }
  // The first line at or after `pos` holding `needle`; `pos` moves past it,
  // so events that share a timestamp are matched to their rows in order.
  static std::string next_line_with(const std::string& text, const std::string& needle, size_t& pos) {
    for (size_t at = pos; at < text.size();) {
      const size_t end = std::min(text.find('\n', at), text.size());
      const std::string line = text.substr(at, end - at);
      at = end + 1;
      if (line.find(needle) != std::string::npos) {
        pos = at;
        return line;
      }
    }
    return "";
  }

  fs::path dir_;
};

// `runs list` and `runs summary` read the typed columns only: a row whose
// record does not parse still lists and sums (issue 9: no JSON per row).
TEST_F(RunsCommandTest, ListAndSummaryReadTheTypedColumnsNotTheRecords) {
  insert(record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", true));
  insert(record("20230102T000000Z-bbbbbb", "2023-01-02T00:00:00Z", false));
  {
    auto s = intensity::IntensityStore::open(store());
    ASSERT_TRUE(s);
    ASSERT_EQ(sqlite3_exec(s->connection(), "UPDATE runs SET record = '{'", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  const std::string list = cli({"runs", "list"});
  EXPECT_NE(line_with(list, "20230101T000000Z-aaaaaa").find("pause-resume, 63% less"), std::string::npos) << list;
  EXPECT_NE(line_with(list, "20230102T000000Z-bbbbbb").find("simulated"), std::string::npos) << list;
  const auto sum = nlohmann::json::parse(cli({"runs", "summary", "--json"}));
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0]["runs"], 2);
  EXPECT_EQ(sum[0]["weakest_method"], "simulated");
  EXPECT_EQ(sum[0]["scheduled_runs"], 1);
  EXPECT_DOUBLE_EQ(sum[0]["scheduling_avoided_g"].get<double>(), 114);
  EXPECT_DOUBLE_EQ(sum[0]["emissions_g"].get<double>(), 300);
  // `show` does need the record, and says which row is bad.
  cli({"runs", "show", "20230101T000000Z-aaaaaa"}, 1);
}

TEST_F(RunsCommandTest, ShowPrintsTheScheduleBlockWithEveryEventAndTheSaving) {
  insert(record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", true));
  const std::string out = cli({"runs", "show", "20230101T000000Z-a"});
  EXPECT_NE(out.find("  Schedule: pause-resume (stop)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    forecast used: forecast from the store (test-forecast, issued 2022-12-31T23:00:00Z)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    deadline: 2023-01-01T06:00:00Z, met\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    waited 1h before the start, 1 pause (1h paused), run time 2h, time added 2h\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    emissions: 66.0 g CO2e against 180.0 g had it run at once: 63.3 % less (114.0 g "
                     "avoided)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("coverage 100 %; 1 replan)"), std::string::npos) << out;
  EXPECT_NE(out.find("    time (UTC)               event        g/kWh  work done  note\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    2023-01-01T02:00:00Z     pause          400         1h  paused until 2023-01-01T03:00:00Z "
                     "(SIGSTOP to process group 4242)\n"),
            std::string::npos)
      << out;
  // The last event has no intensity (a gap in the series).
  EXPECT_NE(out.find("    2023-01-01T04:00:00Z     exit             -         2h  the job exited with status 0\n"),
            std::string::npos)
      << out;
  for (const char* kind : {" wait ", " start ", " pause ", " resume ", " exit "})
    EXPECT_NE(line_with(out, kind), "") << kind;
}

TEST_F(RunsCommandTest, ShowSaysWhenTheScheduleCostEmissionsOrMissedItsDeadline) {
  auto r = record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", false);
  auto j = ordered_json::parse(greenrun::testing::kScheduleSection);
  j["emissions_g"] = 270.0;
  j["deadline_met"] = false;
  j["guard_engaged"] = true;
  j["forecast"]["label"] = "typical profile, not a forecast (embedded-typical)";
  auto s = runner::schedule_summary_from_json(j.dump());
  ASSERT_TRUE(s) << s.error().message;
  r.schedule = *s;
  insert(r);
  const std::string out = cli({"runs", "show", r.id});
  EXPECT_NE(out.find("forecast used: typical profile, not a forecast (embedded-typical)"), std::string::npos) << out;
  EXPECT_NE(out.find("deadline: 2023-01-01T06:00:00Z, MISSED"), std::string::npos) << out;
  EXPECT_NE(out.find("deadline guard"), std::string::npos) << out;
  EXPECT_NE(out.find("against 180.0 g had it run at once: 50.0 % more (90.0 g added)"), std::string::npos) << out;
}

TEST_F(RunsCommandTest, ShowJsonIncludesTheSectionAndARunWithoutOneShowsNoBlock) {
  insert(record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", true));
  insert(record("20230102T000000Z-bbbbbb", "2023-01-02T00:00:00Z", false));
  const auto j = ordered_json::parse(cli({"runs", "show", "20230101T000000Z-aaaaaa", "--json"}));
  ASSERT_TRUE(j.contains("schedule"));
  EXPECT_EQ(j["schedule"].dump(), ordered_json::parse(greenrun::testing::kScheduleSection).dump());
  const std::string plain = cli({"runs", "show", "20230102T000000Z-bbbbbb"});
  EXPECT_EQ(plain.find("Schedule"), std::string::npos) << plain;
  EXPECT_FALSE(ordered_json::parse(cli({"runs", "show", "20230102T000000Z-bbbbbb", "--json"})).contains("schedule"));
  const auto list = ordered_json::parse(cli({"runs", "list", "--json"}));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_FALSE(list[0].contains("schedule"));
  EXPECT_EQ(list[1]["schedule"]["at_once_g"], 180.0);
}

TEST_F(RunsCommandTest, ListMarksScheduledRuns) {
  insert(record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", true));
  insert(record("20230102T000000Z-bbbbbb", "2023-01-02T00:00:00Z", false));
  const std::string out = cli({"runs", "list"});
  EXPECT_NE(line_with(out, "id ").find("schedule"), std::string::npos) << out;
  const std::string scheduled = line_with(out, "20230101T000000Z-aaaaaa");
  EXPECT_NE(scheduled.find("pause-resume, 63% less"), std::string::npos) << out;
  const std::string plain = line_with(out, "20230102T000000Z-bbbbbb");
  EXPECT_EQ(plain.find("pause-resume"), std::string::npos) << out;
  EXPECT_EQ(plain.back(), '-') << out;
}

TEST_F(RunsCommandTest, RunsWithoutEmissionsAreUnknownNeverZero) {
  auto r = record("20230101T000000Z-bbbbbb", "2023-01-01T00:00:00Z", false);
  r.project = "nopriced";
  r.average.reset();  // emissions not computed
  insert(r);
  const std::string out = cli({"runs", "summary"});
  EXPECT_NE(line_with(out, "nopriced").find("unknown"), std::string::npos) << out;
  EXPECT_EQ(line_with(out, "nopriced").find(" 0 g"), std::string::npos) << out;
  EXPECT_NE(out.find("note: 1 of 1 run have no emissions (unknown, not counted as 0 g in CO2e)"), std::string::npos)
      << out;
  const std::string csv = runner::codecarbon_row(r);
  // The emissions and emissions_rate cells (6th and 7th) are empty, not 0.
  std::vector<std::string> cells;
  size_t at = 0;
  for (int i = 0; i < 7; ++i) {
    const size_t comma = csv.find(',', at);
    cells.push_back(csv.substr(at, comma - at));
    at = comma + 1;
  }
  EXPECT_EQ(cells[5], "") << csv;
  EXPECT_EQ(cells[6], "") << csv;
}

TEST_F(RunsCommandTest, SummaryTotalsEmissionsAvoidedByScheduling) {
  insert(record("20230101T000000Z-bbbbbb", "2023-01-01T00:00:00Z", false));
  EXPECT_EQ(cli({"runs", "summary"}).find("scheduling:"), std::string::npos);
  insert(record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", true));
  insert(record("20230102T000000Z-cccccc", "2023-01-02T00:00:00Z", true));
  const std::string out = cli({"runs", "summary"});
  EXPECT_NE(out.find("scheduling: 2 of 3 runs carbon-aware; 228.0 g CO2e avoided against running them at once "
                     "(computed on the forecast or series each schedule used, not on measured intensity)\n"),
            std::string::npos)
      << out;
  const auto j = ordered_json::parse(cli({"runs", "summary", "--json"}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["scheduled_runs"], 2);
  EXPECT_DOUBLE_EQ(j[0]["scheduling_avoided_g"].get<double>(), 228);
}

// A scheduled run recorded by the engine (greenrun/engine.h) on a fake
// clock with a simulated job, then `runs show`, `runs list` and `runs
// summary` on the store it was recorded in. The schedule is exact whatever
// the machine's load: no real clock is sped up.
TEST_F(RunsCommandTest, AScheduledRunIsShownWithItsEventsAndSaving) {
  // Forecast from 00:00: clean, dirty, clean, ... The run starts at 00:30
  // with 30 min of the clean hour left and 48 min of work.
  const UtcTime midnight = *parse_utc("2026-11-30T00:00:00Z");
  intensity::IntensitySeries f("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  f.set_provenance({"test-forecast", "runs_command_test", ""});
  for (int i = -2; i < 30; ++i)
    ASSERT_TRUE(f.append(midnight + std::chrono::hours(i), 1h,
                         CarbonIntensity::grams_per_kwh(i % 2 == 0 ? 100 : 900)));
  {
    auto s = intensity::IntensityStore::open(store());
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(s->import({f}));
  }
  greenrun::testing::FakeClock clock(midnight + 30min);
  greenrun::testing::ProcTree proc;
  proc.set_machine(1000, 500, 10000);
  proc.set_process(4242, 1, 10, 5);
  proc.set_cpuinfo(greenrun::testing::xeon_6148_two_sockets_cpuinfo());
  proc.set_meminfo(16 * 1024 * 1024);
  std::vector<UtcTime> starts;
  engine::Services services;
  services.clock = &clock;
  services.store_path = store();
  services.procfs_root = proc.root();
  services.env = [](std::string_view) { return std::optional<std::string>{}; };
  services.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
    runner::SensorSetup setup;
    setup.sensors.push_back(std::make_unique<sensors::FakeSensor>(now));
    setup.label = "fake";
    return setup;
  };
  services.jobs = [&](const engine::JobSpec&, Clock& c, const runner::ScaledClock*) {
    return std::make_unique<greenrun::testing::SimulatedJob>(c, 48min, &starts, &proc, 1min);
  };
  engine::RunRequest req;
  req.command = {"python3", "train.py"};
  req.zone = "DE";
  req.sensors = "fake";
  req.interval = 60s;
  req.out_dir = (dir_ / "out").string();
  engine::ExecutionRequest ex;
  ex.mode = scheduling::Mode::kPauseResume;
  ex.expected_duration = 1h;
  ex.max_delay = engine::Delay{std::nullopt, 200.0};
  ex.forecast.provider = "store";
  req.execution = ex;
  greenrun::testing::Recorder events;
  auto outcome = engine::run(req, services, events);
  ASSERT_TRUE(outcome) << outcome.error().message;
  ASSERT_FALSE(outcome->spawn_error);
  ASSERT_EQ(outcome->exit_status(), 0);
  // The job ran the rest of the clean hour, paused through the dirty one and
  // finished in the next clean one.
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(format_utc(starts[0]), "2026-11-30T00:30:00Z");
  EXPECT_EQ(format_utc(starts[1]), "2026-11-30T02:00:00Z");

  std::ifstream run_json(fs::path(outcome->record.out_dir) / "run.json");
  const auto record = ordered_json::parse(run_json);
  ASSERT_TRUE(record.contains("schedule")) << record.dump(2);
  const auto& s = record["schedule"];
  const std::string id = record["id"];
  EXPECT_GT(s["at_once_g"].get<double>(), 0) << "the busy job should have had energy";

  // The store kept the same section.
  const auto shown = ordered_json::parse(cli({"runs", "show", id, "--json"}));
  EXPECT_EQ(shown["schedule"], s);

  const std::string out = cli({"runs", "show", id});
  EXPECT_NE(out.find("  Schedule: pause-resume (stop)"), std::string::npos) << out;
  EXPECT_NE(out.find("forecast used: forecast from the store"), std::string::npos) << out;
  // Exactly these events, each with its row, in order: time, kind, intensity.
  std::vector<std::string> kinds;
  for (const auto& e : s["events"]) kinds.push_back(e["event"].get<std::string>());
  EXPECT_EQ(kinds, (std::vector<std::string>{"start", "pause", "resume", "exit"})) << s["events"].dump(2);
  size_t pos = out.find("Schedule:");
  for (const auto& e : s["events"]) {
    const std::string row = next_line_with(out, e["time"].get<std::string>(), pos);
    ASSERT_NE(row, "") << e.dump() << "\n" << out;
    EXPECT_NE(row.find(" " + e["event"].get<std::string>() + " "), std::string::npos) << row;
    if (e["intensity_g_per_kwh"].is_number()) {
      EXPECT_NE(row.find(fmt_intensity(e["intensity_g_per_kwh"].get<double>())), std::string::npos) << row;
    }
  }
  // The saving as recorded: X % less/more against running at once.
  const double at_once = s["at_once_g"], realised = s["emissions_g"];
  char pct[64];
  std::snprintf(pct, sizeof pct, "%.1f %% %s", std::abs(100 * (at_once - realised) / at_once),
                at_once >= realised ? "less" : "more");
  EXPECT_NE(line_with(out, "had it run at once").find(pct), std::string::npos) << pct << "\n" << out;
  // At constant power: 48 min at 100 g/kWh against 30 min at 100 and 18 min
  // at 900 had it run at once, 75 % less (within the sampling grain: the
  // job's CPU time is read once a minute).
  EXPECT_NEAR(100 * (at_once - realised) / at_once, 75.0, 2.0) << s.dump(2);

  const std::string list = cli({"runs", "list"});
  EXPECT_NE(line_with(list, id).find("pause-resume, "), std::string::npos) << list;
  EXPECT_NE(cli({"runs", "summary"}).find("scheduling: 1 of 1 run carbon-aware"), std::string::npos);
}

TEST_F(RunsCommandTest, FiltersByPhaseAndDateWritesCsvAndTotalsByMonthAndZone) {
  auto jan = record("20230101T000000Z-aaaaaa", "2023-01-01T00:00:00Z", false);
  jan.phase = "train";
  auto feb = record("20230201T000000Z-bbbbbb", "2023-02-01T00:00:00Z", false);
  feb.phase = "eval";
  auto unpriced = record("20230202T000000Z-cccccc", "2023-02-02T00:00:00Z", false);
  unpriced.phase = "eval";
  unpriced.zone = "FR";
  unpriced.average.reset();
  insert(jan);
  insert(feb);
  insert(unpriced);

  const std::string eval = cli({"runs", "list", "--phase", "eval"});
  EXPECT_EQ(eval.find("aaaaaa"), std::string::npos) << eval;
  EXPECT_NE(eval.find("bbbbbb"), std::string::npos) << eval;
  EXPECT_NE(line_with(eval, "cccccc").find("unknown"), std::string::npos) << eval;

  const std::string since = cli({"runs", "list", "--since", "2023-01-15", "--until", "2023-02-02"});
  EXPECT_EQ(since.find("aaaaaa"), std::string::npos) << since;
  EXPECT_NE(since.find("bbbbbb"), std::string::npos) << since;
  EXPECT_EQ(since.find("cccccc"), std::string::npos) << since;

  const std::string csv = cli({"runs", "list", "--csv"});
  EXPECT_EQ(csv.rfind("id,started,project,phase,duration_s,", 0), 0u) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;
  // The unpriced run's emissions cell is empty, never 0.
  const std::string row = line_with(csv, "cccccc");
  EXPECT_NE(row.find(",simulated,,"), std::string::npos) << row;

  const std::string months = cli({"runs", "summary", "--by", "month", "--csv"});
  EXPECT_EQ(months.rfind("month,runs,", 0), 0u) << months;
  EXPECT_NE(months.find("\n2023-01,1,"), std::string::npos) << months;
  EXPECT_NE(months.find("\n2023-02,2,"), std::string::npos) << months;
  const std::string zones = cli({"runs", "summary", "--by", "zone"});
  EXPECT_NE(zones.find("FR"), std::string::npos) << zones;
  EXPECT_NE(line_with(zones, "FR").find("unknown"), std::string::npos) << zones;

  cli({"runs", "list", "--since", "yesterday"}, 2);
  cli({"runs", "list", "--json", "--csv"}, 2);
  cli({"runs", "summary", "--by", "weekday"}, 2);
}

}  // namespace
}  // namespace greenrun::cli
