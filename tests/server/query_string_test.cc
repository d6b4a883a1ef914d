// Parsing of the SDK API's query strings and batch bodies: repeated and
// case-insensitive names, escapes, limits, and problems naming the parameter.
#include "server/query_string.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"

namespace greenrun::server {
namespace {

UtcTime at(const char* text) { return *parse_utc(text); }

TEST(QueryString, DecodesRepeatedParametersInOrder) {
  auto p = parse_query_string("location=eastus&location=west%75s&time=2022-05-17T20%3A45%3A11%2B00%3A00&x");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ(values_of(*p, "location"), (std::vector<std::string>{"eastus", "westus"}));
  EXPECT_EQ(values_of(*p, "TIME").front(), "2022-05-17T20:45:11+00:00");
  EXPECT_EQ((*p)[3].second, "");
}

TEST(QueryString, RefusesBadEscapesAndStringsBeyondTheLimits) {
  EXPECT_FALSE(parse_query_string("location=%G1"));
  EXPECT_FALSE(parse_query_string("location=%4"));
  EXPECT_FALSE(parse_query_string(std::string(5000, 'a')));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "location=x&";
  auto p = parse_query_string(many);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("64"), std::string::npos);
}

TEST(EmissionsRequest, ReadsLocationsAndTimesWithOffsetsAndAnUnencodedPlus) {
  auto p = parse_query_string("Location=eastus&location=westus&time=2022-05-17T22:45:11+02:00&toTime=2022-05-18");
  ASSERT_TRUE(p);
  auto r = parse_emissions_request(*p, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->locations.size(), 2u);
  EXPECT_EQ(*r->time, at("2022-05-17T20:45:11Z"));
  EXPECT_EQ(*r->to_time, at("2022-05-18T00:00:00Z"));
  auto single = parse_emissions_request(*p, true);
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().parameter, "location");
}

TEST(EmissionsRequest, ABadTimeOrAMissingLocationNamesTheParameter) {
  auto bad = parse_emissions_request(*parse_query_string("location=eastus&toTime=yesterday"), false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().parameter, "toTime");
  EXPECT_NE(bad.error().message.find("'yesterday'"), std::string::npos);
  auto none = parse_emissions_request(*parse_query_string("time=2022-01-01"), false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().parameter, "location");
}

TEST(ForecastRequests, OnePerLocationWithTheWindowSize) {
  auto r = parse_forecast_requests(*parse_query_string("location=a&location=b&windowSize=30&dataStartAt=2023-01-01"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1].location, "b");
  EXPECT_EQ((*r)[1].window_minutes, 30);
  EXPECT_EQ(*(*r)[0].data_start_at, at("2023-01-01T00:00:00Z"));
  auto bad = parse_forecast_requests(*parse_query_string("location=a&windowSize=ten"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().parameter, "windowSize");
  auto negative = parse_forecast_requests(*parse_query_string("location=a&windowSize=-1"));
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().parameter, "windowSize");
}

TEST(AverageRequest, AllThreeAreRequired) {
  auto ok = parse_average_request(*parse_query_string("location=a&startTime=2023-01-01&endTime=2023-01-02"));
  ASSERT_TRUE(ok);
  auto no_end = parse_average_request(*parse_query_string("location=a&startTime=2023-01-01"));
  ASSERT_FALSE(no_end);
  EXPECT_EQ(no_end.error().parameter, "endTime");
}

TEST(Batches, ProblemsNameTheItemAndProperty) {
  auto ok = parse_forecast_batch(
      R"([{"requestedAt":"2023-07-01T12:00:00Z","location":"DE","windowSize":60},{"RequestedAt":"2023-07-02","Location":"DE"}])");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].window_minutes, 60);
  EXPECT_EQ(*(*ok)[1].requested_at, at("2023-07-02T00:00:00Z"));
  auto missing = parse_forecast_batch(R"([{"location":"DE"}])");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().parameter, "[0].requestedAt");
  auto avg = parse_average_batch(R"([{"location":"DE","startTime":"2023-01-01","endTime":"x"}])");
  ASSERT_FALSE(avg);
  EXPECT_EQ(avg.error().parameter, "[0].endTime");
  EXPECT_FALSE(parse_average_batch("{"));
  EXPECT_FALSE(parse_average_batch("{}"));
  EXPECT_FALSE(parse_average_batch("[1]"));
}

}  // namespace
}  // namespace greenrun::server
