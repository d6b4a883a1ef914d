#include "intensity/providers/electricitymaps.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::FakeClock;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;
using namespace std::chrono_literals;

constexpr const char* kLatest =
    R"({"zone":"DE","carbonIntensity":302,"datetime":"2023-01-23T17:00:00.000Z","updatedAt":"2023-01-23T16:51:05.000Z",)"
    R"("emissionFactorType":"lifecycle","isEstimated":true,"estimationMethod":"TIME_SLICER_AVERAGE"})";

constexpr const char* kHistory = R"({"zone":"DE","history":[
  {"zone":"DE","carbonIntensity":310,"datetime":"2023-01-23T15:00:00.000Z","updatedAt":"x","createdAt":"y","emissionFactorType":"lifecycle","isEstimated":false,"estimationMethod":null},
  {"zone":"DE","carbonIntensity":null,"datetime":"2023-01-23T16:00:00.000Z","emissionFactorType":"lifecycle","isEstimated":false},
  {"zone":"DE","carbonIntensity":302,"datetime":"2023-01-23T17:00:00.000Z","emissionFactorType":"lifecycle","isEstimated":true}
]})";

constexpr const char* kForecast = R"({"zone":"DE","forecast":[
  {"carbonIntensity":250,"datetime":"2023-01-23T18:00:00.000Z"},
  {"carbonIntensity":240,"datetime":"2023-01-23T19:00:00.000Z"}
],"updatedAt":"2023-01-23T17:30:00.000Z"})";

TEST(ParseElectricityMaps, ReadsLatestAsOneEstimatedHour) {
  auto b = parse_electricitymaps(kLatest, "latest", Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->series.size(), 1u);
  const auto& s = b->series[0];
  EXPECT_EQ(s.zone(), "DE");
  EXPECT_EQ(s.signal(), Signal::kAverageLifecycle);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.point(0).start, *parse_utc("2023-01-23T17:00:00Z"));
  EXPECT_EQ(s.point(0).duration, Duration(1h));
  EXPECT_TRUE(s.point(0).estimated);
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 302);
}

TEST(ParseElectricityMaps, HistoryNullIsAMissingHourNotZero) {
  auto b = parse_electricitymaps(kHistory, "history", Origin::kActual, Signal::kAverageLifecycle, std::string("DE"));
  ASSERT_TRUE(b) << b.error().message;
  const auto& s = b->series.at(0);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(b->missing, 1u);
  EXPECT_FALSE(s.at(*parse_utc("2023-01-23T16:30:00Z")));
  EXPECT_FALSE(s.mean(*parse_utc("2023-01-23T15:00:00Z"), *parse_utc("2023-01-23T18:00:00Z")));
  EXPECT_FALSE(s.point(0).estimated);
  EXPECT_TRUE(s.point(1).estimated);
}

TEST(ParseElectricityMaps, ForecastItemsTakeTheTopLevelZone) {
  auto b = parse_electricitymaps(kForecast, "fc", Origin::kForecast, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  const auto& s = b->series.at(0);
  EXPECT_EQ(s.zone(), "DE");
  EXPECT_EQ(s.origin(), Origin::kForecast);
  EXPECT_EQ(s.size(), 2u);
}

TEST(ParseElectricityMaps, PastRangeHonoursGranularityAndDirectFactor) {
  const char* body = R"({"zone":"FR","temporalGranularity":"15_minutes","data":[
    {"carbonIntensity":40,"datetime":"2024-01-01T00:00:00.000Z","emissionFactorType":"direct"},
    {"carbonIntensity":42,"datetime":"2024-01-01T01:00:00.000Z","emissionFactorType":"direct"}]})";
  auto b = parse_electricitymaps(body, "pr", Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  const auto& s = b->series.at(0);
  EXPECT_EQ(s.signal(), Signal::kAverageDirect);
  EXPECT_EQ(s.point(0).duration, Duration(15min));
  EXPECT_EQ(s.gaps().size(), 1u);
}

