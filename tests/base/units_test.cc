#include "greenrun/base/units.h"

#include <gtest/gtest.h>

namespace greenrun {
namespace {

TEST(Units, ConvertsAtTheBoundaries) {
  EXPECT_DOUBLE_EQ(Energy::kilowatt_hours(1).joules(), 3.6e6);
  EXPECT_DOUBLE_EQ(Energy::microjoules(1e6).joules(), 1.0);
  EXPECT_DOUBLE_EQ(Energy::millijoules(1500).joules(), 1.5);
  EXPECT_DOUBLE_EQ(Energy::watt_hours(1000).kilowatt_hours(), 1.0);
  EXPECT_DOUBLE_EQ(CarbonIntensity::pounds_per_mwh(1000).grams_per_kwh(), 453.59237);
  EXPECT_DOUBLE_EQ(CarbonIntensity::tonnes_per_kwh(0.000338).grams_per_kwh(), 338.0);
}

TEST(Units, EnergyOverTimeIsPowerAndBack) {
  const Energy e = Energy::joules(3600);
  const Power p = e / std::chrono::hours(1);
  EXPECT_DOUBLE_EQ(p.watts(), 1.0);
  EXPECT_DOUBLE_EQ((p * std::chrono::hours(2)).joules(), 7200);
}

TEST(Units, EnergyTimesIntensityIsMass) {
  const Mass m = Energy::kilowatt_hours(2) * CarbonIntensity::grams_per_kwh(300);
  EXPECT_DOUBLE_EQ(m.grams(), 600);
  EXPECT_DOUBLE_EQ(m.kilograms(), 0.6);
}

}  // namespace
}  // namespace greenrun
