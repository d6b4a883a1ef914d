// engine::plan through its seams: the HTTP client is the one in Services
// (no network), and the forecast policy is the one a run uses.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;

// Answers every request with 503 and counts them.
class UnavailableProvider final : public intensity::HttpClient {
 public:
  intensity::FetchResult<intensity::HttpResponse> get(const intensity::HttpRequest& request) override {
    ++calls;
    last_url = request.url;
    intensity::HttpResponse r;
    r.status = 503;
    r.body = "{}";
    return r;
  }
  std::atomic<int> calls{0};
  std::string last_url;
};

class Recorder final : public Observer {
 public:
  void on_event(const Event& e) override { events.push_back(e); }
  std::vector<Event> events;
};

TEST(EnginePlan, ALiveProviderIsReachedThroughTheInjectedClientAndFallsBackWhenItIsDown) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-engine-plan");
  greenrun::testing::FakeClock clock(*parse_utc("2026-12-01T00:00:00Z"));
  UnavailableProvider http;
  Services services;
  services.clock = &clock;
  services.store_path = (dir / "greenrun.db").string();
  services.env = [](std::string_view) { return std::optional<std::string>{}; };
  services.http = &http;
  PlanRequest req;
  req.zones = {"GB"};
  req.duration = 2h;
  req.window = 12h;
  req.forecast.provider = "uk";
  Recorder events;
  const UtcTime t0 = clock.utc_now();
  auto out = plan(req, services, events);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_GE(http.calls.load(), 1) << "the plan did not use the injected client";
  EXPECT_NE(http.last_url.find("intensity"), std::string::npos) << http.last_url;
  ASSERT_EQ(out->locations.size(), 1u);
  EXPECT_NE(out->locations[0].forecast_label.find("typical profile"), std::string::npos)
      << out->locations[0].forecast_label;
  bool warned = false;
  for (const auto& e : events.events) warned = warned || e.kind == EventKind::kWarning;
  EXPECT_TRUE(warned) << "a fallback must be said";
  EXPECT_EQ(out->from, t0) << "the plan's now is the injected clock's";
  std::filesystem::remove_all(dir);
}

TEST(EnginePlan, AWindowAndAMaxDelayAreReadByOneRule) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-engine-plan");
  greenrun::testing::FakeClock clock(*parse_utc("2026-12-01T00:00:00Z"));
  Services services;
  services.clock = &clock;
  services.store_path = (dir / "greenrun.db").string();
  services.env = [](std::string_view) { return std::optional<std::string>{}; };
  PlanRequest req;
  req.zones = {"DE"};
  req.duration = 4h;
  req.forecast.provider = "store";
  Delay d;
  d.percent = 100;
  req.max_delay = d;
  NullObserver quiet;
  auto out = plan(req, services, quiet);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->deadline - out->from, 8h) << "max delay 100 % of a 4 h job: it may end 8 h from now";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::engine
