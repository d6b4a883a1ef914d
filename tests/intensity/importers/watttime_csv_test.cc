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

}  // namespace
}  // namespace greenrun::intensity
