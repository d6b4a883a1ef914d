#include "intensity/providers/watttime.h"

#include <gtest/gtest.h>

#include <atomic>

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

// The documented shape (../shared/reference/formats.md), values in lbs/MWh.
constexpr const char* kForecast = R"({
  "data": [
    {"point_time": "2024-03-01T00:00:00+00:00", "value": 1000.0},
    {"point_time": "2024-03-01T00:05:00+00:00", "value": null},
    {"point_time": "2024-03-01T00:10:00+00:00", "value": 880.5}
  ],
  "meta": {"region": "CAISO_NORTH", "signal_type": "co2_moer", "model": {"date": "2023-03-01"},
           "units": "lbs_co2_per_mwh", "data_point_period_seconds": 300,
           "generated_at": "2024-03-01T00:00:00+00:00", "warnings": []}
})";

TEST(ParseWattTimeData, ConvertsPoundsPerMwhToGramsPerKwhAndKeepsNullsMissing) {
  auto b = parse_watttime_data(kForecast, "fc.json", Origin::kForecast, std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->series.size(), 1u);
  const IntensitySeries& s = b->series[0];
  EXPECT_EQ(s.zone(), "CAISO_NORTH");
  EXPECT_EQ(s.signal(), Signal::kMarginal);
  EXPECT_EQ(s.origin(), Origin::kForecast);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(b->missing, 1u);
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 1000.0 * 0.45359237);
  EXPECT_DOUBLE_EQ(s.point(1).value.grams_per_kwh(), 880.5 * 0.45359237);
  EXPECT_EQ(s.point(0).duration, Duration(5min));
  // The null is a gap, not a zero.
  EXPECT_FALSE(s.at(*parse_utc("2024-03-01T00:07:00Z")));
  ASSERT_EQ(s.gaps().size(), 1u);
  EXPECT_NE(s.provenance().note.find("model 2023-03-01"), std::string::npos);
  EXPECT_EQ(s.provenance().source, "watttime-v3-api");
}

TEST(ParseWattTimeData, RejectsWrongShapesWithTheJsonPath) {
  auto bad_value = parse_watttime_data(
      R"({"data":[{"point_time":"2024-03-01T00:00:00+00:00","value":"high"}],"meta":{"region":"X"}})", "f",
      Origin::kActual, std::nullopt);
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().message, "f: $.data[0].value: expected a number or null, got a string \"high\"");
  auto percentile = parse_watttime_data(R"({"data":[],"meta":{"region":"X","signal_type":"co2_moer_index"}})", "f",
                                        Origin::kActual, std::nullopt);
  ASSERT_FALSE(percentile);
  EXPECT_NE(percentile.error().message.find("signal_type"), std::string::npos);
  auto units = parse_watttime_data(R"({"data":[],"meta":{"region":"X","units":"percentile"}})", "f",
                                   Origin::kActual, std::nullopt);
  ASSERT_FALSE(units);
  EXPECT_NE(units.error().message.find("$.meta.units"), std::string::npos);
  auto no_region = parse_watttime_data(R"({"data":[],"meta":{}})", "f", Origin::kActual, std::nullopt);
  ASSERT_FALSE(no_region);
}

TEST(ParseWattTimeData, SaysWhenTheBodyIsCutShort) {
  const std::string body(kForecast);
  auto b = parse_watttime_data(body.substr(0, 120), "fc.json", Origin::kForecast, std::nullopt);
  ASSERT_FALSE(b);
  // The line, column and JSON path of the cut, then the size.
  EXPECT_EQ(b.error().message,
            "fc.json:4:41: invalid JSON at $.data[1].point_time: unexpected end of input in a string; expected '\"'; "
            "truncated: JSON ends early at byte 120");
}

TEST(ParseWattTimeLoginAndRegion, ReadTheirShapes) {
  EXPECT_EQ(parse_watttime_login(R"({"token":"abc.def"})", "l").value(), "abc.def");
  EXPECT_FALSE(parse_watttime_login(R"({"token":""})", "l"));
  EXPECT_FALSE(parse_watttime_login(R"({"tok":"x"})", "l"));
  auto r = parse_watttime_region(
      R"({"region":"CAISO_NORTH","region_full_name":"California ISO - North","signal_type":"co2_moer"})", "r");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->region, "CAISO_NORTH");
  EXPECT_EQ(r->full_name, "California ISO - North");
}

