#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {
namespace {

using testing::import_fixture;

const IntensitySeries* find(const ImportResult& r, const std::string& zone, Origin origin) {
  for (const auto& s : r.series)
    if (s.zone() == zone && s.origin() == origin) return &s;
  return nullptr;
}

void expect_error(const Result<ImportResult>& r, const std::string& want) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << want;
  EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
}

TEST(UkJson, NationalGivesActualAndForecastSeriesAndNullIsAGap) {
  auto r = import_fixture("uk_national.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kUkJson);
  ASSERT_EQ(r->series.size(), 2u);
  const auto* actual = find(*r, "GB", Origin::kActual);
  const auto* forecast = find(*r, "GB", Origin::kForecast);
  ASSERT_NE(actual, nullptr);
  ASSERT_NE(forecast, nullptr);
  EXPECT_EQ(actual->signal(), Signal::kAverageDirect);
  ASSERT_EQ(actual->size(), 2u);  // the null actuals are missing, not zero
  EXPECT_DOUBLE_EQ(actual->point(1).value.grams_per_kwh(), 268);
  EXPECT_EQ(actual->end(), *parse_utc("2018-01-20T13:00Z"));
  EXPECT_FALSE(actual->covers(*parse_utc("2018-01-20T12:00Z"), *parse_utc("2018-01-20T13:30Z")));
  ASSERT_EQ(forecast->size(), 4u);
  EXPECT_EQ(forecast->point(0).duration, std::chrono::minutes(30));
  auto m = forecast->mean(forecast->start(), forecast->end());
  ASSERT_TRUE(m.has_value());
  EXPECT_DOUBLE_EQ(m->grams_per_kwh(), (266 + 270 + 250 + 240) / 4.0);
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("2 periods have no actual value"), std::string::npos);
}

TEST(UkJson, NationalZoneFollowsZoneFlag) {
  ImportOptions o;
  o.zone = "GB-national";
  auto r = import_fixture("uk_national.json", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].zone(), "GB-national");
}

TEST(UkJson, RegionalSingleObject) {
  auto r = import_fixture("uk_regional.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "GB-UKCI-3");
  EXPECT_EQ(s.origin(), Origin::kForecast);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s.point(1).value.grams_per_kwh(), 175);
  EXPECT_NE(s.provenance().note.find("North West England"), std::string::npos);
}

TEST(UkJson, RegionalPostcodeArray) {
  auto r = import_fixture("uk_postcode.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].zone(), "GB-UKCI-13");
  EXPECT_DOUBLE_EQ(r->series[0].point(0).value.grams_per_kwh(), 199);
}

TEST(UkJson, AllRegionsGivesOneSeriesPerRegionAndZoneSelectsOne) {
  auto r = import_fixture("uk_all_regions.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 2u);
  const auto* london = find(*r, "GB-UKCI-13", Origin::kForecast);
  const auto* north = find(*r, "GB-UKCI-1", Origin::kForecast);
  ASSERT_NE(london, nullptr);
  ASSERT_NE(north, nullptr);
  ASSERT_EQ(london->size(), 2u);
  EXPECT_DOUBLE_EQ(london->point(1).value.grams_per_kwh(), 190);
  EXPECT_EQ(london->point(1).start, *parse_utc("2018-05-15T12:00Z"));  // "from" after "regions"
  EXPECT_DOUBLE_EQ(north->point(0).value.grams_per_kwh(), 0);

  ImportOptions o;
  o.zone = "London";
  auto only = import_fixture("uk_all_regions.json", o);
  ASSERT_TRUE(only.has_value()) << only.error().message;
  ASSERT_EQ(only->series.size(), 1u);
  EXPECT_EQ(only->series[0].zone(), "GB-UKCI-13");
  EXPECT_EQ(only->skipped_rows, 2u);
  o.zone = "GB-UKCI-99";
  expect_error(import_fixture("uk_all_regions.json", o), "--zone GB-UKCI-99 names none of the regions");
}

TEST(UkJson, BrokenInput) {
  expect_error(import_fixture("broken_uk_truncated.json"), "broken_uk_truncated.json:3:");
  expect_error(import_fixture("broken_uk_string_value.json"),
               "broken_uk_string_value.json: $.data[1].intensity.forecast: expected a number or null, got a string \"270\"");
  expect_error(import_uk_json(R"({"data":[{"from":"2018-01-20T12:30Z","to":"2018-01-20T12:00Z","intensity":{"forecast":1}}]})",
                              "b.json", {}),
               "b.json: $.data[0]: expected \"to\" after \"from\"");
  expect_error(import_uk_json(R"({"data":[{"from":"2018-01-20T12:00Z","intensity":{"forecast":1}}]})", "t.json", {}),
               "t.json: $.data[0]: expected \"to\"");
  expect_error(import_uk_json(R"({"data":[{"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":-4}}]})",
                              "n.json", {}),
               "n.json: $.data[0].intensity.forecast: expected a non-negative intensity");
  expect_error(import_uk_json(R"({"data":[
      {"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":1}},
      {"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":1}}]})",
                              "d.json", {}),
               "d.json: $.data[1]: duplicate timestamp");
  expect_error(import_uk_json(R"({"data":[{"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":null,"actual":null}}]})",
                              "z.json", {}),
               "z.json: $.data: expected at least one non-null intensity");
  expect_error(import_uk_json(R"({"error":{"code":"400"}})", "e.json", {}), "e.json: $: expected a UK Carbon Intensity");
  expect_error(import_uk_json(R"({"data":[]})", "e.json", {}), "e.json: $.data: expected at least one period");
}

TEST(UkJson, ForecastComesFirstAndNullForecastsAreMissingValues) {
  auto r = import_fixture("uk_national.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].origin(), Origin::kForecast);
  EXPECT_EQ(r->series[1].origin(), Origin::kActual);
  EXPECT_EQ(r->missing_values, 0u);  // the null actuals are the future, not missing
  auto n = import_uk_json(R"({"data":[{"from":"2018-01-20T12:00Z","to":"2018-01-20T12:30Z","intensity":{"forecast":null}},
                                      {"from":"2018-01-20T12:30Z","to":"2018-01-20T13:00Z","intensity":{"forecast":7}}]})",
                          "n.json", {});
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->missing_values, 1u);
}

TEST(UkJson, ApiErrorsQuoteTheApiAndEmptyAnswersMayBeAllowed) {
  expect_error(import_uk_json(R"({"error":{"code":"400 Bad Request","message":"Invalid date"}})", "e.json", {}),
               "e.json: $: expected a UK Carbon Intensity response with \"data\", got an API error: 400 Bad Request: Invalid date");
  expect_error(import_uk_json(R"({"data":[]})", "e.json", {}), "e.json: $.data: expected at least one period");
  ImportOptions o;
  o.allow_empty = true;
  auto r = import_uk_json(R"({"data":[]})", "e.json", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->series.empty());
}

}  // namespace
}  // namespace greenrun::intensity
