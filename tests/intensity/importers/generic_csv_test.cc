#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fixtures.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {
namespace {

using testing::import_fixture;

ImportOptions zoned(const std::string& zone = "XX") {
  ImportOptions o;
  o.zone = zone;
  return o;
}

void expect_error(const Result<ImportResult>& r, const std::string& want) {
  ASSERT_FALSE(r.has_value()) << "expected an error containing: " << want;
  EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
}

TEST(GenericCsv, HeaderedFileWithStepFromTheGapAndLastRowRepeatingIt) {
  auto o = zoned("DE");
  o.generic_signal = Signal::kAverageDirect;
  o.generic_origin = Origin::kForecast;
  auto r = import_fixture("generic.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kGenericCsv);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "DE");
  EXPECT_EQ(s.signal(), Signal::kAverageDirect);
  EXPECT_EQ(s.origin(), Origin::kForecast);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.point(2).duration, std::chrono::hours(1));
  EXPECT_DOUBLE_EQ(s.point(1).value.grams_per_kwh(), 298);
}

TEST(GenericCsv, NoHeaderUnitsAndTimeZone) {
  auto o = zoned();
  o.generic_unit = "kg/kWh";
  o.generic_tz_offset_minutes = 60;  // times are in UTC+01:00
  auto r = import_fixture("generic_noheader_kgkwh.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto& s = r->series[0];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.start(), *parse_utc("2024-02-29T23:00:00Z"));
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 312.5);
  EXPECT_EQ(s.point(0).duration, std::chrono::minutes(30));
}

TEST(GenericCsv, UnitConversions) {
  struct {
    const char* unit;
    const char* value;
    double g;
  } cases[] = {{"g/kWh", "1", 1},
               {"gCO2eq/kWh", "1", 1},
               {"lbs/MWh", "1", 0.45359237},
               {"kg/kWh", "1", 1000},
               {"t/kWh", "0.000338", 338}};  // Cloud Carbon Footprint's tables (within the 5000 g/kWh bound)
  for (const auto& c : cases) {
    const std::string body = std::string("2024-01-01T00:00:00Z,") + c.value + "\n";
    auto o = zoned();
    o.generic_unit = c.unit;
    o.generic_step = std::chrono::hours(1);
    auto r = import_generic_csv(body, "u.csv", o);
    ASSERT_TRUE(r.has_value()) << c.unit << ": " << r.error().message;
    EXPECT_NEAR(r->series[0].point(0).value.grams_per_kwh(), c.g, 1e-9) << c.unit;
  }
}

TEST(GenericCsv, ExplicitStepLeavesMissingRowsAsGaps) {
  auto o = zoned();
  o.generic_step = std::chrono::hours(1);
  auto r = import_generic_csv("2024-01-01T00:00Z,1\n2024-01-01T02:00Z,2\n", "g.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->series[0].gaps().size(), 1u);
}

TEST(GenericCsv, SemicolonSeparated) {
  auto r = import_generic_csv("time;value\n2024-01-01T00:00Z;1.5\n2024-01-01T01:00Z;2\n", "s.csv", zoned());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->series[0].point(0).value.grams_per_kwh(), 1.5);
}

TEST(GenericCsv, BadInput) {
  expect_error(import_fixture("generic.csv"), "generic.csv: a generic time,value CSV names no zone; give --zone");
  auto o = zoned();
  o.generic_unit = "furlongs";
  expect_error(import_fixture("generic.csv", o), "generic.csv: --unit: expected a unit g/kWh, lbs/MWh, kg/kWh or t/kWh, got \"furlongs\"");
  expect_error(import_fixture("broken_generic_nan.csv", zoned()), "broken_generic_nan.csv:3: column 2: expected a number, got \"NaN\"");
  expect_error(import_fixture("broken_generic_backwards.csv", zoned()), "broken_generic_backwards.csv:3: expected a time after");
  expect_error(import_generic_csv("2024-01-01T00:00Z,1\n", "one.csv", zoned()), "one.csv:1: a single row without a step");
  expect_error(import_generic_csv("", "e.csv", zoned()), "e.csv: expected time,value rows, got none");
  expect_error(import_generic_csv("time,value\n2024-01-01T00:00Z,-3\n", "n.csv", zoned()), "n.csv:2: column 2: expected a non-negative");
  expect_error(import_generic_csv("time,value\nyesterday,3\n", "t.csv", zoned()), "t.csv:2: column 1: expected an ISO 8601");
  auto fixed = zoned();
  fixed.generic_step = std::chrono::hours(1);
  expect_error(import_generic_csv("2024-01-01T00:00Z,1\n2024-01-01T00:00Z,2\n", "d.csv", fixed), "d.csv:2: duplicate timestamp");
}

TEST(GenericCsv, AnUnterminatedQuoteInAnIgnoredColumnIsRefusedAtItsLine) {
  ImportOptions o;
  o.zone = "DE";
  auto r = import_generic_csv("time,value,comment\n2024-03-01T00:00:00Z,312.5,\"oops\n2024-03-01T01:00:00Z,298,x\n"
                              "2024-03-01T02:00:00Z,290,x\n",
                              "g.csv", o);
  ASSERT_FALSE(r.has_value()) << r->series[0].size() << " rows imported";
  EXPECT_NE(r.error().message.find("g.csv:2: a quoted field opened on this line is never closed"), std::string::npos)
      << r.error().message;
}

TEST(GenericCsv, ValuesOutsideThePlausibilityBoundAreRefused) {
  ImportOptions o;
  o.zone = "DE";
  o.generic_unit = "kg/kWh";  // 6 kg/kWh = 6000 g/kWh
  auto r = import_generic_csv("time,value\n2024-03-01T00:00:00Z,0.3\n2024-03-01T01:00:00Z,6\n", "g.csv", o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("g.csv:3: expected an intensity between 0 and 5000 g/kWh, got 6000 g/kWh"),
            std::string::npos)
      << r.error().message;
}

// Local wall times across Berlin's DST changes of 2023: the repeated hour of
// 29 October is two hours, in order; the missing hour of 26 March is
// refused where it appears, never moved onto the next hour.
TEST(GenericCsv, LocalTimesAcrossDstChangesAreNeitherDuplicatedNorMisassigned) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin"))
    GTEST_SKIP() << "needs the tzdata package (/usr/share/zoneinfo/Europe/Berlin)";
  auto o = zoned("DE");
  auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz) << tz.error().message;
  o.generic_tz = *tz;
  const std::string autumn =
      "time,value\n2023-10-29 00:00,100\n2023-10-29 01:00,101\n2023-10-29 02:00,102\n2023-10-29 02:00,103\n"
      "2023-10-29 03:00,104\n2023-10-29 04:00,105\n";
  auto r = import_generic_csv(autumn, "autumn.csv", o);
  ASSERT_TRUE(r) << r.error().message;
  const auto& s = r->series[0];
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s.start(), *parse_utc("2023-10-28T22:00:00Z"));
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s.point(i).start, *parse_utc("2023-10-28T22:00:00Z") + std::chrono::hours(static_cast<int>(i))) << i;
    EXPECT_EQ(s.point(i).duration, std::chrono::hours(1)) << i;
    EXPECT_DOUBLE_EQ(s.point(i).value.grams_per_kwh(), 100 + static_cast<double>(i)) << i;
  }
  const std::string spring =
      "time,value\n2023-03-26 00:00,100\n2023-03-26 01:00,101\n2023-03-26 03:00,103\n2023-03-26 04:00,104\n";
  auto p = import_generic_csv(spring, "spring.csv", o);
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->series[0].size(), 4u);
  EXPECT_EQ(p->series[0].point(2).start, *parse_utc("2023-03-26T01:00:00Z")) << "03:00 CEST";
  EXPECT_EQ(p->series[0].point(1).duration, std::chrono::hours(1)) << "no hour stretched over the gap";
  expect_error(import_generic_csv("time,value\n2023-03-26 01:00,1\n2023-03-26 02:30,2\n", "gap.csv", o),
               "gap.csv:3: column 1: local time 2023-03-26 02:30 does not exist in Europe/Berlin");
  // A time written with its own offset is taken as written.
  auto z = import_generic_csv("2023-10-29T02:00:00Z,5\n2023-10-29T03:00:00Z,6\n", "z.csv", o);
  ASSERT_TRUE(z) << z.error().message;
  EXPECT_EQ(z->series[0].start(), *parse_utc("2023-10-29T02:00:00Z"));
}

}  // namespace
}  // namespace greenrun::intensity
