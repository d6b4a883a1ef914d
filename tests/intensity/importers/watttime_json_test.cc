#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {
namespace {

using testing::import_fixture;

constexpr double kLbs = 0.45359237;

UtcTime at(const char* iso) { return *parse_utc(iso); }

void expect_error(const Result<ImportResult>& r, const std::string& want) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << want;
  EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
}

TEST(WattTimeJson, HistoricalIsAnActualMarginalSeriesInGramsPerKwh) {
  auto r = import_fixture("watttime_historical.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kWattTimeJson);
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "CAISO_NORTH");
  EXPECT_EQ(s.signal(), Signal::kMarginal);
  EXPECT_EQ(s.origin(), Origin::kActual);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 1000.0 * kLbs);
  EXPECT_DOUBLE_EQ(s.point(3).value.grams_per_kwh(), 1100.5 * kLbs);
  EXPECT_EQ(s.point(0).duration, std::chrono::minutes(5));
  EXPECT_EQ(s.start(), at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(s.end(), at("2024-01-01T00:20:00Z"));
  auto m = s.mean(s.start(), s.end());
  ASSERT_TRUE(m.has_value());
  EXPECT_NEAR(m->grams_per_kwh(), (1000 + 800 + 600 + 1100.5) / 4.0 * kLbs, 1e-9);
  EXPECT_EQ(s.provenance().source, "watttime-v3-json");
}

TEST(WattTimeJson, ForecastIsDetectedByGeneratedAt) {
  auto r = import_fixture("watttime_forecast.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].origin(), Origin::kForecast);
  EXPECT_EQ(r->series[0].size(), 3u);
  // meta.generated_at is the forecast's issue time (store schema 3).
  ASSERT_TRUE(r->series[0].issued());
  EXPECT_EQ(format_utc(*r->series[0].issued()), "2024-01-01T12:00:00Z");
  ImportOptions o;
  o.watttime_origin = Origin::kActual;
  auto forced = import_fixture("watttime_forecast.json", o);
  ASSERT_TRUE(forced.has_value());
  EXPECT_EQ(forced->series[0].origin(), Origin::kActual);
  EXPECT_FALSE(forced->series[0].issued()) << "actual data has no issue time";
}

TEST(WattTimeJson, ForecastHistoryKeepsTheLatestGenerationAtOrBeforeEachPoint) {
  auto r = import_fixture("watttime_forecast_historical.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "PJM_DC");
  EXPECT_EQ(s.origin(), Origin::kForecast);
  EXPECT_FALSE(s.issued()) << "generations merged into one series have no one issue time";
  ASSERT_EQ(s.size(), 4u);
  // 00:00 only from the first generation; 00:05 and 00:10 from the second
  // (generated at 00:05, at or before both); 00:15 only from the second.
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 100 * kLbs);
  EXPECT_DOUBLE_EQ(s.point(1).value.grams_per_kwh(), 210 * kLbs);
  EXPECT_DOUBLE_EQ(s.point(2).value.grams_per_kwh(), 220 * kLbs);
  EXPECT_DOUBLE_EQ(s.point(3).value.grams_per_kwh(), 230 * kLbs);
  EXPECT_EQ(r->rows, 6u);
  EXPECT_EQ(r->skipped_rows, 2u);
  ASSERT_FALSE(r->notes.empty());
  // Each generation is also kept whole, issued at its generated_at, for
  // planning on the forecast as known at each decision.
  ASSERT_EQ(r->issues.size(), 2u);
  size_t points = 0;
  for (const auto& issue : r->issues) {
    EXPECT_EQ(issue.zone(), "PJM_DC");
    EXPECT_EQ(issue.origin(), Origin::kForecast);
    ASSERT_TRUE(issue.issued());
    EXPECT_LE(*issue.issued(), issue.start() + std::chrono::minutes(5)) << "issued about when it starts";
    points += issue.size();
  }
  EXPECT_EQ(points, 6u) << "every generation's points, superseded ones included";
  EXPECT_LT(*r->issues[0].issued(), *r->issues[1].issued());
}

TEST(WattTimeJson, ForecastHistorySkipsPointsNotYetForecastAtTheirStart) {
  const std::string text = R"({"data":[{"generated_at":"2024-01-01T00:10:00Z","forecast":[
    {"point_time":"2024-01-01T00:05:00Z","value":1},{"point_time":"2024-01-01T00:10:00Z","value":2}]}],
    "meta":{"region":"X"}})";
  auto r = import_watttime_json(text, "f.json", {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series[0].size(), 1u);
  EXPECT_EQ(r->series[0].start(), at("2024-01-01T00:10:00Z"));
  EXPECT_EQ(r->skipped_rows, 1u);
}

TEST(WattTimeJson, StepComesFromMeta) {
  const std::string text = R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":1},
    {"point_time":"2024-01-01T00:15:00Z","value":2}],"meta":{"region":"X","data_point_period_seconds":900}})";
  auto r = import_watttime_json(text, "s.json", {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].point(1).duration, std::chrono::minutes(15));
  EXPECT_TRUE(r->series[0].gaps().empty());
}