// A WattTime stand-in: Basic login gives token "t<n>"; data endpoints accept
// only the newest token and may be told to refuse the next k calls.
class FakeWattTime {
 public:
  FakeWattTime()
      : server_([this](const ServedRequest& req) { return answer(req); }) {}

  std::string base_url() const { return server_.base_url(); }
  LoopbackServer& server() { return server_; }
  std::atomic<int> logins{0};
  std::atomic<int> refuse_next{0};
  std::atomic<bool> bad_password{false};
  std::atomic<bool> always_403{false};

 private:
  Reply answer(const ServedRequest& req) {
    if (req.path == "/login") {
      // "user:pass" in base64.
      if (bad_password || req.header("authorization") != "Basic dXNlcjpwYXNz")
        return Reply::json(R"({"error":"Unauthorized"})", 401);
      return Reply::json(R"({"token":"t)" + std::to_string(++logins) + R"("})");
    }
    if (req.header("authorization") != "Bearer t" + std::to_string(logins.load()))
      return Reply::json(R"({"error":"token expired"})", 401);
    if (always_403) return Reply::json(R"({"error":"region not in your plan"})", 403);
    if (refuse_next > 0) {
      --refuse_next;
      return Reply::json(R"({"error":"token expired"})", 401);
    }
    if (req.path == "/v3/forecast") return Reply::json(kForecast);
    if (req.path == "/v3/region-from-loc")
      return Reply::json(R"({"region":"CAISO_NORTH","region_full_name":"California ISO - North","signal_type":"co2_moer"})");
    if (req.path == "/v3/historical") {
      // 5-minute points over [start, end], end inclusive as WattTime does.
      const std::string start = req.param("start").value_or("");
      const std::string end = req.param("end").value_or("");
      auto decode = [](std::string s) {
        for (size_t p; (p = s.find("%3A")) != std::string::npos;) s.replace(p, 3, ":");
        return s;
      };
      const UtcTime a = *parse_utc(decode(start));
      const UtcTime b = *parse_utc(decode(end));
      std::string body = R"({"data":[)";
      for (UtcTime t = a; t <= b; t += 5min) {
        if (t != a) body += ",";
        body += R"({"point_time":")" + format_utc(t) + R"(","value":)" +
                std::to_string((t.time_since_epoch().count() / 300000) % 1000) + "}";
      }
      return Reply::json(body + R"(],"meta":{"region":"CAISO_NORTH","signal_type":"co2_moer","units":"lbs_co2_per_mwh","data_point_period_seconds":300}})");
    }
    return Reply::json(R"({"error":"not found"})", 404);
  }

  LoopbackServer server_;
};

class WattTimeClientTest : public ::testing::Test {
 protected:
  WattTimeClient client(std::string user = "user", std::string password = "pass",
                        std::string config_path = "~/.config/greenrun/config.toml") {
    WattTimeOptions o;
    o.base_url = fake_.base_url() + "/";
    o.config_path = std::move(config_path);
    return WattTimeClient(http_, clock_, std::move(user), std::move(password), o);
  }
  FakeWattTime fake_;
  CurlHttpClient http_;
  FakeClock clock_{*parse_utc("2024-03-01T00:00:00Z")};
};

TEST_F(WattTimeClientTest, LogsInOnceAndReusesTheTokenForHalfAnHour) {
  WattTimeClient c = client();
  auto a = c.forecast("CAISO_NORTH", 24);
  ASSERT_TRUE(a) << a.error().message;
  auto b = c.forecast("CAISO_NORTH", 24);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(c.logins(), 1);
  clock_.advance(29min);
  ASSERT_TRUE(c.forecast("CAISO_NORTH", 24));
  EXPECT_EQ(c.logins(), 2);
  const auto reqs = fake_.server().requests();
  EXPECT_EQ(reqs[1].param("signal_type"), "co2_moer");
  EXPECT_EQ(reqs[1].param("horizon_hours"), "24");
  ASSERT_EQ(a->series.size(), 1u);
  EXPECT_EQ(a->series[0].provenance().note.substr(0, 29), "fetched 2024-03-01T00:00:00Z;");
  EXPECT_EQ(a->series[0].provenance().origin, fake_.base_url() + "/v3/forecast?region=CAISO_NORTH&signal_type=co2_moer&horizon_hours=24");
}

