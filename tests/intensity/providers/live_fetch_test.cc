#include "intensity/providers/live_fetch.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::FakeClock;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;
using namespace std::chrono_literals;

TEST(ParseProvider, AcceptsNamesAndAliasesAndRejectsOthers) {
  EXPECT_EQ(parse_provider("WattTime").value(), ProviderKind::kWattTime);
  EXPECT_EQ(parse_provider("em").value(), ProviderKind::kElectricityMaps);
  EXPECT_EQ(parse_provider("uk").value(), ProviderKind::kUk);
  auto bad = parse_provider("co2signal");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "unknown provider \"co2signal\"; expected watttime, electricitymaps or uk");
  EXPECT_FALSE(parse_fetch_kind("tomorrow"));
}

TEST(ValidateFetchRequest, RejectsCombinationsProvidersDoNotOffer) {
  FetchRequest r;
  r.provider = ProviderKind::kWattTime;
  EXPECT_FALSE(validate(r));  // no zone
  r.zone = "CAISO_NORTH";
  EXPECT_TRUE(validate(r));
  r.postcode = "RG10";
  EXPECT_FALSE(validate(r));
  r.postcode.reset();
  r.kind = FetchKind::kLatest;
  EXPECT_FALSE(validate(r));
  r.kind = FetchKind::kHistory;
  r.from = *parse_utc("2024-01-02");
  EXPECT_FALSE(validate(r));  // from without to
  r.to = *parse_utc("2024-01-01");
  EXPECT_FALSE(validate(r));  // backwards
  r.to = *parse_utc("2024-01-03");
  EXPECT_TRUE(validate(r));
  FetchRequest em;
  em.provider = ProviderKind::kElectricityMaps;
  em.zone = "DE";
  em.signal = Signal::kMarginal;
  EXPECT_FALSE(validate(em));
  FetchRequest uk;
  uk.horizon_hours = 72;
  EXPECT_FALSE(validate(uk));
  uk.horizon_hours = 48;
  EXPECT_TRUE(validate(uk));
}

TEST(FetchSeries, UsesTheBaseUrlFromSettingsForEachProvider) {
  LoopbackServer server([](const ServedRequest& req) {
    if (req.path == "/login") return Reply::json(R"({"token":"t"})");
    if (req.path == "/v3/forecast")
      return Reply::json(R"({"data":[{"point_time":"2024-03-01T00:00:00+00:00","value":100}],"meta":{"region":"CAISO_NORTH"}})");
    if (req.path == "/v3/carbon-intensity/history")
      return Reply::json(R"({"zone":"DE","history":[{"carbonIntensity":300,"datetime":"2024-03-01T00:00:00Z"}]})");
    if (req.path.starts_with("/intensity/"))
      return Reply::json(R"({"data":[{"from":"2024-03-01T00:00Z","to":"2024-03-01T00:30Z","intensity":{"forecast":150,"actual":null}}]})");
    return Reply::json("{}", 404);
  });
  ProviderSettings settings;
  settings.watttime_username = Secret("u");
  settings.watttime_password = Secret("p");
  settings.electricitymaps_token = Secret("t");
  settings.watttime_base_url = server.base_url();
  settings.electricitymaps_base_url = server.base_url();
  settings.uk_base_url = server.base_url();
  CurlHttpClient http;
  FakeClock clock(*parse_utc("2024-03-01T00:10:00Z"));

  FetchRequest wt;
  wt.provider = ProviderKind::kWattTime;
  wt.zone = "CAISO_NORTH";
  auto a = fetch_series(wt, settings, http, clock);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->series.at(0).signal(), Signal::kMarginal);

  FetchRequest em;
  em.provider = ProviderKind::kElectricityMaps;
  em.kind = FetchKind::kHistory;
  em.zone = "DE";
  auto b = fetch_series(em, settings, http, clock);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->series.at(0).zone(), "DE");

  FetchRequest uk;
  auto c = fetch_series(uk, settings, http, clock);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->series.at(0).zone(), "GB");
  EXPECT_EQ(server.requests().back().path, "/intensity/2024-03-01T00:00Z/fw24h");
}

TEST(FetchSeries, InvalidRequestsFailAsConfigWithoutNetwork) {
  FetchRequest r;
  r.provider = ProviderKind::kUk;
  r.kind = FetchKind::kLatest;
  CurlHttpClient http;
  FakeClock clock;
  auto e = fetch_series(r, ProviderSettings{}, http, clock);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, FetchFailure::kConfig);
}

}  // namespace
}  // namespace greenrun::intensity
