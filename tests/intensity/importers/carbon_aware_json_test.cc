#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fixtures.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

using testing::import_fixture;

const IntensitySeries* find(const ImportResult& r, const std::string& zone) {
  for (const auto& s : r.series)
    if (s.zone() == zone) return &s;
  return nullptr;
}

void expect_error(const Result<ImportResult>& r, const std::string& want) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << want;
  EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
}

TEST(CarbonAwareJson, EmissionsDataGivesOneSeriesPerLocation) {
  auto r = import_fixture("carbon_aware_emissions.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kCarbonAwareJson);
  ASSERT_EQ(r->series.size(), 2u);
  const auto* east = find(*r, "eastus");
  const auto* west = find(*r, "westus");
  ASSERT_NE(east, nullptr);
  ASSERT_NE(west, nullptr);
  EXPECT_EQ(east->signal(), Signal::kMarginal);
  EXPECT_EQ(east->origin(), Origin::kActual);
  ASSERT_EQ(west->size(), 2u);
  EXPECT_DOUBLE_EQ(west->point(1).value.grams_per_kwh(), 205.5);
  EXPECT_EQ(west->point(1).duration, std::chrono::minutes(5));
  EXPECT_NE(east->provenance().note.find("assumed"), std::string::npos);

  ImportOptions o;
  o.zone = "westus";
  o.carbon_aware_signal = Signal::kAverageLifecycle;
  auto w = import_fixture("carbon_aware_emissions.json", o);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  ASSERT_EQ(w->series.size(), 1u);
  EXPECT_EQ(w->series[0].zone(), "westus");
  EXPECT_EQ(w->series[0].signal(), Signal::kAverageLifecycle);
  EXPECT_EQ(w->skipped_rows, 2u);
}

TEST(CarbonAwareJson, ForecastDataIsAForecastInMinutes) {
  auto r = import_fixture("carbon_aware_forecast.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "eastus");
  EXPECT_EQ(s.origin(), Origin::kForecast);
  ASSERT_EQ(s.size(), 3u);  // optimalDataPoints are not extra points
  EXPECT_EQ(s.point(0).duration, std::chrono::minutes(30));
  EXPECT_DOUBLE_EQ(s.point(2).value.grams_per_kwh(), 359.23);
  ASSERT_TRUE(s.issued()) << "generatedAt is the issue time";
  EXPECT_EQ(*s.issued(), *parse_utc("2022-06-01T12:00:00Z"));
}

// Two forecasts of one location issued at different times (the SDK's
// /emissions/forecasts/batch answer): two series, each with its issue time,
// where one merged series would have overlapped itself.
TEST(CarbonAwareJson, ForecastsIssuedAtDifferentTimesAreSeparateSeries) {
  const std::string text = R"([
    {"generatedAt":"2022-06-01T12:00:00Z","location":"eastus","forecastData":[
      {"timestamp":"2022-06-01T12:00:00Z","duration":30,"value":1},
      {"timestamp":"2022-06-01T12:30:00Z","duration":30,"value":2}]},
    {"generatedAt":"2022-06-01T12:30:00Z","location":"eastus","forecastData":[
      {"timestamp":"2022-06-01T12:30:00Z","duration":30,"value":3}]},
    {"location":"eastus","forecastData":[
      {"timestamp":"2022-06-01T14:00:00Z","duration":30,"value":4}]}])";
  auto r = import_carbon_aware_json(text, "batch.json", {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 3u);
  EXPECT_EQ(r->series[0].issued(), *parse_utc("2022-06-01T12:00:00Z"));
  EXPECT_EQ(r->series[0].size(), 2u);
  EXPECT_EQ(r->series[1].issued(), *parse_utc("2022-06-01T12:30:00Z"));
  EXPECT_DOUBLE_EQ(r->series[1].point(0).value.grams_per_kwh(), 3);
  EXPECT_FALSE(r->series[2].issued()) << "no generatedAt: no issue time";
}

TEST(CarbonAwareJson, RollingWindowsLongerThanTheStepAreCutAndNoted) {
  const std::string text = R"([{"location":"eastus","forecastData":[
    {"timestamp":"2022-06-01T12:00:00Z","duration":30,"value":1},
    {"timestamp":"2022-06-01T12:05:00Z","duration":30,"value":2}]}])";
  auto r = import_carbon_aware_json(text, "f.json", {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].zone(), "eastus");  // taken from the container
  EXPECT_EQ(r->series[0].point(0).duration, std::chrono::minutes(5));
  EXPECT_EQ(r->series[0].point(1).duration, std::chrono::minutes(30));
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("rolling windows"), std::string::npos);
}

