// IntensitySeries: one zone's carbon intensity over time, as piecewise-constant
// points [start, start + duration) in UTC, with the signal, origin (actual,
// forecast, typical) and provenance of the whole series and an "estimated"
// flag per point (providers model some points instead of measuring them).
//
// Steps may be mixed (30 min then 15 min). Gaps between points are explicit:
// they are never filled. Lookups and time-weighted means are O(log n) using
// prefix sums, so a year of 5-minute points answers millions of windows per
// second. Storage is a structure of arrays (about 33 bytes a point).
//
// Semantics (see docs and ../shared/reference/formats.md): the mean over
// [a, b) is sum(value_i x overlap_i) / (b - a), and a window that is not fully
// covered is an error, never a silent zero.
//
// Thread-safety: const methods are safe to call concurrently; appends are not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/signal.h"

namespace greenrun::intensity {

struct IntensityPoint {
  UtcTime start;
  Duration duration;
  CarbonIntensity value;
  bool estimated = false;

  UtcTime end() const { return start + duration; }
};

// Where the numbers came from, for every figure that uses them.
struct Provenance {
  std::string source;  // "electricitymaps-csv", "watttime-v3-json", "embedded-typical", ...
  std::string origin;  // a file path or URL
  std::string note;    // free text, e.g. "Data (c) Electricity Maps, ODbL"
};

struct Gap {
  UtcTime start;
  UtcTime end;
};

class IntensitySeries {
 public:
  IntensitySeries() = default;
  IntensitySeries(std::string zone, Signal signal, Origin origin = Origin::kActual);

  const std::string& zone() const { return zone_; }
  Signal signal() const { return signal_; }
  Origin origin() const { return origin_; }
  const Provenance& provenance() const { return provenance_; }
  void set_provenance(Provenance p) { provenance_ = std::move(p); }
  // When a forecast was issued (the provider's generated-at time, or what
  // the importer was told); nullopt when not known, and for actual data.
  const std::optional<UtcTime>& issued() const { return issued_; }
  void set_issued(std::optional<UtcTime> t) { issued_ = t; }

  // Appends a point after the last one. Errors (the caller adds file:line):
  // duration <= 0; value negative or not finite; start before the end of the
  // previous point (overlap, duplicate or non-monotonic timestamp).
  [[nodiscard]] Status append(UtcTime start, Duration duration,
                              CarbonIntensity value, bool estimated = false);
  void reserve(size_t n);

  size_t size() const { return start_ms_.size(); }
  bool empty() const { return start_ms_.empty(); }
  IntensityPoint point(size_t i) const;
  std::vector<IntensityPoint> points() const;

  // REQUIRES: !empty().
  UtcTime start() const;
  UtcTime end() const;

  // Index of the point covering t, if any.
  std::optional<size_t> index_at(UtcTime t) const;
  // The value at t; nullopt in a gap or outside the series.
  std::optional<CarbonIntensity> at(UtcTime t) const;

  // True when every instant of [a, b) lies in some point. REQUIRES: a < b.
  bool covers(UtcTime a, UtcTime b) const;

  // Time-weighted mean over [a, b). Error when a >= b or when [a, b) is not
  // fully covered (the message names the first uncovered instant).
  [[nodiscard]] Result<CarbonIntensity> mean(UtcTime a, UtcTime b) const;

  // The integral of intensity over [a, b) restricted to covered time, in
  // (g/kWh) x ms, and how much of [a, b) is covered. O(log n).
  struct Integral {
    double g_per_kwh_ms = 0.0;
    Duration covered{0};
  };
  Integral integrate(UtcTime a, UtcTime b) const;

  // Gaps between consecutive points.
  std::vector<Gap> gaps() const;

  // A series with points every `step`, aligned to multiples of step since the
  // Unix epoch. Each output point is the time-weighted mean of the input over
  // its bucket, and is estimated when any contributing input point is. Buckets
  // not fully covered are left out (they become gaps). Works for coarser and
  // finer steps alike. Error when step <= 0.
  [[nodiscard]] Result<IntensitySeries> resample(Duration step) const;

  // The points within [a, b) clipped to it (partial points are cut).
  IntensitySeries slice(UtcTime a, UtcTime b) const;

  // Bytes held by the point arrays (for the memory budget).
  size_t memory_bytes() const;

 private:
  // Number of points with start <= t.
  size_t upper(int64_t t_ms) const;

  std::string zone_;
  Signal signal_ = Signal::kAverageLifecycle;
  Origin origin_ = Origin::kActual;
  Provenance provenance_;
  std::optional<UtcTime> issued_;

  std::vector<int64_t> start_ms_;
  std::vector<double> value_;
  std::vector<uint8_t> estimated_;
  // prefix_ms_[i] = sum of durations of points [0, i); size n + 1.
  std::vector<int64_t> prefix_ms_{0};
  // prefix_integral_[i] = sum of value x duration_ms of points [0, i).
  std::vector<double> prefix_integral_{0.0};
};

}  // namespace greenrun::intensity
