#include "base/quantity_format.h"

#include <cmath>
#include <cstdio>

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

}  // namespace greenrun
