#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {
namespace {

using testing::import_fixture;

TEST(WattTimeCsv, ImportsTheExportInGramsPerKwhUnderTheGivenZone) {
  ImportOptions o;
  o.zone = "CAISO_NORTH";
  auto r = import_fixture("watttime_historical.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->format, Format::kWattTimeCsv);
  ASSERT_EQ(r->series.size(), 1u);
  const auto& s = r->series[0];
  EXPECT_EQ(s.zone(), "CAISO_NORTH");
  EXPECT_EQ(s.signal(), Signal::kMarginal);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 1016.0 * 0.45359237);
  EXPECT_EQ(s.point(2).duration, std::chrono::seconds(300));
  EXPECT_NE(s.provenance().note.find("MOER version 3.0"), std::string::npos);
}

TEST(WattTimeCsv, FrequencyIsTheStep) {
  ImportOptions o;
  o.zone = "X";
  auto r = import_watttime_csv("timestamp,MOER,MOER version,frequency\n2020-01-01T00:00:00Z,1,3.0,3600\n", "f.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].point(0).duration, std::chrono::hours(1));
}

TEST(WattTimeCsv, RequiresZoneAndRejectsBadRows) {
  auto r = import_fixture("watttime_historical.csv");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("give --zone"), std::string::npos);
  ImportOptions o;
  o.zone = "X";
  const std::string h = "timestamp,MOER,MOER version,frequency\n";
  struct {
    std::string body, want;
  } cases[] = {
      {h + "2020-01-01T00:00:00Z,abc,3.0,300\n", "w.csv:2: column 2: expected a number, got \"abc\""},
      {h + "2020-01-01T00:00:00Z,-1,3.0,300\n", "w.csv:2: column 2: expected a non-negative MOER"},
      {h + "2020-01-01T00:00:00Z,1,3.0,0\n", "w.csv:2: column 4: expected a step between"},
      {h + "2020-01-01T00:05:00Z,1,3.0,300\n2020-01-01T00:00:00Z,1,3.0,300\n", "w.csv:3: timestamps must increase"},
      {h, "w.csv:2: expected data rows"},
      {"time,moer\n", "w.csv:1: expected a WattTime CSV header"},
  };
  for (const auto& c : cases) {
    auto e = import_watttime_csv(c.body, "w.csv", o);
    ASSERT_FALSE(e.has_value()) << c.want;
    EXPECT_NE(e.error().message.find(c.want), std::string::npos) << e.error().message;
  }
}

TEST(WattTimeCsv, PointTimeValueAndSemicolonExportsAreDetectedAsWattTime) {
  ImportOptions o;
  o.zone = "CAISO_NORTH";
  for (const std::string text : {
           "point_time,value\n2020-01-01T00:00:00+00:00,1016.0\n2020-01-01T00:05:00+00:00,1010.0\n",
           "timestamp;MOER;MOER version;frequency\n2020-01-01T00:00:00+00:00;1016.0;3.0;300\n"
           "2020-01-01T00:05:00+00:00;1010.0;3.0;300\n",
           "point_time;value\n2020-01-01T00:00:00+00:00;1016.0\n2020-01-01T00:05:00+00:00;1010.0\n",
       }) {
    auto f = detect_format(text, "wt.csv");
    ASSERT_TRUE(f.has_value()) << f.error().message;
    EXPECT_EQ(*f, Format::kWattTimeCsv) << text;
    auto r = import_text(text, "wt.csv", o);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->format, Format::kWattTimeCsv);
    const auto& s = r->series.at(0);
    EXPECT_EQ(s.signal(), Signal::kMarginal);
    EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), 1016.0 * 0.45359237);  // lbs/MWh, not g/kWh
    EXPECT_EQ(s.point(0).duration, std::chrono::minutes(5));
    EXPECT_EQ(s.provenance().note.find("as given by the user"), std::string::npos) << s.provenance().note;
  }
  // "timestamp,value" alone is still a generic CSV.
  auto generic = detect_format("timestamp,value\n2020-01-01T00:00:00Z,100\n", "g.csv");
  ASSERT_TRUE(generic.has_value());
  EXPECT_EQ(*generic, Format::kGenericCsv);
}

TEST(WattTimeCsv, NoneOrEmptyFrequencyTakesTheStepFromTheTimestamps) {
  ImportOptions o;
  o.zone = "CAISO_NORTH";
  // WattTime's own 2018 exports: "None" in every frequency cell, one row missing.
  const std::string text =
      "timestamp,MOER,MOER version,frequency\n"
      "2018-01-01T00:00:00+00:00,1000,2.0,None\n"
      "2018-01-01T00:05:00+00:00,1001,2.0,None\n"
      "2018-01-01T00:10:00+00:00,1002,2.0,\n"
      "2018-01-01T00:20:00+00:00,1003,2.0,None\n"
      "2018-01-01T00:25:00+00:00,1004,2.0,None\n";
  auto r = import_watttime_csv(text, "MOER_2018.csv", o);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const auto& s = r->series.at(0);
  ASSERT_EQ(s.size(), 5u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.point(i).duration, std::chrono::minutes(5)) << i;
  EXPECT_EQ(s.point(3).start - s.point(2).end(), std::chrono::minutes(5));  // the missing row stays a gap
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("5 rows without a frequency: step 300 s"), std::string::npos) << r->notes[0];
  // Hourly rows without the column at all.
  auto hourly = import_watttime_csv("point_time,value\n2020-01-01T00:00:00Z,1\n2020-01-01T01:00:00Z,2\n", "h.csv", o);
  ASSERT_TRUE(hourly.has_value()) << hourly.error().message;
  EXPECT_EQ(hourly->series[0].point(1).duration, std::chrono::hours(1));
}

TEST(WattTimeCsv, ImplausibleValuesAndUnterminatedQuotesAreRefusedWithFileAndLine) {
  ImportOptions o;
  o.zone = "CAISO_NORTH";
  auto big = import_text("point_time,value\n2020-01-01T00:00:00Z,1000\n2020-01-01T00:05:00Z,1e308\n", "wt.csv", o);
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("wt.csv:3: expected an intensity between 0 and 5000 g/kWh"), std::string::npos)
      << big.error().message;
  auto quote = import_text(
      "timestamp,MOER,MOER version,frequency\n2020-01-01T00:00:00Z,1000,\"3.0,300\n2020-01-01T00:05:00Z,1,3.0,300\n",
      "wt.csv", o);
  ASSERT_FALSE(quote.has_value());
  EXPECT_NE(quote.error().message.find("wt.csv:2: a quoted field opened on this line is never closed"),
            std::string::npos)
      << quote.error().message;
}

}  // namespace
}  // namespace greenrun::intensity
