#include "greenrun/runner/run_record.h"
#include "runner/codecarbon_csv.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "testing/paths.h"
#include "testing/schedule_section.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;
using greenrun::testing::kScheduleSection;

RunRecord measured_run() {
  RunRecord r;
  r.id = "20230101T000000Z-abcdef";
  r.project = "bert";
  r.phase = "training";
  r.command = {"python3", "train.py"};
  r.started = *parse_utc("2023-01-01T00:00:00Z");
  r.ended = *parse_utc("2023-01-01T04:00:00Z");
  r.duration = std::chrono::hours(4);
  r.zone = "DE";
  r.zone_source = "--zone";
  r.sensors = "fake";
  r.components.push_back({sensors::Component::kCpu, Energy::joules(3e6), Energy::joules(2.16e6),
                          sensors::Method::kSimulated, {"cpu"}});
  r.average = EmissionsFigure{"average-lifecycle", Mass::grams(150), CarbonIntensity::grams_per_kwh(250), "store: test DE", 1.0};
  r.flexible_start.reason = "no stored data for the 24 h after the start";
  return r;
}

// A record written before run.json had a schedule section.
constexpr const char* kOldRunJson = R"({
  "id": "20260301T100000Z-aaaaaa", "project": "", "phase": "", "command": ["true"],
  "started": "2026-03-01T10:00:00Z", "ended": "2026-03-01T10:00:01Z", "duration_s": 1.0, "exit_status": 0,
  "zone": "", "zone_source": "world average", "sensors": "estimate", "simulated": false, "sensor_notes": [],
  "components": [{"component": "cpu", "machine_j": 10.0, "job_j": 1.0, "method": "estimated", "devices": []}],
  "machine_energy_j": 10.0, "job_energy_j": 1.0, "method": "estimated", "pue": 1.0,
  "flexible_start": {"computed": false, "reason": "no zone"},
  "interval_s": 1.0, "intervals": 1, "dropped_deadlines": 0, "warnings": [], "out_dir": "/tmp/x",
  "host": {"cpu_model": "", "cpu_count": 2, "ram_total_gb": 4.0, "gpu_model": "", "gpu_count": 0}
})";

TEST(RunRecord, TheScheduleRoundTripsThroughRunJsonExactly) {
  RunRecord r = measured_run();
  auto s = schedule_summary_from_json(kScheduleSection);
  ASSERT_TRUE(s) << s.error().message;
  r.schedule = std::move(*s);
  const std::string text = to_json(r);
  // Written under "schedule", key for key as the executor produced it.
  EXPECT_EQ(ordered_json::parse(text)["schedule"].dump(), ordered_json::parse(kScheduleSection).dump());
  auto back = run_record_from_json(text);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->schedule);
  EXPECT_EQ(*back->schedule, *r.schedule);
  EXPECT_EQ(back->schedule->mode, "pause-resume");
  EXPECT_EQ(back->schedule->events.size(), 5u);
  EXPECT_DOUBLE_EQ(back->schedule->saving().grams(), 114);
  EXPECT_EQ(to_json(*back), text);
  EXPECT_EQ(to_json(*back, -1), to_json(r, -1));
}

TEST(RunRecord, ARecordWithoutAScheduleLoadsAndWritesNone) {
  auto old = run_record_from_json(kOldRunJson);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_FALSE(old->schedule);
  EXPECT_FALSE(ordered_json::parse(to_json(*old)).contains("schedule"));
  RunRecord r = measured_run();
  EXPECT_FALSE(ordered_json::parse(to_json(r)).contains("schedule"));
  // "schedule": null is read as no schedule.
  auto j = ordered_json::parse(kOldRunJson);
  j["schedule"] = nullptr;
  auto with_null = run_record_from_json(j.dump());
  ASSERT_TRUE(with_null) << with_null.error().message;
  EXPECT_FALSE(with_null->schedule);
}

TEST(RunRecord, ABadScheduleIsAnErrorNamingItsJsonPath) {
  auto j = ordered_json::parse(kOldRunJson);
  j["schedule"] = ordered_json::parse(kScheduleSection);
  j["schedule"]["events"][1]["time"] = "yesterday";
  auto r = run_record_from_json(j.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, R"(run record: $.schedule.events[1].time: expected a UTC time, got "yesterday")");
  j["schedule"] = "pause-resume";
  r = run_record_from_json(j.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "run record: $.schedule: expected a JSON object");
}

TEST(RunRecord, RunJsonIsVersionedAndSaysWhoWroteItWhere) {
  RunRecord r = measured_run();
  r.hostname = "node-7";
  r.cpu_model = "AMD EPYC 7763";
  r.cpu_count = 128;
  r.gpu_model = "NVIDIA H100";
  r.gpu_count = 4;
  const auto j = ordered_json::parse(to_json(r));
  EXPECT_EQ(j.begin().key(), "schema");
  EXPECT_EQ(j["schema"], "greenrun.run/1");
  EXPECT_EQ(j["greenrun_version"], std::string(greenrun_version()));
  EXPECT_FALSE(greenrun_version().empty());
  EXPECT_EQ(j["host"]["hostname"], "node-7");
  EXPECT_EQ(j["host"]["gpu_count"], 4);
  EXPECT_EQ(j["project"], "bert");
  EXPECT_EQ(j["exit_status"], 0);
  EXPECT_FALSE(j.contains("escaped"));
  auto back = run_record_from_json(j.dump());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->hostname, "node-7");
  EXPECT_EQ(back->greenrun_version, greenrun_version());
  EXPECT_EQ(back->interval, r.interval);
  EXPECT_DOUBLE_EQ(back->average->mean_intensity.grams_per_kwh(), 250);
}

