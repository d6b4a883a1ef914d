#include "intensity/providers/uk_carbon_intensity.h"

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

constexpr const char* kNational = R"({"data":[
  {"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":266,"actual":263,"index":"moderate"}},
  {"from":"2018-01-20T12:30Z","to":"2018-01-20T13:00Z","intensity":{"forecast":null,"actual":null,"index":"moderate"}},
  {"from":"2018-01-20T13:00Z","to":"2018-01-20T13:30Z","intensity":{"forecast":250,"actual":null,"index":"moderate"}}
]})";

constexpr const char* kRegionalObject = R"({"data":{"regionid":3,"dnoregion":"Electricity North West","shortname":"North West England",
  "postcode":"RG10","data":[
  {"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":180,"index":"low"},"generationmix":[{"fuel":"gas","perc":43.6}]},
  {"from":"2018-01-20T12:30Z","to":"2018-01-20T13:00Z","intensity":{"forecast":175,"index":"low"},"generationmix":[{"fuel":"gas","perc":41.0}]}
]}})";

constexpr const char* kRegionalArray = R"({"data":[{"regionid":12,"dnoregion":"SSE South","shortname":"South England","postcode":"RG10",
  "data":[{"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":120,"index":"low"},"generationmix":[]}]}]})";

TEST(UkTime, HasMinutesAndNoSeconds) { EXPECT_EQ(uk_time(*parse_utc("2018-01-20T12:05:59Z")), "2018-01-20T12:05Z"); }

TEST(UkOutwardCode, TakesTheOutwardPartUppercased) {
  EXPECT_EQ(uk_outward_code("RG10").value(), "RG10");
  EXPECT_EQ(uk_outward_code("rg10 9ab").value(), "RG10");
  EXPECT_EQ(uk_outward_code("sw1a").value(), "SW1A");
  EXPECT_FALSE(uk_outward_code("10RG"));
  EXPECT_FALSE(uk_outward_code("R"));
  EXPECT_FALSE(uk_outward_code("RG10/../x"));
}

TEST(ParseUkIntensity, NationalGivesAForecastAndAnActualSeries) {
  auto b = parse_uk_intensity(kNational, "n", std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->series.size(), 2u);
  const auto& fc = b->series[0];
  const auto& act = b->series[1];
  EXPECT_EQ(fc.zone(), "GB");
  EXPECT_EQ(fc.origin(), Origin::kForecast);
  EXPECT_EQ(fc.signal(), Signal::kAverageDirect);
  EXPECT_EQ(fc.size(), 2u);  // the null forecast is missing
  EXPECT_EQ(b->missing, 1u);
  EXPECT_EQ(fc.point(0).duration, Duration(30min));
  EXPECT_EQ(act.origin(), Origin::kActual);
  ASSERT_EQ(act.size(), 1u);
  EXPECT_DOUBLE_EQ(act.point(0).value.grams_per_kwh(), 263);
}

TEST(ParseUkIntensity, RegionalDataIsAnObjectOnIntensityEndpoints) {
  auto b = parse_uk_intensity(kRegionalObject, "r", std::nullopt);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->series.size(), 1u);
  EXPECT_EQ(b->series[0].zone(), "GB-UKCI-3");
  EXPECT_EQ(b->series[0].size(), 2u);
  EXPECT_NE(b->series[0].provenance().note.find("North West England"), std::string::npos);
}

TEST(ParseUkIntensity, RegionalDataIsAnArrayOnThePostcodeEndpoint) {
  auto b = parse_uk_intensity(kRegionalArray, "r", std::string("UK-SOUTH"));
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->series.size(), 1u);
  EXPECT_EQ(b->series[0].zone(), "UK-SOUTH");
  EXPECT_DOUBLE_EQ(b->series[0].point(0).value.grams_per_kwh(), 120);
}

