// /forecasts/current from a live provider (the UK Carbon Intensity API's
// shape, served on loopback): the provider's forecast with rolling windows,
// and a provider that is down: a kUnavailable problem with the reason, cached
// so that a down provider is not asked again on every request.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "greenrun/carbon_aware_queries.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;

std::string uk_time(UtcTime t) { return format_utc(t).substr(0, 16) + "Z"; }

// /intensity/{from}/fw24h: 48 half-hours from `from`, 100 + 10 x (i mod 5) g/kWh.
Reply uk_forward(const ServedRequest& req) {
  const std::string rest = req.path.substr(std::string("/intensity/").size());
  auto from = parse_utc(rest.substr(0, rest.find('/')));
  if (!from) return Reply::json(R"({"error":{"code":"400","message":"bad time"}})", 400);
  nlohmann::json data = nlohmann::json::array();
  for (int i = 0; i < 96; ++i) {
    const UtcTime a = *from + i * 30min;
    data.push_back({{"from", uk_time(a)},
                    {"to", uk_time(a + 30min)},
                    {"intensity", {{"forecast", 100 + 10 * (i % 5)}, {"actual", nullptr}, {"index", "moderate"}}}});
  }
  return Reply::json(nlohmann::json{{"data", data}}.dump());
}

class CarbonAwareLiveTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("sdk-live"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<CarbonAwareQueries> open(const std::string& base_url) {
    QuerySources sources;
    sources.store_path = (dir_ / "greenrun.db").string();
    sources.clock = &clock_;
    const std::string config = (dir_ / "config").string();
    sources.env = [base_url, config](std::string_view name) -> std::optional<std::string> {
      if (name == "GREENRUN_FORECAST_PROVIDER") return "uk";
      if (name == "GREENRUN_UK_BASE_URL") return base_url;
      if (name == "XDG_CONFIG_HOME" || name == "HOME") return config;
      return std::nullopt;
    };
    auto q = CarbonAwareQueries::open(sources);
    EXPECT_TRUE(q) << q.error().message;
    return q ? std::move(*q) : nullptr;
  }

  std::filesystem::path dir_;
  greenrun::testing::FakeClock clock_{std::chrono::floor<std::chrono::hours>(SystemClock().utc_now())};
};

TEST_F(CarbonAwareLiveTest, TheProvidersForecastAnswersWithRollingWindows) {
  LoopbackServer server([](const ServedRequest& req) {
    if (req.path.starts_with("/intensity/")) return uk_forward(req);
    return Reply::json("{}", 404);
  });
  auto q = open(server.base_url());
  auto f = q->forecast({"uksouth", std::nullopt, std::nullopt, std::nullopt, 60});
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->location, "uksouth");
  ASSERT_FALSE(f->data.empty());
  EXPECT_EQ(f->data.front().timestamp, clock_.utc_now());
  EXPECT_DOUBLE_EQ(f->data.front().value, 105);  // (100 + 110) / 2
  const size_t asked = server.request_count();
  ASSERT_TRUE(q->forecast({"uksouth", std::nullopt, std::nullopt, std::nullopt, 0}));
  EXPECT_EQ(server.request_count(), asked);  // reused, not fetched again
}

TEST_F(CarbonAwareLiveTest, AProviderThatIsDownIsUnavailableWithTheReasonAndIsNotAskedOnEveryRequest) {
  LoopbackServer server([](const ServedRequest&) { return Reply::json(R"({"error":"maintenance"})", 503); });
  auto q = open(server.base_url());
  auto f = q->forecast({"uksouth", std::nullopt, std::nullopt, std::nullopt, 0});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, QueryProblem::Kind::kUnavailable) << f.error().message;
  EXPECT_NE(f.error().message.find("uk"), std::string::npos) << f.error().message;
  const size_t asked = server.request_count();
  EXPECT_GE(asked, 1u);
  auto again = q->forecast({"uksouth", std::nullopt, std::nullopt, std::nullopt, 0});
  ASSERT_FALSE(again);
  EXPECT_EQ(server.request_count(), asked);
  // The stored data still answers the other endpoints; a batch request reads the store.
  auto batch = q->forecast({"uksouth", clock_.utc_now(), std::nullopt, std::nullopt, 0});
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().kind, QueryProblem::Kind::kNoForecasts);
}

}  // namespace
}  // namespace greenrun::engine