TEST(ParseElectricityMaps, ErrorsNameTheJsonPath) {
  auto wrong_zone = parse_electricitymaps(kHistory, "h", Origin::kActual, Signal::kAverageLifecycle, std::string("FR"));
  ASSERT_FALSE(wrong_zone);
  EXPECT_EQ(wrong_zone.error().message, "h: $.history[0].zone: expected \"FR\", got \"DE\"");
  auto bad_value = parse_electricitymaps(R"({"zone":"DE","history":[{"carbonIntensity":"302","datetime":"2023-01-23T17:00:00Z"}]})",
                                         "h", Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().message, "h: $.history[0].carbonIntensity: expected a number or null, got a string");
  auto negative = parse_electricitymaps(R"({"zone":"DE","carbonIntensity":-3,"datetime":"2023-01-23T17:00:00Z"})", "l",
                                        Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  EXPECT_FALSE(negative);
  const std::string cut = std::string(kHistory).substr(0, 200);
  auto truncated = parse_electricitymaps(cut, "h", Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("truncated body"), std::string::npos);
  auto html = parse_electricitymaps("<html>503</html>", "h", Origin::kActual, Signal::kAverageLifecycle, std::nullopt);
  ASSERT_FALSE(html);
  EXPECT_NE(html.error().message.find("not JSON at byte"), std::string::npos) << html.error().message;
}

class ElectricityMapsClientTest : public ::testing::Test {
 protected:
  ElectricityMapsClient client(std::string token = "em-token-1") {
    ElectricityMapsOptions o;
    o.base_url = server_.base_url();
    o.past_range_chunk = 24h;
    return ElectricityMapsClient(http_, clock_, std::move(token), o);
  }
  Reply answer(const ServedRequest& req) {
    if (req.header("auth-token") != "em-token-1") return Reply::json(R"({"message":"Invalid token"})", 401);
    if (req.path == "/v3/carbon-intensity/latest") return Reply::json(kLatest);
    if (req.path == "/v3/carbon-intensity/history") return Reply::json(kHistory);
    if (req.path == "/v3/carbon-intensity/forecast") return Reply::json(kForecast);
    if (req.path == "/v3/carbon-intensity/past-range") {
      // One hourly point at the start of each requested day, using the served CSV rows when set.
      std::string start = req.param("start").value_or("");
      for (size_t p; (p = start.find("%3A")) != std::string::npos;) start.replace(p, 3, ":");
      return Reply::json(R"({"zone":"DE","temporalGranularity":"hourly","data":[{"carbonIntensity":100,"datetime":")" +
                         start + R"(","emissionFactorType":"lifecycle","isEstimated":false}]})");
    }
    return Reply::json(R"({"message":"not found"})", 404);
  }
  LoopbackServer server_{[this](const ServedRequest& r) { return answer(r); }};
  CurlHttpClient http_;
  FakeClock clock_{*parse_utc("2023-01-23T17:30:00Z")};
};

TEST_F(ElectricityMapsClientTest, SendsTheTokenHeaderZoneAndFactorType) {
  auto c = client();
  ElectricityMapsQuery q;
  q.zone = "DE";
  auto r = c.history(q);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->points, 2u);
  EXPECT_EQ(r->missing, 1u);
  const auto req = server_.requests().at(0);
  EXPECT_EQ(req.param("zone"), "DE");
  EXPECT_EQ(req.param("emissionFactorType"), "lifecycle");
  EXPECT_EQ(r->series[0].provenance().origin.find("em-token-1"), std::string::npos);
}

TEST_F(ElectricityMapsClientTest, QueriesByLatitudeAndLongitude) {
  auto c = client();
  ElectricityMapsQuery q;
  q.latitude = 52.52;
  q.longitude = 13.405;
  q.signal = Signal::kAverageDirect;
  auto r = c.latest(q);
  ASSERT_TRUE(r) << r.error().message;
  const auto req = server_.requests().at(0);
  EXPECT_EQ(req.param("lat"), "52.520000");
  EXPECT_EQ(req.param("lon"), "13.405000");
  EXPECT_EQ(req.param("emissionFactorType"), "direct");
  EXPECT_FALSE(req.param("zone"));
}

