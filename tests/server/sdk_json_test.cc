// The SDK's JSON shapes: property names, time and TimeSpan formats, problem bodies.
#include "server/sdk_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::server {
namespace {

using namespace std::chrono_literals;

TEST(SdkJson, TimesAreUtcWithAnOffsetAndDurationsAreTimeSpans) {
  EXPECT_EQ(sdk_time(*parse_utc("2022-05-17T22:45:11+02:00")), "2022-05-17T20:45:11+00:00");
  EXPECT_EQ(time_span(5min), "00:05:00");
  EXPECT_EQ(time_span(1h), "01:00:00");
  EXPECT_EQ(time_span(26h + 3s), "1.02:00:03");
}

TEST(SdkJson, EmissionsDataHasTheSdksPropertyNames) {
  const auto j = nlohmann::json::parse(
      emissions_json({{"eastus", *parse_utc("2022-05-17T20:45:11Z"), 5min, 70.0}}));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["location"], "eastus");
  EXPECT_EQ(j[0]["time"], "2022-05-17T20:45:11+00:00");
  EXPECT_EQ(j[0]["rating"], 70.0);
  EXPECT_EQ(j[0]["duration"], "00:05:00");
}

TEST(SdkJson, ForecastsEchoTheWindowSizeAndUseDtoNames) {
  engine::EmissionsForecast f;
  f.location = "DE";
  f.window_minutes = 30;
  f.data.push_back({"DE", *parse_utc("2023-01-01T00:00:00Z"), 30, 12.5});
  f.optimal = f.data;
  const auto j = nlohmann::json::parse(forecasts_json({f}))[0];
  for (const char* key : {"generatedAt", "requestedAt", "location", "dataStartAt", "dataEndAt", "windowSize",
                          "optimalDataPoints", "forecastData"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["windowSize"], 30);
  EXPECT_EQ(j["forecastData"][0]["timestamp"], "2023-01-01T00:00:00+00:00");
  EXPECT_EQ(j["forecastData"][0]["duration"], 30);
  EXPECT_EQ(j["forecastData"][0]["value"], 12.5);
}

TEST(SdkJson, ProblemsAreValidationProblemDetails) {
  const auto j = nlohmann::json::parse(
      problem_json(400, {engine::QueryProblem::Kind::kInvalid, "time", "The value 'x' is not valid for time."}));
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["title"], "One or more validation errors occurred.");
  EXPECT_EQ(j["errors"]["time"][0], "The value 'x' is not valid for time.");
  EXPECT_EQ(http_status({engine::QueryProblem::Kind::kNoForecasts, "", ""}), 501);
  EXPECT_EQ(http_status({engine::QueryProblem::Kind::kUnavailable, "", ""}), 503);
}

}  // namespace
}  // namespace greenrun::server
