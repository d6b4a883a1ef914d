#include "greenrun/intensity/intensity_series.h"

#include <algorithm>
#include <cmath>

#include "greenrun/base/time_format.h"

namespace greenrun::intensity {

IntensitySeries::IntensitySeries(std::string zone, Signal signal, Origin origin)
    : zone_(std::move(zone)), signal_(signal), origin_(origin) {}

void IntensitySeries::reserve(size_t n) {
  start_ms_.reserve(n);
  value_.reserve(n);
  estimated_.reserve(n);
  prefix_ms_.reserve(n + 1);
  prefix_integral_.reserve(n + 1);
}

Status IntensitySeries::append(UtcTime start, Duration duration,
                               CarbonIntensity value, bool estimated) {
  const double v = value.grams_per_kwh();
  if (!std::isfinite(v)) return make_error("expected a finite intensity, got NaN or infinity");
  if (v < 0) return make_error("expected a non-negative intensity, got " + std::to_string(v));
  if (duration.count() <= 0)
    return make_error("expected a positive duration for the point at " + format_utc(start));
  const int64_t s = start.time_since_epoch().count();
  if (!start_ms_.empty()) {
    const int64_t prev_end = start_ms_.back() + (prefix_ms_.back() - prefix_ms_[prefix_ms_.size() - 2]);
    if (s == start_ms_.back())
      return make_error("duplicate timestamp " + format_utc(start));
    if (s < start_ms_.back())
      return make_error("timestamps must increase: " + format_utc(start) + " comes after " +
                        format_utc(UtcTime(Duration(start_ms_.back()))));
    if (s < prev_end)
      return make_error("point at " + format_utc(start) + " overlaps the previous one, which ends at " +
                        format_utc(UtcTime(Duration(prev_end))));
  }
  const int64_t d = duration.count();
  start_ms_.push_back(s);
  value_.push_back(v);
  estimated_.push_back(estimated ? 1 : 0);
  prefix_ms_.push_back(prefix_ms_.back() + d);
  prefix_integral_.push_back(prefix_integral_.back() + v * static_cast<double>(d));
  return {};
}

IntensityPoint IntensitySeries::point(size_t i) const {
  return IntensityPoint{UtcTime(Duration(start_ms_[i])),
                        Duration(prefix_ms_[i + 1] - prefix_ms_[i]),
                        CarbonIntensity::grams_per_kwh(value_[i]), estimated_[i] != 0};
}

std::vector<IntensityPoint> IntensitySeries::points() const {
  std::vector<IntensityPoint> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back(point(i));
  return out;
}

UtcTime IntensitySeries::start() const { return UtcTime(Duration(start_ms_.front())); }

UtcTime IntensitySeries::end() const {
  const size_t n = size();
  return UtcTime(Duration(start_ms_[n - 1] + prefix_ms_[n] - prefix_ms_[n - 1]));
}

size_t IntensitySeries::upper(int64_t t_ms) const {
  return static_cast<size_t>(std::upper_bound(start_ms_.begin(), start_ms_.end(), t_ms) -
                             start_ms_.begin());
}

std::optional<size_t> IntensitySeries::index_at(UtcTime t) const {
  const int64_t ms = t.time_since_epoch().count();
  const size_t u = upper(ms);
  if (u == 0) return std::nullopt;
  const size_t i = u - 1;
  if (ms < start_ms_[i] + prefix_ms_[i + 1] - prefix_ms_[i]) return i;
  return std::nullopt;
}

std::optional<CarbonIntensity> IntensitySeries::at(UtcTime t) const {
  const auto i = index_at(t);
  if (!i) return std::nullopt;
  return CarbonIntensity::grams_per_kwh(value_[*i]);
}

IntensitySeries::Integral IntensitySeries::integrate(UtcTime a, UtcTime b) const {
  Integral out;
  const int64_t lo = a.time_since_epoch().count();
  const int64_t hi = b.time_since_epoch().count();
  if (empty() || lo >= hi) return out;
  // First point that ends after lo: the one containing lo, or the next.
  size_t i = upper(lo);
  if (i > 0) {
    const size_t k = i - 1;
    if (lo < start_ms_[k] + prefix_ms_[k + 1] - prefix_ms_[k]) i = k;
  }
  // One past the last point that starts before hi.
  const size_t j = static_cast<size_t>(
      std::lower_bound(start_ms_.begin(), start_ms_.end(), hi) - start_ms_.begin());
  if (i >= j) return out;
  double integral = prefix_integral_[j] - prefix_integral_[i];
  int64_t covered = prefix_ms_[j] - prefix_ms_[i];
  // Trim the part of point i before lo and of point j-1 after hi.
  if (start_ms_[i] < lo) {
    const int64_t cut = lo - start_ms_[i];
    integral -= value_[i] * static_cast<double>(cut);
    covered -= cut;
  }
  const size_t last = j - 1;
  const int64_t last_end = start_ms_[last] + prefix_ms_[j] - prefix_ms_[last];
  if (last_end > hi) {
    const int64_t cut = last_end - hi;
    integral -= value_[last] * static_cast<double>(cut);
    covered -= cut;
  }
  out.g_per_kwh_ms = integral;
  out.covered = Duration(covered);
  return out;
}

bool IntensitySeries::covers(UtcTime a, UtcTime b) const {
  return integrate(a, b).covered == (b - a);
}

Result<CarbonIntensity> IntensitySeries::mean(UtcTime a, UtcTime b) const {
  if (a >= b)
    return make_error("expected a window [from, to) with from < to, got " + format_utc(a) + " .. " +
                      format_utc(b));
  // A window inside one point is answered exactly, without prefix rounding.
  if (const auto i = index_at(a); i && b <= point(*i).end())
    return CarbonIntensity::grams_per_kwh(value_[*i]);
  const Integral in = integrate(a, b);
  if (in.covered != b - a) {
    // Name the first uncovered instant.
    UtcTime first = a;
    if (!empty() && a >= start()) {
      for (const Gap& g : gaps())
        if (g.end > a) {
          first = std::max(g.start, a);
          break;
        }
      if (first == a && a < end() && index_at(a)) first = end();
    }
    return make_error("intensity data for zone " + zone_ + " does not cover " + format_utc(a) +
                      " .. " + format_utc(b) + " (first missing instant " + format_utc(first) + ")");
  }
  return CarbonIntensity::grams_per_kwh(in.g_per_kwh_ms /
                                        static_cast<double>((b - a).count()));
}

std::vector<Gap> IntensitySeries::gaps() const {
  std::vector<Gap> out;
  for (size_t i = 1; i < size(); ++i) {
    const int64_t prev_end = start_ms_[i - 1] + prefix_ms_[i] - prefix_ms_[i - 1];
    if (start_ms_[i] > prev_end)
      out.push_back(Gap{UtcTime(Duration(prev_end)), UtcTime(Duration(start_ms_[i]))});
  }
  return out;
}

Result<IntensitySeries> IntensitySeries::resample(Duration step) const {
  if (step.count() <= 0) return make_error("expected a positive resampling step");
  IntensitySeries out(zone_, signal_, origin_);
  out.provenance_ = provenance_;
  if (empty()) return out;
  const int64_t st = step.count();
  auto floor_to = [st](int64_t t) { return t >= 0 ? t / st * st : -((-t + st - 1) / st) * st; };
  int64_t bucket = floor_to(start_ms_.front());
  const int64_t last = end().time_since_epoch().count();
  size_t i = 0;  // first point that may overlap the bucket
  while (bucket < last) {
    const int64_t bend = bucket + st;
    while (i < size() && start_ms_[i] + prefix_ms_[i + 1] - prefix_ms_[i] <= bucket) ++i;
    if (i >= size()) break;
    if (start_ms_[i] >= bend) {
      // Jump over a gap.
      bucket = floor_to(start_ms_[i]);
      continue;
    }
    const Integral in = integrate(UtcTime(Duration(bucket)), UtcTime(Duration(bend)));
    if (in.covered.count() == st) {
      bool est = false;
      for (size_t k = i; k < size() && start_ms_[k] < bend; ++k) est = est || estimated_[k];
      const std::optional<size_t> single = index_at(UtcTime(Duration(bucket)));
      const double v = single && start_ms_[*single] + prefix_ms_[*single + 1] - prefix_ms_[*single] >= bend
                           ? value_[*single]
                           : in.g_per_kwh_ms / static_cast<double>(st);
      auto ok = out.append(UtcTime(Duration(bucket)), step, CarbonIntensity::grams_per_kwh(v), est);
      if (!ok) return make_error(ok.error().message);
    }
    bucket = bend;
  }
  return out;
}

IntensitySeries IntensitySeries::slice(UtcTime a, UtcTime b) const {
  IntensitySeries out(zone_, signal_, origin_);
  out.provenance_ = provenance_;
  for (size_t i = 0; i < size(); ++i) {
    IntensityPoint p = point(i);
    const UtcTime s = std::max(p.start, a);
    const UtcTime e = std::min(p.end(), b);
    if (s >= e) continue;
    (void)out.append(s, e - s, p.value, p.estimated);
  }
  return out;
}

size_t IntensitySeries::memory_bytes() const {
  return start_ms_.capacity() * sizeof(int64_t) + value_.capacity() * sizeof(double) +
         estimated_.capacity() + prefix_ms_.capacity() * sizeof(int64_t) +
         prefix_integral_.capacity() * sizeof(double);
}

}  // namespace greenrun::intensity
