#include "scheduling/forecast_integral.h"

#include <algorithm>

#include "greenrun/base/time_format.h"

namespace greenrun::scheduling {

ForecastIntegral::ForecastIntegral(const intensity::IntensitySeries& series) : series_(&series) {
  const size_t n = series.size();
  start_.reserve(n);
  end_.reserve(n);
  value_.reserve(n);
  prefix_.reserve(n + 1);
  prefix_.push_back(0.0);
  for (size_t i = 0; i < n; ++i) {
    const intensity::IntensityPoint p = series.point(i);
    start_.push_back(p.start.time_since_epoch().count());
    end_.push_back(p.end().time_since_epoch().count());
    value_.push_back(p.value.grams_per_kwh());
    prefix_.push_back(prefix_.back() +
                      value_.back() * static_cast<double>(end_.back() - start_.back()));
  }
}

Status ForecastIntegral::require_covered(UtcTime a, UtcTime b) const {
  if (series_->empty())
    return make_error("no intensity data for zone " + series_->zone() + " in " + format_utc(a) +
                      " .. " + format_utc(b));
  if (series_->covers(a, b)) return {};
  auto m = series_->mean(a, b);
  if (!m) return make_error(m.error().message);
  return make_error("intensity data for zone " + series_->zone() + " does not cover " +
                    format_utc(a) + " .. " + format_utc(b));
}

double ForecastIntegral::value_from(size_t i, int64_t t_ms) const {
  // i = number of points with start <= t.
  if (i == 0) return 0.0;
  const size_t k = i - 1;
  if (t_ms >= end_[k]) return prefix_[i];
  return prefix_[k] + value_[k] * static_cast<double>(t_ms - start_[k]);
}

double ForecastIntegral::cumulative(int64_t t_ms) const {
  const size_t i =
      static_cast<size_t>(std::upper_bound(start_.begin(), start_.end(), t_ms) - start_.begin());
  return value_from(i, t_ms);
}

Duration ForecastIntegral::step_at(UtcTime t) const {
  const int64_t ms = t.time_since_epoch().count();
  size_t i =
      static_cast<size_t>(std::upper_bound(start_.begin(), start_.end(), ms) - start_.begin());
  if (i > 0 && ms < end_[i - 1]) --i;
  if (i >= start_.size()) i = start_.size() - 1;
  return Duration(end_[i] - start_[i]);
}

double ForecastIntegral::Cursor::at(int64_t t_ms) {
  const auto& s = f_->start_;
  while (i_ < s.size() && s[i_] <= t_ms) ++i_;
  return f_->value_from(i_, t_ms);
}

std::vector<double> slot_means(const ForecastIntegral& f, UtcTime start, Duration slot,
                               size_t count) {
  std::vector<double> out(count);
  ForecastIntegral::Cursor c(f);
  const int64_t t0 = start.time_since_epoch().count();
  const int64_t s = slot.count();
  double prev = c.at(t0);
  for (size_t i = 0; i < count; ++i) {
    const double next = c.at(t0 + static_cast<int64_t>(i + 1) * s);
    out[i] = (next - prev) / static_cast<double>(s);
    prev = next;
  }
  return out;
}

}  // namespace greenrun::scheduling