TEST(RunRecord, AnotherSchemaIsRefusedNamingThePath) {
  auto j = ordered_json::parse(to_json(measured_run()));
  j["schema"] = "greenrun.run/2";
  auto r = run_record_from_json(j.dump());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, R"(run record: $.schema: expected "greenrun.run/1", got "greenrun.run/2")");
  // A record from before run.json was versioned has no schema and loads.
  auto old = run_record_from_json(kOldRunJson);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->greenrun_version, "");
}

TEST(RunRecord, BadFieldsAreErrorsNamingTheirJsonPath) {
  const auto base = ordered_json::parse(kOldRunJson);
  auto expect_error = [&](auto edit, const std::string& message) {
    auto j = base;
    edit(j);
    auto r = run_record_from_json(j.dump());
    ASSERT_FALSE(r) << j.dump();
    EXPECT_EQ(r.error().message, message);
  };
  expect_error([](ordered_json& j) { j["components"][0]["machine_j"] = "ten"; },
               R"(run record: $.components[0].machine_j: expected a number, got "ten")");
  expect_error([](ordered_json& j) { j["components"][0]["method"] = "guessed"; },
               R"(run record: $.components[0].method: expected measured, integrated, estimated or simulated, got "guessed")");
  expect_error([](ordered_json& j) { j["command"][0] = 1; }, "run record: $.command[0]: expected a string, got 1");
  expect_error([](ordered_json& j) { j["host"]["cpu_count"] = 2.5; },
               "run record: $.host.cpu_count: expected an integer, got 2.5");
  expect_error([](ordered_json& j) { j["started"] = "noon"; },
               R"(run record: $.started: expected a UTC time, got "noon")");
  expect_error([](ordered_json& j) { j.erase("id"); }, "run record: $.id: expected a string, got nothing");
  expect_error([](ordered_json& j) { j["escaped"] = ordered_json::array({"zone"}); },
               R"(run record: $.escaped[0]: expected command, project, phase, out_dir or host.hostname, got "zone")");
  expect_error(
      [](ordered_json& j) {
        j["escaped"] = ordered_json::array({"command"});
        j["command"][0] = "a\\q";
      },
               R"(run record: $.command[0]: at byte 1: expected \\ or \xHH after a backslash)");
  EXPECT_EQ(run_record_from_json("[]").error().message, "run record: $: expected a JSON object");
}

TEST(RunRecord, BytesThatAreNotUtf8AreRecordedEscapedAndNeverThrow) {
  RunRecord r = measured_run();
  r.command = {"printf", "ok\xff\n", "a\\b"};
  r.out_dir = "/tmp/runs/\xfe";
  r.warnings = {"cannot read /proc/\xff"};  // not a byte field: replaced, not fatal
  std::string text;
  ASSERT_NO_THROW(text = to_json(r));
  const auto j = ordered_json::parse(text);
  EXPECT_EQ(j["command"], ordered_json({"printf", "ok\\xff\n", "a\\\\b"}));
  EXPECT_EQ(j["out_dir"], "/tmp/runs/\\xfe");
  EXPECT_EQ(j["escaped"], ordered_json({"command", "out_dir"}));
  EXPECT_EQ(j["project"], "bert");  // valid: as it is
  auto back = run_record_from_json(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->command, r.command);
  EXPECT_EQ(back->out_dir, r.out_dir);
  EXPECT_EQ(back->project, r.project);
  EXPECT_EQ(back->warnings.size(), 1u);
  // The CSV row does not throw either.
  EXPECT_NO_THROW((void)codecarbon_row(r));
  EXPECT_NO_THROW((void)greenrun_runs_row(r));
}

// Records written by greenrun before the record was typed (fake sensors,
// zone DE: one with PUE 1.2 and an embodied line, one Flexible Start run with
// its schedule section) read back into the typed record and write the same
// bytes (tests/runner/fixtures/run_v1_*.json).
TEST(RunRecord, RecordsWrittenBeforeTheRecordWasTypedWriteBackTheSameBytes) {
  for (const char* name : {"run_v1_pue_embodied.json", "run_v1_flexible_start.json"}) {
    SCOPED_TRACE(name);
    std::string text = greenrun::testing::read_file(greenrun::testing::source_dir() / "tests/runner/fixtures" / name);
    ASSERT_FALSE(text.empty());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    auto r = run_record_from_json(text);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->emissions_job);
    ASSERT_TRUE(r->emissions_machine);
    EXPECT_GT(r->emissions_job->breakdown.energy.joules(), 0);
    // to_json writes this greenrun's version; the rest is the file's.
    const std::string version = "\"greenrun_version\": \"" + r->greenrun_version + "\"";
    const size_t at = text.find(version);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, version.size(), "\"greenrun_version\": \"" + std::string(greenrun_version()) + "\"");
    EXPECT_EQ(to_json(*r), text);
  }
  auto flexible = run_record_from_json(
      greenrun::testing::read_file(greenrun::testing::source_dir() / "tests/runner/fixtures/run_v1_flexible_start.json"));
  ASSERT_TRUE(flexible);
  ASSERT_TRUE(flexible->schedule);
  EXPECT_EQ(flexible->schedule->mode, "flexible");
  ASSERT_TRUE(flexible->schedule->planned);
  EXPECT_TRUE(flexible->schedule->planned->power);
}

}  // namespace
}  // namespace greenrun::runner