TEST(CarbonAwareJson, SdkTestDataFileImports) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = ::greenrun::testing::shared_data() / "carbon-aware-sdk/SYNTHETIC_test-data-aws-emissions.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  auto r = import_file(path.string(), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kCarbonAwareJson);
  EXPECT_EQ(r->rows, 600u);
  ASSERT_EQ(r->series.size(), 25u);
  for (const auto& s : r->series) {
    SCOPED_TRACE(s.zone());
    EXPECT_EQ(s.size(), 24u);
    EXPECT_EQ(s.point(0).duration, std::chrono::hours(1));  // "01:00" is a TimeSpan of one hour
    EXPECT_TRUE(s.gaps().empty());
  }
  EXPECT_NE(find(*r, "us-east-1"), nullptr);
  EXPECT_EQ(find(*r, "us-east-1")->start(), *parse_utc("2021-10-25T14:50:00+00:00"));
}

TEST(CarbonAwareJson, SdkSampleFileWithBomStringRatingsAndNoDurations) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = ::greenrun::testing::shared_data() / "carbon-aware-sdk/SYNTHETIC_sample-emissions-data.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  auto r = import_file(path.string(), {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->rows, 8u);
  // Sydney has five points; the three locations with one point and no
  // duration cannot become series and are skipped, with a note each.
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "Sydney");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 0.6);
  EXPECT_EQ(s.point(0).end(), s.point(1).start);
  EXPECT_EQ(s.point(4).duration, s.point(3).duration);
  EXPECT_EQ(r->skipped_rows, 3u);
  EXPECT_EQ(r->notes.size(), 3u);
}

TEST(CarbonAwareJson, BrokenInput) {
  expect_error(import_fixture("broken_carbon_aware_negative.json"),
               "broken_carbon_aware_negative.json: $[2].rating: expected a non-negative intensity");
  ImportOptions o;
  o.zone = "northeurope";
  expect_error(import_carbon_aware_json(R"([{"location":"eastus","time":"2022-01-01T00:00:00Z","rating":1,"duration":"00:05:00"}])",
                                        "z.json", o),
               "z.json: $[0].location: location \"eastus\" contradicts --zone northeurope");
  expect_error(import_carbon_aware_json(R"([{"location":"a","time":"2022-01-01T00:00:00Z","rating":1,"duration":"-00:05:00"}])",
                                        "d.json", {}),
               "d.json: $[0].duration: expected a TimeSpan");
  expect_error(import_carbon_aware_json(R"([{"location":"a","time":"2022-01-01T00:00:00Z","rating":"high"}])", "r.json", {}),
               "r.json: $[0].rating: expected a number, got a string \"high\"");
  expect_error(import_carbon_aware_json(R"([{"location":"a","time":"2022-01-01T00:05:00Z","rating":1,"duration":"00:05:00"},
      {"location":"a","time":"2022-01-01T00:00:00Z","rating":1,"duration":"00:05:00"}])", "m.json", {}),
               "m.json: $[1]: timestamps must increase");
  expect_error(import_carbon_aware_json(R"([{"location":"a","rating":1}])", "t.json", {}), "t.json: $[0]: expected \"time\"");
  expect_error(import_carbon_aware_json(R"([{"time":"2022-01-01T00:00:00Z","rating":1,"duration":"01:00"}])", "l.json", {}),
               "l.json: $[0]: expected a \"location\"");
  expect_error(import_carbon_aware_json(R"([{"location":"a","time":"2022-01-01T00:00:00Z","rating":1)", "tr.json", {}),
               "tr.json:1:");
  expect_error(import_carbon_aware_json("[]", "e.json", {}), "e.json: $: expected at least one emissions record");
}

}  // namespace
}  // namespace greenrun::intensity
