// The one way greenrun writes a quantity for people: every front end and
// every report uses these, so the same mass reads the same everywhere.
//
// Masses pick the unit by size (t, kg, g, mg) and keep three significant
// figures or more; energies likewise (kWh, Wh, J). Exact zero is "0 g" /
// "0 J". Non-finite values are written as "not a number" rather than "inf"
// or "nan", so a bug never looks like a figure. Machine-readable files write
// the SI number itself, never these strings.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "greenrun/base/units.h"

namespace greenrun {

std::string format_mass(Mass m);      // "2.500 t", "1.234 kg", "412.3 g", "4.12 g", "850.0 mg", "0.120 mg"
std::string format_energy(Energy e);  // "4.560 kWh", "1.23 Wh", "512.0 J", "0.250 J"
std::string format_power(Power p);    // "1.20 kW", "250.0 W", "0.500 W"

// One unit for a whole column (a table, a report): the unit format_mass /
// format_energy would pick for the column's largest magnitude, and every
// value written in it with the same decimals (three significant figures
// for that largest value, at least three decimals below one unit), so
// values line up and compare at a glance. A column of zeros reads "0 g" / "0 J".
struct ColumnUnit {
  std::string_view name;  // "kg", "g", "kWh", "J" ...
  double per_si = 1.0;    // value in this unit = SI value (g or J) x per_si
  int decimals = 3;
};
ColumnUnit mass_column_unit(Mass largest);
ColumnUnit energy_column_unit(Energy largest);
std::string format_in(Mass m, const ColumnUnit& unit);    // "0.412 kg"
std::string format_in(Energy e, const ColumnUnit& unit);  // "12.500 kWh"

}  // namespace greenrun
