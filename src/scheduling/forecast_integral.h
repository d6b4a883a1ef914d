// ForecastIntegral: exact integrals of a piecewise-constant IntensitySeries
// for the planners. F(t) is the integral of intensity from the series start to
// t in (g/kWh) x ms, counting gaps as zero; callers check coverage first
// (require_covered) so that a gap is an error, never a silent zero.
//
// A Cursor answers F(t) for non-decreasing t in amortised O(1), which turns a
// scan over n candidate starts into O(n + points) instead of O(n log points).
//
// Thread-safety: const after construction; each Cursor belongs to one thread.
// The series must outlive the ForecastIntegral.
#pragma once

#include <cstdint>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"

namespace greenrun::scheduling {

// Grams of CO2e for `kw` kilowatts over an intensity integral in (g/kWh) x ms.
inline double grams_from_integral(double kw, double g_per_kwh_ms) {
  return kw * g_per_kwh_ms / 3.6e6;
}

class ForecastIntegral {
 public:
  explicit ForecastIntegral(const intensity::IntensitySeries& series);

  const intensity::IntensitySeries& series() const { return *series_; }

  // OK when every instant of [a, b) has data. Error (one line): the zone, the
  // window and the first missing instant. REQUIRES: a < b.
  [[nodiscard]] Status require_covered(UtcTime a, UtcTime b) const;

  // F(t) by binary search, O(log n).
  double cumulative(int64_t t_ms) const;

  // The duration of the point covering t, or of the first point after t.
  // REQUIRES: the series is not empty.
  Duration step_at(UtcTime t) const;

  class Cursor {
   public:
    explicit Cursor(const ForecastIntegral& f) : f_(&f) {}
    // F(t). REQUIRES: t no smaller than in the previous call.
    double at(int64_t t_ms);

   private:
    const ForecastIntegral* f_;
    size_t i_ = 0;
  };

 private:
  friend class Cursor;
  double value_from(size_t i, int64_t t_ms) const;

  const intensity::IntensitySeries* series_;
  std::vector<int64_t> start_;
  std::vector<int64_t> end_;
  std::vector<double> value_;
  std::vector<double> prefix_;  // prefix_[i] = integral of points [0, i)
};

// The time-weighted mean of each slot [start + i*slot, start + (i+1)*slot),
// i < count. REQUIRES: the slots are covered (checked by the caller).
std::vector<double> slot_means(const ForecastIntegral& f, UtcTime start, Duration slot,
                               size_t count);

}  // namespace greenrun::scheduling