TEST(ParseUkIntensity, ErrorsNameThePath) {
  auto e = parse_uk_intensity(R"({"data":[{"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z"}]})", "n", std::nullopt);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "n: $.data[0]: expected \"intensity\" with \"forecast\"");
  auto api_error = parse_uk_intensity(R"({"error":{"code":"400 Bad Request","message":"Invalid date"}})", "n", std::nullopt);
  ASSERT_FALSE(api_error);
  EXPECT_EQ(api_error.error().message, "n: $: expected a UK Carbon Intensity response with \"data\", got an API error: 400 Bad Request: Invalid date");
  auto backwards = parse_uk_intensity(
      R"({"data":[{"from":"2018-01-20T12:30Z","to":"2018-01-20T12:00Z","intensity":{"forecast":1}}]})", "n", std::nullopt);
  EXPECT_FALSE(backwards);
}

class UkClientTest : public ::testing::Test {
 protected:
  UkCarbonIntensityClient client() {
    UkCarbonIntensityOptions o;
    o.base_url = server_.base_url();
    o.range_chunk = 24h;
    return UkCarbonIntensityClient(http_, clock_, o);
  }
  Reply answer(const ServedRequest& req) {
    if (fail_first_ && !failed_) {
      failed_ = true;
      return Reply::json(R"({"error":{"code":"500","message":"oops"}})", 500);
    }
    if (req.path.starts_with("/regional/intensity/")) return Reply::json(kRegionalObject);
    if (req.path.starts_with("/intensity/")) return Reply::json(kNational);
    return Reply::json(R"({"error":{"code":"404","message":"no"}})", 404);
  }
  std::atomic<bool> fail_first_{false};
  std::atomic<bool> failed_{false};
  LoopbackServer server_{[this](const ServedRequest& r) { return answer(r); }};
  CurlHttpClient http_;
  FakeClock clock_{*parse_utc("2018-01-20T12:17:00Z")};
};

TEST_F(UkClientTest, NationalForecastAsksFw48hFromTheHalfHour) {
  auto r = client().forward(clock_.utc_now(), 48, std::nullopt, std::nullopt);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server_.requests().at(0).path, "/intensity/2018-01-20T12:00Z/fw48h");
  EXPECT_EQ(r->series.size(), 2u);
}

TEST_F(UkClientTest, RegionalForecastUsesThePostcodeOutwardCode) {
  auto r = client().forward(clock_.utc_now(), 24, std::string("rg10 9ab"), std::nullopt);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server_.requests().at(0).path, "/regional/intensity/2018-01-20T12:00Z/fw24h/postcode/RG10");
  EXPECT_EQ(r->series.at(0).zone(), "GB-UKCI-3");
}

TEST_F(UkClientTest, PastDayAndRangeEndpoints) {
  ASSERT_TRUE(client().past_day(clock_.utc_now(), std::nullopt, std::nullopt));
  EXPECT_EQ(server_.requests().at(0).path, "/intensity/2018-01-20T12:00Z/pt24h");
  const UtcTime from = *parse_utc("2018-01-18T00:00:00Z");
  auto r = client().range(from, from + 48h, std::nullopt, std::string("GB"));
  ASSERT_TRUE(r) << r.error().message;
  const auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].path, "/intensity/2018-01-18T00:00Z/2018-01-19T00:00Z");
  EXPECT_EQ(reqs[2].path, "/intensity/2018-01-19T00:00Z/2018-01-20T00:00Z");
}

TEST_F(UkClientTest, RetriesAServerErrorThenSucceeds) {
  fail_first_ = true;
  auto r = client().forward(clock_.utc_now(), 48, std::nullopt, std::nullopt);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_F(UkClientTest, ABadPostcodeFailsBeforeSending) {
  auto r = client().forward(clock_.utc_now(), 48, std::string("R#1 2AB"), std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kConfig);
  EXPECT_EQ(server_.request_count(), 0u);
}

}  // namespace
}  // namespace greenrun::intensity