TEST(WattTimeJson, ZoneMustAgreeWithZoneFlag) {
  ImportOptions o;
  o.zone = "CAISO_NORTH";
  EXPECT_TRUE(import_fixture("watttime_historical.json", o).has_value());
  o.zone = "PJM_DC";
  expect_error(import_fixture("watttime_historical.json", o),
               "watttime_historical.json: $.meta.region: region \"CAISO_NORTH\" contradicts --zone PJM_DC");
  // Without meta.region, --zone is the zone, and is required.
  const std::string text = R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":1}]})";
  expect_error(import_watttime_json(text, "n.json", {}), "n.json: $.meta.region: expected the WattTime region");
  auto r = import_watttime_json(text, "n.json", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].zone(), "PJM_DC");
}

TEST(WattTimeJson, BrokenFilesGiveOneLineErrorsWithJsonPaths) {
  expect_error(import_fixture("broken_watttime_null_value.json"),
               "broken_watttime_null_value.json: $.data[1].value: expected a number, got null");
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":1}],"meta":{"region":"X","units":"percentile"}})",
                                    "u.json", {}),
               "u.json: $.meta.units: expected \"lbs_co2_per_mwh\" (or g_co2_per_kwh, kg_co2_per_mwh), got \"percentile\"");
  expect_error(import_fixture("broken_watttime_negative.json"), "$.data[2].value: expected a non-negative intensity");
  expect_error(import_fixture("broken_watttime_duplicate.json"), "$.data[2]: duplicate timestamp");
  expect_error(import_fixture("broken_watttime_truncated.json"), "broken_watttime_truncated.json:1:151: invalid JSON at $.data[2].point_time: unexpected end of input");
  expect_error(import_fixture("broken_watttime_truncated.json"), "; truncated: JSON ends early at byte 150");
  ImportOptions as_json;
  as_json.format = Format::kWattTimeJson;
  expect_error(import_fixture("broken_empty.json", as_json), "expected JSON, got an empty file");
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":NaN}]})", "nan.json", {}),
               "nan.json:1:");
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-13-01T00:00:00Z","value":1}]})", "m.json", {}),
               "m.json: $.data[0].point_time: expected an ISO 8601 date-time (month 01-12)");
  expect_error(import_watttime_json(R"({"data":[{"value":1}],"meta":{"region":"X"}})", "p.json", {}),
               "p.json: $.data[0]: expected a \"point_time\"");
  expect_error(import_watttime_json(R"({"data":{}})", "o.json", {}), "o.json: $.data: expected an array");
  expect_error(import_watttime_json(R"({"data":[],"meta":{"region":"X"}})", "e.json", {}),
               "e.json: $.data: expected at least one point");
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":1}],"meta":{"region":"X","signal_type":"health_damage"}})",
                                    "h.json", {}),
               "h.json: $.meta.signal_type: expected \"co2_moer\" or \"co2_aoer\"");
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":1}],"meta":{"region":"X","data_point_period_seconds":-5}})",
                                    "d.json", {}),
               "d.json: $.meta.data_point_period_seconds: expected a step between");
  expect_error(import_watttime_json(std::string(200, '['), "deep.json", {}), "levels of nesting");
}

TEST(WattTimeJson, KgPerMwhUnitsAreGramsPerKwh) {
  // The file once counted as broken: kg/MWh is g/kWh, so it converts exactly.
  auto r = import_fixture("broken_watttime_units.json");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_DOUBLE_EQ(r->series[0].point(0).value.grams_per_kwh(), 1000.0);
  EXPECT_DOUBLE_EQ(r->series[0].point(3).value.grams_per_kwh(), 1100.5);
  EXPECT_NE(r->series[0].provenance().note.find("kg_co2_per_mwh as g/kWh"), std::string::npos);
}

TEST(WattTimeJson, NullIsMissingMakesNullsCountedGaps) {
  ImportOptions o;
  o.null_is_missing = true;
  auto r = import_fixture("broken_watttime_null_value.json", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->missing_values, 1u);
  EXPECT_EQ(r->skipped_rows, 1u);
  EXPECT_EQ(r->rows, r->series[0].size() + 1);
  ASSERT_EQ(r->series[0].gaps().size(), 1u);  // a gap, never a zero
  bool noted = false;
  for (const auto& n : r->notes) noted = noted || n.find("1 null values") != std::string::npos;
  EXPECT_TRUE(noted);
  // Wrong types are still errors, and the message says null would do.
  expect_error(import_watttime_json(R"({"data":[{"point_time":"2024-01-01T00:00:00Z","value":"x"}],"meta":{"region":"X"}})",
                                    "s.json", o),
               "s.json: $.data[0].value: expected a number or null, got a string \"x\"");
}

TEST(WattTimeJson, AllowEmptyGivesNoSeriesInsteadOfAnError) {
  ImportOptions o;
  o.allow_empty = true;
  auto r = import_watttime_json(R"({"data":[],"meta":{"region":"X"}})", "e.json", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->series.empty());
}

}  // namespace
}  // namespace greenrun::intensity
