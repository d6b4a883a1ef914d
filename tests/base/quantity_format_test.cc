// One unit per column: the unit of the column's largest value, the same
// decimals for every row.
#include "greenrun/base/quantity_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace greenrun {
namespace {

TEST(ColumnUnit, TakesTheLargestValuesUnitAndKeepsItForEveryRow) {
  const auto kg = mass_column_unit(Mass::grams(1234));
  EXPECT_EQ(kg.name, "kg");
  EXPECT_EQ(format_in(Mass::grams(1234), kg), "1.234 kg");
  EXPECT_EQ(format_in(Mass::grams(4.2), kg), "0.004 kg");
  EXPECT_EQ(format_in(Mass::grams(0), kg), "0.000 kg");
  const auto g = mass_column_unit(Mass::grams(412.3));
  EXPECT_EQ(format_in(Mass::grams(412.3), g), "412.3 g");
  EXPECT_EQ(format_in(Mass::grams(0.12), g), "0.1 g");
  EXPECT_EQ(mass_column_unit(Mass::grams(0.5)).name, "mg");
  EXPECT_EQ(mass_column_unit(Mass::grams(-2e6)).name, "t") << "magnitude, not sign";
  EXPECT_EQ(format_in(Mass::grams(0), mass_column_unit(Mass::grams(0))), "0 g");
  EXPECT_EQ(format_in(Energy::joules(0), energy_column_unit(Energy::joules(0))), "0 J");
}

TEST(ColumnUnit, EnergiesAndNonFiniteValues) {
  const auto kwh = energy_column_unit(Energy::kilowatt_hours(12.5));
  EXPECT_EQ(format_in(Energy::kilowatt_hours(12.5), kwh), "12.50 kWh");
  EXPECT_EQ(format_in(Energy::joules(3600), kwh), "0.00 kWh");
  EXPECT_EQ(energy_column_unit(Energy::joules(7200)).name, "Wh");
  EXPECT_EQ(energy_column_unit(Energy::joules(0.2)).name, "J");
  EXPECT_EQ(format_in(Energy::joules(std::nan("")), kwh), "not a number");
  EXPECT_EQ(energy_column_unit(Energy::joules(std::nan(""))).name, "J");
}

}  // namespace
}  // namespace greenrun