TEST_F(ElectricityMapsClientTest, ForecastAsksForTheHorizon) {
  auto c = client();
  ElectricityMapsQuery q;
  q.zone = "DE";
  auto r = c.forecast(q, 48);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->series.at(0).origin(), Origin::kForecast);
  EXPECT_EQ(server_.requests().at(0).param("horizonHours"), "48");
  EXPECT_FALSE(c.forecast(q, 0));
}

TEST_F(ElectricityMapsClientTest, PastRangeIsSplitIntoChunks) {
  auto c = client();
  ElectricityMapsQuery q;
  q.zone = "DE";
  const UtcTime from = *parse_utc("2023-01-01T00:00:00Z");
  auto r = c.past_range(q, from, from + 72h);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_EQ(r->series.at(0).size(), 3u);
  EXPECT_EQ(server_.requests()[1].param("start"), "2023-01-02T00%3A00%3A00Z");
}

TEST_F(ElectricityMapsClientTest, BadTokenNamesWhereToFixIt) {
  auto c = client("wrong-token");
  ElectricityMapsQuery q;
  q.zone = "DE";
  auto r = c.latest(q);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kAuth);
  EXPECT_NE(r.error().message.find("GREENRUN_ELECTRICITYMAPS_TOKEN"), std::string::npos);
  EXPECT_EQ(r.error().message.find("wrong-token"), std::string::npos);
}

TEST_F(ElectricityMapsClientTest, RefusesBadQueriesBeforeSending) {
  ElectricityMapsQuery both;
  both.zone = "DE";
  both.latitude = 1;
  both.longitude = 2;
  EXPECT_EQ(client().latest(both).error().kind, FetchFailure::kConfig);
  ElectricityMapsQuery none;
  EXPECT_EQ(client().latest(none).error().kind, FetchFailure::kConfig);
  ElectricityMapsQuery marginal;
  marginal.zone = "DE";
  marginal.signal = Signal::kMarginal;
  EXPECT_EQ(client().latest(marginal).error().kind, FetchFailure::kConfig);
  EXPECT_EQ(client("").latest(marginal).error().kind, FetchFailure::kConfig);
  EXPECT_EQ(server_.request_count(), 0u);
}

// Real data: a day of Germany's 2023 hourly life-cycle intensity from the
// Electricity Maps CSV, served in the API's history shape, comes back equal.
TEST(ElectricityMapsRealData, ADayOfGermany2023RoundTripsThroughTheApiShape) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2023_hourly.csv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::pair<std::string, double>> rows;
  std::string body = R"({"zone":"DE","history":[)";
  for (int i = 0; i < 24 && std::getline(in, line); ++i) {
    std::vector<std::string_view> f;
    std::string scratch;
    split_csv(line, f, scratch);
    ASSERT_GT(f.size(), 5u);
    const std::string when = std::string(f[0]);
    const double lca = std::stod(std::string(f[5]));
    rows.emplace_back(when, lca);
    if (i) body += ",";
    body += R"({"zone":"DE","carbonIntensity":)" + std::string(f[5]) + R"(,"datetime":")" + when.substr(0, 10) + "T" +
            when.substr(11) + R"(.000Z","emissionFactorType":"lifecycle","isEstimated":)" +
            (f[9] == "true" ? "true" : "false") + "}";
  }
  body += "]}";
  LoopbackServer server([&](const ServedRequest&) { return Reply::json(body); });
  CurlHttpClient http;
  FakeClock clock;
  ElectricityMapsOptions o;
  o.base_url = server.base_url();
  ElectricityMapsClient c(http, clock, "t", o);
  ElectricityMapsQuery q;
  q.zone = "DE";
  auto r = c.history(q);
  ASSERT_TRUE(r) << r.error().message;
  const auto& s = r->series.at(0);
  ASSERT_EQ(s.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(s.point(i).start, *parse_utc(rows[i].first));
    EXPECT_DOUBLE_EQ(s.point(i).value.grams_per_kwh(), rows[i].second);
  }
}

}  // namespace
}  // namespace greenrun::intensity
