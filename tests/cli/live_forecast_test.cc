// Live forecasts end to end: `greenrun intensity fetch` and carbon-aware
// `greenrun run --forecast-provider` against a real HTTP server on loopback
// that answers in the UK Carbon Intensity API's and WattTime's documented
// shapes (../shared/reference/formats.md). The runs are real processes of the
// built binary under a time scale; the server runs in the test process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/time_format.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/loopback_server.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;

// "2026-11-27T16:00Z" as the UK API writes times.
std::string uk_time(UtcTime t) {
  std::string s = format_utc(t);  // 2026-11-27T16:00:00Z
  return s.substr(0, 16) + "Z";
}

// The UK API's forward answer: half-hours from the path's start time,
// 48 (fw24h) or 96 (fw48h) of them, valued by `value`.
Reply uk_forward(const ServedRequest& req, const std::function<double(UtcTime)>& value) {
  // /intensity/{from}/fw48h
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

class LiveForecastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-live-forecast");
    out_ = dir_ / "out";
    hour_ = std::chrono::floor<std::chrono::hours>(SystemClock().utc_now());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string store() const { return (dir_ / "greenrun.db").string(); }

  // greenrun as a process, with `env` added; stdout/stderr to files.
  int run(const std::vector<std::string>& args, const greenrun::testing::EnvVars& env) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_, env));
  }
  std::string file(const fs::path& p) const { return greenrun::testing::read_file(p); }
  std::string err() const { return file(dir_ / "stderr.txt"); }
  std::string out() const { return file(dir_ / "stdout.txt"); }
  nlohmann::json schedule() const { return nlohmann::json::parse(file(greenrun::testing::latest_run_folder(out_) / "run.json"))["schedule"]; }

  fs::path dir_, out_;
  UtcTime hour_{};
};

size_t count(const nlohmann::json& events, const std::string& kind) {
  size_t n = 0;
  for (const auto& e : events) n += e["event"] == kind;
  return n;
}

TEST_F(LiveForecastTest, IntensityFetchFillsTheStoreFromTheUkApiAndExplainsTheFallbackWhenOffline) {
  LoopbackServer server([&](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/")) return uk_forward(req, [](UtcTime) { return 123.0; });
    return Reply::json("{}", 404);
  });
  // A real process, so the environment is the one a user has.
  const UtcTime before = SystemClock().utc_now();
  ASSERT_EQ(run({"intensity", "fetch", "--provider", "uk", "--horizon", "24"},
                {{"GREENRUN_UK_BASE_URL", server.base_url()}}),
            0)
      << err();
  const UtcTime after = SystemClock().utc_now();
  EXPECT_NE(out().find("uk forecast GB (average-direct): 48 points"), std::string::npos) << out();
  EXPECT_NE(out().find("stored in"), std::string::npos) << out();
  {
    auto s = intensity::IntensityStore::open(store());
    ASSERT_TRUE(s) << s.error().message;
    auto f = s->load({"GB", intensity::Signal::kAverageDirect, intensity::Origin::kForecast}, hour_ - 1h, hour_ + 30h);
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_EQ(f->size(), 48u);
    EXPECT_DOUBLE_EQ(f->point(0).value.grams_per_kwh(), 123.0);
    // Kept as an issue, issued when it was fetched (the UK API gives no
    // generated-at time).
    auto issues = s->issues("GB", intensity::Signal::kAverageDirect, hour_ - 1h, hour_ + 30h);
    ASSERT_TRUE(issues) << issues.error().message;
    ASSERT_EQ(issues->size(), 1u);
    EXPECT_GE(issues->front().issued, before);
    EXPECT_LE(issues->front().issued, after);
    EXPECT_EQ(issues->front().points, 48u);
  }
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(server.requests()[0].path.ends_with("/fw24h")) << server.requests()[0].path;

  // The same again through an unreachable server: exit 1, the reason, and
  // what planning falls back to (the store now covers the next 24 h).
  ASSERT_EQ(run({"intensity", "fetch", "--provider", "uk", "--horizon", "24", "--timeout", "5s"},
                {{"GREENRUN_UK_BASE_URL", "http://127.0.0.1:1"}}),
            1);
  EXPECT_NE(err().find("greenrun: "), std::string::npos) << err();
  EXPECT_NE(err().find("note: nothing fetched; the store covers"), std::string::npos) << err();

  // Unknown provider: a usage error naming the choices.
  ASSERT_EQ(run({"intensity", "fetch", "--provider", "co2signal"}, {}), 2);
  EXPECT_NE(err().find("expected watttime, electricitymaps or uk"), std::string::npos) << err();
}

