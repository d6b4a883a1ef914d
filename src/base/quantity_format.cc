#include "greenrun/base/quantity_format.h"

#include <cmath>
#include <cstdio>
#include <initializer_list>

namespace greenrun {
namespace {

std::string printed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::string format_mass(Mass m) {
  const double g = m.grams();
  if (!std::isfinite(g)) return "not a number";
  const double a = std::fabs(g);
  if (a == 0) return "0 g";
  if (a >= 1e6) return printed("%.3f t", g / 1e6);
  if (a >= 1e3) return printed("%.3f kg", g / 1e3);
  if (a >= 10) return printed("%.1f g", g);
  if (a >= 1) return printed("%.2f g", g);
  if (a >= 1e-3) return printed("%.1f mg", g * 1e3);
  return printed("%.3f mg", g * 1e3);
}

std::string format_energy(Energy e) {
  const double j = e.joules();
  if (!std::isfinite(j)) return "not a number";
  const double a = std::fabs(j);
  if (a == 0) return "0 J";
  if (a >= 3.6e6) return printed("%.3f kWh", e.kilowatt_hours());
  if (a >= 3600) return printed("%.2f Wh", e.watt_hours());
  if (a >= 1) return printed("%.1f J", j);
  return printed("%.3f J", j);
}

std::string format_power(Power p) {
  const double w = p.watts();
  if (!std::isfinite(w)) return "not a number";
  if (std::fabs(w) >= 1000) return printed("%.2f kW", w / 1000);
  if (std::fabs(w) >= 1) return printed("%.1f W", w);
  return printed("%.3f W", w);
}

namespace {

ColumnUnit column_unit(double a, std::initializer_list<ColumnUnit> units_largest_first,
                       std::initializer_list<double> thresholds) {
  auto unit = units_largest_first.begin();
  auto threshold = thresholds.begin();
  for (; threshold != thresholds.end(); ++unit, ++threshold)
    if (a >= *threshold) break;
  ColumnUnit u = *unit;
  const double scaled = a * u.per_si;
  // Three significant figures of the largest value, at least three decimals below 1.
  u.decimals = scaled >= 100 ? 1 : scaled >= 10 ? 2 : 3;
  return u;
}

std::string format_column(double si, const ColumnUnit& unit) {
  if (!std::isfinite(si)) return "not a number";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %.*s", unit.decimals, si * unit.per_si, static_cast<int>(unit.name.size()),
                unit.name.data());
  return buf;
}

}  // namespace

ColumnUnit mass_column_unit(Mass largest) {
  const double a = std::isfinite(largest.grams()) ? std::fabs(largest.grams()) : 0;
  if (a == 0) return {"g", 1, 0};  // a column of zeros reads "0 g"
  return column_unit(a, {{"t", 1e-6}, {"kg", 1e-3}, {"g", 1}, {"mg", 1e3}}, {1e6, 1e3, 1});
}

ColumnUnit energy_column_unit(Energy largest) {
  const double a = std::isfinite(largest.joules()) ? std::fabs(largest.joules()) : 0;
  if (a == 0) return {"J", 1, 0};
  return column_unit(a, {{"kWh", 1 / 3.6e6}, {"Wh", 1 / 3600.0}, {"J", 1}}, {3.6e6, 3600});
}

std::string format_in(Mass m, const ColumnUnit& unit) { return format_column(m.grams(), unit); }
std::string format_in(Energy e, const ColumnUnit& unit) { return format_column(e.joules(), unit); }

}  // namespace greenrun
