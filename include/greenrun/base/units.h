// Physical quantities as types: Energy, Power, CarbonIntensity, Mass, plus the
// time types every part of greenrun shares.
//
// Values are carried in SI-ish canonical units (joules, watts, g CO2e per kWh,
// grams CO2e) as doubles. Conversions happen only at boundaries through the
// named factories and accessors; raw numbers never travel between modules.
//
// Thread-safety: all types are immutable values; safe to share.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>

namespace greenrun {

// UTC instants at millisecond resolution; intensity data uses whole seconds
// but energy intervals are sampled down to 10 ms.
using Duration = std::chrono::milliseconds;
using UtcTime = std::chrono::sys_time<Duration>;

// Seconds as a double, for rates.
inline double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}
inline double to_hours(Duration d) { return to_seconds(d) / 3600.0; }

class Power;

class Energy {
 public:
  constexpr Energy() = default;
  static constexpr Energy joules(double j) { return Energy(j); }
  static constexpr Energy microjoules(double uj) { return Energy(uj * 1e-6); }
  static constexpr Energy millijoules(double mj) { return Energy(mj * 1e-3); }
  static constexpr Energy watt_hours(double wh) { return Energy(wh * 3600.0); }
  static constexpr Energy kilowatt_hours(double kwh) {
    return Energy(kwh * 3.6e6);
  }
  static constexpr Energy zero() { return Energy(0.0); }

  constexpr double joules() const { return j_; }
  constexpr double watt_hours() const { return j_ / 3600.0; }
  constexpr double kilowatt_hours() const { return j_ / 3.6e6; }

  constexpr Energy operator+(Energy o) const { return Energy(j_ + o.j_); }
  constexpr Energy operator-(Energy o) const { return Energy(j_ - o.j_); }
  constexpr Energy& operator+=(Energy o) {
    j_ += o.j_;
    return *this;
  }
  constexpr Energy& operator-=(Energy o) {
    j_ -= o.j_;
    return *this;
  }
  constexpr Energy operator*(double k) const { return Energy(j_ * k); }
  constexpr Energy operator/(double k) const { return Energy(j_ / k); }
  constexpr double operator/(Energy o) const { return j_ / o.j_; }
  constexpr auto operator<=>(const Energy&) const = default;

 private:
  constexpr explicit Energy(double j) : j_(j) {}
  double j_ = 0.0;
};
constexpr Energy operator*(double k, Energy e) { return e * k; }

class Power {
 public:
  constexpr Power() = default;
  static constexpr Power watts(double w) { return Power(w); }
  static constexpr Power kilowatts(double kw) { return Power(kw * 1e3); }
  static constexpr Power zero() { return Power(0.0); }
  constexpr double watts() const { return w_; }

  constexpr Power operator+(Power o) const { return Power(w_ + o.w_); }
  constexpr Power operator-(Power o) const { return Power(w_ - o.w_); }
  constexpr Power& operator+=(Power o) {
    w_ += o.w_;
    return *this;
  }
  constexpr Power operator*(double k) const { return Power(w_ * k); }
  constexpr auto operator<=>(const Power&) const = default;

 private:
  constexpr explicit Power(double w) : w_(w) {}
  double w_ = 0.0;
};
constexpr Power operator*(double k, Power p) { return p * k; }

inline Energy operator*(Power p, Duration d) {
  return Energy::joules(p.watts() * to_seconds(d));
}
inline Energy operator*(Duration d, Power p) { return p * d; }
// REQUIRES: d > 0.
inline Power operator/(Energy e, Duration d) {
  return Power::watts(e.joules() / to_seconds(d));
}

// Mass of CO2-equivalent.
class Mass {
 public:
  constexpr Mass() = default;
  static constexpr Mass grams(double g) { return Mass(g); }
  static constexpr Mass kilograms(double kg) { return Mass(kg * 1e3); }
  static constexpr Mass tonnes(double t) { return Mass(t * 1e6); }
  static constexpr Mass zero() { return Mass(0.0); }
  constexpr double grams() const { return g_; }
  constexpr double kilograms() const { return g_ / 1e3; }

  constexpr Mass operator+(Mass o) const { return Mass(g_ + o.g_); }
  constexpr Mass operator-(Mass o) const { return Mass(g_ - o.g_); }
  constexpr Mass& operator+=(Mass o) {
    g_ += o.g_;
    return *this;
  }
  constexpr Mass operator*(double k) const { return Mass(g_ * k); }
  constexpr double operator/(Mass o) const { return g_ / o.g_; }
  constexpr auto operator<=>(const Mass&) const = default;

 private:
  constexpr explicit Mass(double g) : g_(g) {}
  double g_ = 0.0;
};
constexpr Mass operator*(double k, Mass m) { return m * k; }

// Grid carbon intensity in g CO2e per kWh.
class CarbonIntensity {
 public:
  static constexpr double kLbsPerMwhToGPerKwh = 0.45359237;

  constexpr CarbonIntensity() = default;
  static constexpr CarbonIntensity grams_per_kwh(double g) {
    return CarbonIntensity(g);
  }
  // WattTime MOER and eGRID units.
  static constexpr CarbonIntensity pounds_per_mwh(double lbs) {
    return CarbonIntensity(lbs * kLbsPerMwhToGPerKwh);
  }
  // Cloud Carbon Footprint tables: metric tonnes per kWh.
  static constexpr CarbonIntensity tonnes_per_kwh(double t) {
    return CarbonIntensity(t * 1e6);
  }
  constexpr double grams_per_kwh() const { return g_per_kwh_; }

  constexpr auto operator<=>(const CarbonIntensity&) const = default;

 private:
  constexpr explicit CarbonIntensity(double g) : g_per_kwh_(g) {}
  double g_per_kwh_ = 0.0;
};

constexpr Mass operator*(Energy e, CarbonIntensity i) {
  return Mass::grams(e.kilowatt_hours() * i.grams_per_kwh());
}
constexpr Mass operator*(CarbonIntensity i, Energy e) { return e * i; }

}  // namespace greenrun