// A Flexible Start run planned on the fetched forecast (its exact start, the
// fetch cached in the store) is tested on a fake clock in
// tests/engine/live_forecast_run_test.cc.

TEST_F(LiveForecastTest, PlanUsesTheLiveForecastAndMinSegmentShapesPauseAndResume) {
  // Clean in two one-hour stretches, two hours apart.
  const UtcTime a = hour_ + 2h, b = hour_ + 5h;
  LoopbackServer server([&](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/"))
      return uk_forward(req, [&](UtcTime t) { return (t >= a && t < a + 1h) || (t >= b && t < b + 1h) ? 30.0 : 300.0; });
    return Reply::json("{}", 404);
  });
  const std::vector<std::pair<std::string, std::string>> env = {{"GREENRUN_UK_BASE_URL", server.base_url()}};
  const std::string from = format_utc(hour_);
  ASSERT_EQ(run({"plan", "--zone", "GB", "--from", from, "--duration", "2h", "--window", "10h", "--power", "1kW",
                 "--mode", "pause-resume", "--forecast-provider", "uk", "--json"},
                env),
            0)
      << err();
  auto j = nlohmann::json::parse(out());
  const std::string text = j.dump();
  EXPECT_NE(text.find("uk forecast (GB, average-direct)"), std::string::npos) << text;
  EXPECT_NE(text.find(format_utc(a)), std::string::npos) << text;
  EXPECT_NE(text.find(format_utc(b)), std::string::npos) << text;
  // With a minimum segment of 2 h the job cannot be split: one block of 2 h.
  ASSERT_EQ(run({"plan", "--zone", "GB", "--from", from, "--duration", "2h", "--window", "10h", "--power", "1kW",
                 "--mode", "pause-resume", "--forecast-provider", "uk", "--min-segment", "2h"},
                env),
            0)
      << err();
  EXPECT_NE(out().find("1 segment, 0 pauses"), std::string::npos) << out();
  // A provider naming one place with two zones is refused.
  EXPECT_EQ(run({"plan", "--zone", "GB", "--zone", "DE", "--duration", "1h", "--forecast-provider", "uk"}, env), 2);
  EXPECT_NE(err().find("names one place"), std::string::npos) << err();
}

TEST_F(LiveForecastTest, ANewForecastWhileTheJobWaitsIsFetchedAndReplannedOn) {
  // First answer: clean for an hour, then dirty for two. Every later answer:
  // flat, so the re-plan runs the rest without a pause. The job ends when
  // the server is asked a third time: greenrun launches the next refresh
  // only after taking in the previous answer, so by then the second answer
  // has been re-planned on, however slowly a loaded machine runs the job.
  std::atomic<int> answers{0};
  const fs::path done = dir_ / "third-request";
  LoopbackServer server([&](const ServedRequest& req) {
    if (!req.path.starts_with("/intensity/")) return Reply::json("{}", 404);
    const int n = answers.fetch_add(1);
    if (n == 2) std::ofstream(done) << "done\n";
    return uk_forward(req, [&, n](UtcTime t) {
      if (n != 0) return 100.0;
      const auto h = std::chrono::duration_cast<std::chrono::minutes>(t - hour_).count();
      return h < 90 || h >= 210 ? 50.0 : 500.0;
    });
  });
  ASSERT_EQ(run({"run", "--zone", "GB", "--sensors", "fake", "--interval", "100ms", "--out", out_.string(),
                 "--time-scale", "3600", "--forecast-provider", "uk", "--forecast-refresh", "10m",
                 // Work stays below the estimate (3 h of schedule, three real
                 // seconds) while refreshes go on; the loop gives up after ten
                 // real seconds so that a refresh that never comes fails the
                 // test instead of hanging it.
                 "--pause-resume", "--max-delay", "800%", "--expected-duration", "3h", "--", "sh", "-c",
                 "i=0; while [ ! -f '" + done.string() + "' ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done"},
                {{"GREENRUN_UK_BASE_URL", server.base_url()}}),
            0)
      << err();
  const auto s = schedule();
  EXPECT_GE(server.request_count(), 3u);
  EXPECT_GE(count(s["events"], "replan"), 1u) << s.dump(2);
  EXPECT_TRUE(s["deadline_met"].get<bool>()) << err();
  const std::string label = s["forecast"]["label"];
  EXPECT_NE(label.find("refresh"), std::string::npos) << label;
}

