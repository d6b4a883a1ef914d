// A Flexible Start run planned on a live provider's forecast (the UK Carbon
// Intensity API's shape, served on loopback), through engine::run on a fake
// clock with a simulated job: the CLI's end-to-end version ran the schedule
// 7,200x faster than real time, so a loaded machine could push the job out of
// the clean hours. Here the start is exact.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "greenrun/intensity_fetch.h"
#include "intensity/store.h"
#include "runner/sensor_setup.h"
#include "sensors/fake/fake_sensor.h"
#include "sensors/fake_trees.h"
#include "testing/engine_fakes.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;

// "2026-11-27T16:00Z" as the UK API writes times.
std::string uk_time(UtcTime t) { return format_utc(t).substr(0, 16) + "Z"; }

// The UK API's forward answer: half-hours from the path's start time,
// 48 (fw24h) or 96 (fw48h) of them, valued by `value`.
Reply uk_forward(const ServedRequest& req, const std::function<double(UtcTime)>& value) {
  const std::string rest = req.path.substr(std::string("/intensity/").size());
  const size_t slash = rest.find('/');
  auto from = parse_utc(rest.substr(0, slash));
  if (!from) return Reply::json(R"({"error":{"code":"400","message":"bad time"}})", 400);
  const int n = rest.substr(slash + 1) == "fw24h" ? 48 : 96;
  nlohmann::json data = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    const UtcTime a = *from + i * 30min;
    data.push_back({{"from", uk_time(a)},
                    {"to", uk_time(a + 30min)},
                    {"intensity", {{"forecast", value(a)}, {"actual", nullptr}, {"index", "moderate"}}}});
  }
  return Reply::json(nlohmann::json{{"data", data}}.dump());
}

// Was LiveForecastTest.FlexibleStartPlansOnTheFetchedForecastAndCachesIt.
TEST(EngineLiveForecastRun, FlexibleStartPlansOnTheFetchedForecastAndCachesIt) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-engine-live-run");
  const UtcTime hour = *parse_utc("2026-11-30T10:00:00Z");
  // Dirty until hour + 2 h, clean for three hours, dirty after.
  const UtcTime clean = hour + 2h;
  LoopbackServer server([&](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/"))
      return uk_forward(req, [&](UtcTime t) { return t >= clean && t < clean + 3h ? 40.0 : 400.0; });
    return Reply::json("{}", 404);
  });
  greenrun::testing::FakeClock clock(hour + 10min);
  greenrun::testing::ProcTree proc;
  proc.set_machine(1000, 500, 10000);
  proc.set_process(4242, 1, 10, 5);
  proc.set_cpuinfo(greenrun::testing::xeon_6148_two_sockets_cpuinfo());
  proc.set_meminfo(16 * 1024 * 1024);
  std::vector<UtcTime> starts;
  Services services;
  services.clock = &clock;
  services.store_path = (dir / "greenrun.db").string();
  services.procfs_root = proc.root();
  const std::string base_url = server.base_url();
  services.env = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "GREENRUN_UK_BASE_URL") return base_url;
    return std::nullopt;
  };
  services.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
    runner::SensorSetup s;
    s.sensors.push_back(std::make_unique<sensors::FakeSensor>(now));
    s.label = "fake";
    return s;
  };
  services.jobs = [&](const JobSpec&, Clock& c, const runner::ScaledClock*) {
    return std::make_unique<greenrun::testing::SimulatedJob>(c, 30min, &starts, &proc, 1min);
  };
  RunRequest req;
  req.command = {"sh", "-c", "work"};
  req.zone = "GB";
  req.sensors = "fake";
  req.interval = 60s;
  req.out_dir = (dir / "out").string();
  ExecutionRequest ex;
  ex.mode = scheduling::Mode::kFlexibleStart;
  ex.expected_duration = 30min;
  ex.start_within = 6h;
  ex.forecast.provider = "uk";
  req.execution = ex;
  greenrun::testing::Recorder events;
  auto out = run(req, services, events);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->exit_status(), 0);
  EXPECT_GE(server.request_count(), 1u);

  // Started at the clean block's opening, on the fetched forecast.
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0], clean) << format_utc(starts[0]);
  ASSERT_TRUE(out->record.schedule);
  const auto& s = *out->record.schedule;
  EXPECT_NE(s.forecast_label.find("uk forecast (GB, average-direct), fetched"), std::string::npos)
      << s.forecast_label;
  ASSERT_FALSE(s.events.empty());
  bool started = false;
  for (const auto& e : s.events) {
    if (e.kind != "start") continue;
    started = true;
    ASSERT_TRUE(e.intensity);
    EXPECT_DOUBLE_EQ(e.intensity->grams_per_kwh(), 40.0);
  }
  EXPECT_TRUE(started);
  EXPECT_EQ(s.waited, clean - (hour + 10min));
  EXPECT_LT(s.emissions.grams(), s.at_once.grams());
  // The plan says what power it assumed.
  EXPECT_TRUE(events.has(EventKind::kPlan, "power: 300.0 W (default: assumed, no --power given"));

  // The fetch is cached in the store for the next run and for `plan`.
  auto store = intensity::IntensityStore::open(services.store_path);
  ASSERT_TRUE(store) << store.error().message;
  auto f = store->load({"GB", intensity::Signal::kAverageDirect, intensity::Origin::kForecast}, hour, hour + 6h);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(f->covers(hour + 1h, hour + 6h)) << f->size() << " points";
  EXPECT_GE(f->size(), 10u);
  // Each fetch is kept as an issue, stamped with the (fake) clock's time of
  // the fetch: the first when the run began, later ones while it waited.
  auto issues = store->issues("GB", intensity::Signal::kAverageDirect, hour, hour + 6h);
  ASSERT_TRUE(issues) << issues.error().message;
  ASSERT_FALSE(issues->empty());
  EXPECT_EQ(issues->front().issued, hour + 10min) << format_utc(issues->front().issued);
  for (const auto& i : *issues) EXPECT_LE(i.issued, clean) << format_utc(i.issued);
  std::filesystem::remove_all(dir);
}