TEST_F(WattTimeClientTest, LogsInAgainOnceWhenTheTokenIsRefused) {
  WattTimeClient c = client();
  ASSERT_TRUE(c.forecast("CAISO_NORTH", 24));
  fake_.refuse_next = 1;  // the server dropped our token
  auto r = c.forecast("CAISO_NORTH", 24);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(c.logins(), 2);
  EXPECT_EQ(fake_.server().request_count(), 5u);  // login, fc, fc(401), login, fc
}

TEST_F(WattTimeClientTest, AFreshTokenRefusedMeansNoAccessAndStopsAfterOneRelogin) {
  WattTimeClient c = client();
  fake_.always_403 = true;
  auto r = c.forecast("PJM_DC", 24);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kAuth);
  EXPECT_NE(r.error().message.find("plan may not cover"), std::string::npos) << r.error().message;
  EXPECT_EQ(c.logins(), 1);
  EXPECT_EQ(fake_.server().request_count(), 2u);
}

TEST_F(WattTimeClientTest, BadCredentialsGiveOneLineNamingWhereToFixThemAndNoSecret) {
  WattTimeClient c = client("user", "wrong-horse");
  auto r = c.forecast("CAISO_NORTH", 24);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kAuth);
  EXPECT_EQ(r.error().message,
            "watttime: login refused (HTTP 401/403); check your credentials in ~/.config/greenrun/config.toml "
            "([watttime] username, password) or GREENRUN_WATTTIME_USERNAME / GREENRUN_WATTTIME_PASSWORD");
  EXPECT_EQ(r.error().message.find("wrong-horse"), std::string::npos);
  EXPECT_EQ(fake_.server().request_count(), 1u);
}

TEST_F(WattTimeClientTest, MissingCredentialsFailBeforeAnyRequest) {
  WattTimeClient c = client("", "");
  auto r = c.forecast("CAISO_NORTH", 24);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kConfig);
  EXPECT_EQ(fake_.server().request_count(), 0u);
}

TEST_F(WattTimeClientTest, CredentialMessagesNameTheConfigFileActuallyRead) {
  auto missing = client("", "", "/srv/greenrun/site.toml").forecast("CAISO_NORTH", 24);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("in /srv/greenrun/site.toml or GREENRUN_WATTTIME_USERNAME"), std::string::npos)
      << missing.error().message;
  auto refused = client("user", "wrong-horse", "/srv/greenrun/site.toml").forecast("CAISO_NORTH", 24);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("check your credentials in /srv/greenrun/site.toml"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("~/.config"), std::string::npos) << refused.error().message;
}

TEST_F(WattTimeClientTest, RejectsHorizonsBeyondSeventyTwoHours) {
  WattTimeClient c = client();
  auto r = c.forecast("CAISO_NORTH", 73);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kConfig);
}

TEST_F(WattTimeClientTest, FindsTheRegionFromALocation) {
  WattTimeClient c = client();
  auto r = c.region_from_location(38.5, -121.5);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->region, "CAISO_NORTH");
  const auto reqs = fake_.server().requests();
  EXPECT_EQ(reqs.back().param("latitude"), "38.500000");
  EXPECT_EQ(reqs.back().param("longitude"), "-121.500000");
  EXPECT_FALSE(c.region_from_location(91, 0));
}

TEST_F(WattTimeClientTest, SplitsLongHistoryIntoChunksWithoutDuplicatingBoundaries) {
  WattTimeOptions o;
  o.base_url = fake_.base_url();
  o.historical_chunk = 1h;
  WattTimeClient c(http_, clock_, "user", "pass", o);
  const UtcTime from = *parse_utc("2024-02-01T00:00:00Z");
  auto r = c.historical("CAISO_NORTH", from, from + 3h);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  const IntensitySeries& s = r->series[0];
  EXPECT_EQ(s.origin(), Origin::kActual);
  EXPECT_EQ(s.start(), from);
  // 3 chunks of 13 inclusive points share 2 boundaries: 37 points, no gaps.
  EXPECT_EQ(s.size(), 37u);
  EXPECT_EQ(r->duplicates, 2u);
  EXPECT_TRUE(s.gaps().empty());
  EXPECT_EQ(fake_.server().request_count(), 4u);  // login + 3 chunks
}

}  // namespace
}  // namespace greenrun::intensity