TEST_F(LiveForecastTest, AnUnreachableProviderFallsBackToTheTypicalProfileWithAWarning) {
  ASSERT_EQ(run({"run", "--zone", "GB", "--sensors", "fake", "--out", out_.string(), "--time-scale", "36000",
                 "--forecast-provider", "uk", "--start-within", "1h", "--expected-duration", "10m", "--", "true"},
                {{"GREENRUN_UK_BASE_URL", "http://127.0.0.1:1"}}),
            0)
      << err();
  EXPECT_NE(err().find("warning:"), std::string::npos) << err();
  EXPECT_NE(err().find("typical profile"), std::string::npos) << err();
  EXPECT_EQ(schedule()["forecast"]["origin"], "typical");
}

TEST_F(LiveForecastTest, BadCredentialsAreAnErrorAndTheJobDoesNotRun) {
  LoopbackServer server([](const ServedRequest& req) {
    if (req.path == "/login") return Reply::json(R"({"error":"invalid credentials"})", 401);
    return Reply::json("{}", 404);
  });
  const fs::path ran = dir_ / "ran";
  EXPECT_EQ(run({"run", "--zone", "US-CAL-CISO", "--sensors", "fake", "--forecast-provider", "watttime:CAISO_NORTH",
                 "--start-within", "1h", "--expected-duration", "10m", "--", "touch", ran.string()},
                {{"GREENRUN_WATTTIME_BASE_URL", server.base_url()},
                 {"GREENRUN_WATTTIME_USERNAME", "someone"},
                 {"GREENRUN_WATTTIME_PASSWORD", "hunter2"}}),
            1);
  EXPECT_FALSE(fs::exists(ran));
  EXPECT_NE(err().find("watttime"), std::string::npos) << err();
  EXPECT_EQ(err().find("hunter2"), std::string::npos) << "a credential was printed: " << err();
  // A spec without a region is a usage error.
  EXPECT_EQ(run({"run", "--zone", "US-CAL-CISO", "--sensors", "fake", "--forecast-provider", "watttime",
                 "--start-within", "1h", "--expected-duration", "10m", "--", "touch", ran.string()},
                {}),
            2);
  EXPECT_NE(err().find("watttime:CAISO_NORTH"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(ran));
}

TEST_F(LiveForecastTest, TheForecastProviderCanComeFromTheEnvironmentAndStoreTurnsItOff) {
  LoopbackServer server([&](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/")) return uk_forward(req, [](UtcTime) { return 200.0; });
    return Reply::json("{}", 404);
  });
  const std::vector<std::pair<std::string, std::string>> env = {{"GREENRUN_UK_BASE_URL", server.base_url()},
                                                               {"GREENRUN_FORECAST_PROVIDER", "uk"}};
  const std::vector<std::string> args = {"run", "--zone", "GB", "--sensors", "fake", "--out", out_.string(),
                                         "--time-scale", "36000", "--start-within", "1h", "--expected-duration",
                                         "10m", "--", "true"};
  ASSERT_EQ(run(args, env), 0) << err();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(schedule()["forecast"]["origin"], "forecast");
  auto off = args;
  off.insert(off.begin() + 1, {"--forecast-provider", "store"});
  ASSERT_EQ(run(off, env), 0) << err();
  EXPECT_EQ(server.request_count(), 1u);  // not asked again
  // ... and the store's copy of the earlier fetch was used.
  const std::string label = schedule()["forecast"]["label"];
  EXPECT_NE(label.find("forecast from the store"), std::string::npos) << label;
}

}  // namespace
}  // namespace greenrun::cli