// engine::fetch_intensity: a UK forecast fetched into the store (or only
// summarised on a dry run); an unreachable provider is a failure that says
// what planning falls back to.
TEST(EngineIntensityFetch, FillsTheStoreAndExplainsTheFallbackWhenOffline) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-engine-fetch");
  LoopbackServer server([&](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/")) return uk_forward(req, [](UtcTime) { return 123.0; });
    return Reply::json("{}", 404);
  });
  greenrun::testing::FakeClock clock(*parse_utc("2026-11-30T10:10:00Z"));
  std::string base_url = server.base_url();
  Services services;
  services.clock = &clock;
  services.store_path = (dir / "greenrun.db").string();
  services.env = [&](std::string_view name) -> std::optional<std::string> {
    if (name == "GREENRUN_UK_BASE_URL") return base_url;
    if (name == "GREENRUN_CONFIG") return (dir / "none.toml").string();
    return std::nullopt;
  };
  IntensityFetchRequest q;
  q.fetch.provider = intensity::ProviderKind::kUk;
  q.fetch.horizon_hours = 24;
  q.dry_run = true;
  auto dry = fetch_intensity(q, services);
  ASSERT_TRUE(dry) << dry.error().message;
  ASSERT_FALSE(dry->failure) << *dry->failure;
  ASSERT_EQ(dry->series.size(), 1u);
  EXPECT_EQ(dry->series[0].points, 48u);
  EXPECT_FALSE(dry->stored);
  EXPECT_FALSE(std::filesystem::exists(services.store_path)) << "a dry run stores nothing";

  q.dry_run = false;
  auto stored = fetch_intensity(q, services);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_TRUE(stored->stored);
  EXPECT_EQ(stored->stored->inserted, 48u);
  auto store = intensity::IntensityStore::open(services.store_path);
  ASSERT_TRUE(store);
  auto f = store->load({"GB", intensity::Signal::kAverageDirect, intensity::Origin::kForecast},
                       clock.utc_now() - 1h, clock.utc_now() + 30h);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->size(), 48u);

  // Offline: the store now covers the next 24 h, which planning falls back to.
  base_url = "http://127.0.0.1:1";
  q.timeout = 5s;
  auto offline = fetch_intensity(q, services);
  ASSERT_TRUE(offline) << offline.error().message;
  ASSERT_TRUE(offline->failure);
  ASSERT_TRUE(offline->fallback_note);
  EXPECT_NE(offline->fallback_note->find("the store covers"), std::string::npos) << *offline->fallback_note;
  EXPECT_FALSE(offline->stored);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::engine
