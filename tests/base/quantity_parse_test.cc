#include "greenrun/base/quantity_parse.h"

#include <gtest/gtest.h>

namespace greenrun {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, ReadsUnitsAndCombinations) {
  EXPECT_EQ(*parse_duration("6h"), hours(6));
  EXPECT_EQ(*parse_duration("90m"), minutes(90));
  EXPECT_EQ(*parse_duration("1h30m"), minutes(90));
  EXPECT_EQ(*parse_duration("45s"), seconds(45));
  EXPECT_EQ(*parse_duration("250ms"), Duration(250));
  EXPECT_EQ(*parse_duration("2d"), hours(48));
  EXPECT_EQ(*parse_duration("1.5h"), minutes(90));
}

TEST(ParseDuration, ReadsDotNetTimeSpans) {
  EXPECT_EQ(*parse_duration("08:00:00"), hours(8));
  EXPECT_EQ(*parse_duration("00:05:00"), minutes(5));
  EXPECT_EQ(*parse_duration("1.00:00:00"), hours(24));
}

TEST(ParseDuration, RejectsJunkAndNegatives) {
  for (const char* s : {"", "6", "h", "-1h", "6x", "1:2", "nan h"}) EXPECT_FALSE(parse_duration(s)) << s;
}

TEST(ParsePower, ReadsWattsAndKilowatts) {
  EXPECT_DOUBLE_EQ(parse_power("300W")->watts(), 300);
  EXPECT_DOUBLE_EQ(parse_power("0.3 kW")->watts(), 300);
  EXPECT_FALSE(parse_power("300"));
  EXPECT_FALSE(parse_power("-3W"));
}

TEST(ParseEnergy, ReadsBoundaryUnits) {
  EXPECT_DOUBLE_EQ(parse_energy("3.1kWh")->joules(), 3.1 * 3.6e6);
  EXPECT_DOUBLE_EQ(parse_energy("500Wh")->joules(), 500 * 3600.0);
  EXPECT_DOUBLE_EQ(parse_energy("12J")->joules(), 12);
  EXPECT_DOUBLE_EQ(parse_energy("7mJ")->joules(), 0.007);
  EXPECT_DOUBLE_EQ(parse_energy("1.2MJ")->joules(), 1.2e6);
  EXPECT_FALSE(parse_energy("3.1"));
  EXPECT_FALSE(parse_energy("3.1 kWs"));
}

TEST(ParseNumber, RejectsNanInfAndTrailingText) {
  EXPECT_DOUBLE_EQ(*parse_number(" 42.5 "), 42.5);
  for (const char* s : {"nan", "inf", "1e999", "4x", ""}) EXPECT_FALSE(parse_number(s)) << s;
}

TEST(FormatDuration, IsReadableAndParsesBack) {
  EXPECT_EQ(format_duration(minutes(90)), "1h30m");
  EXPECT_EQ(format_duration(Duration(250)), "250ms");
  EXPECT_EQ(*parse_duration(format_duration(hours(50) + seconds(7))), hours(50) + seconds(7));
}

}  // namespace
}  // namespace greenrun
