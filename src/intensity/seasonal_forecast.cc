#include "intensity/seasonal_forecast.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "base/quantity_parse.h"
#include "base/time_format.h"

namespace greenrun::intensity {
namespace {

struct Regular {
  UtcTime t0{};
  Duration step{};
  std::vector<double> v;
};

Result<Regular> regular(const IntensitySeries& s) {
  if (s.empty()) return make_error(ErrorKind::kNotFound, "zone " + s.zone() + ": no history to forecast from");
  Regular r;
  r.t0 = s.start();
  r.step = s.point(0).duration;
  if (std::chrono::hours(1) % r.step != Duration(0))
    return make_error(ErrorKind::kBadData, "zone " + s.zone() + ": a seasonal forecast needs a step that divides an hour, got " +
                                               format_duration(r.step));
  UtcTime expect = r.t0;
  r.v.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto p = s.point(i);
    if (p.start != expect || p.duration != r.step)
      return make_error(ErrorKind::kBadData, "zone " + s.zone() + ": the history must be regular and gap-free; at " +
                                                 format_utc(expect) + " the next point is " + format_utc(p.start) +
                                                 " lasting " + format_duration(p.duration));
    r.v.push_back(p.value.grams_per_kwh());
    expect = p.end();
  }
  return r;
}

// Forecasts of v[i + h], h in [0, H), from what is known before index i.
class Models {
 public:
  Models(const Regular& r, size_t train_end) : r_(r) {
    day_ = static_cast<size_t>(std::chrono::hours(24) / r.step);
    week_ = 7 * day_;
    profile_.assign(week_, 0);
    std::vector<size_t> count(week_, 0);
    for (size_t j = 0; j < train_end; ++j) {
      profile_[slot(j)] += r.v[j];
      ++count[slot(j)];
    }
    for (size_t k = 0; k < week_; ++k) profile_[k] = count[k] ? profile_[k] / static_cast<double>(count[k]) : NAN;
  }
  size_t week() const { return week_; }

  // Fits the lag-calendar model for horizons of H steps on forecasts issued
  // inside [week, train_end - H] (only data before train_end is read). Per
  // horizon bucket (6 h) a least-squares fit, lightly ridge-regularised, of
  // the value on [1, last known value, seasonal-day, seasonal-week, weekly
  // profile]. With fewer than 20 issue times to learn from, the model is
  // seasonal-day.
  void fit_lag_calendar(size_t train_end, size_t H) {
    bucket_ = std::max<size_t>(1, static_cast<size_t>(std::chrono::hours(6) / r_.step));
    const size_t buckets = (H + bucket_ - 1) / bucket_;
    weights_.assign(buckets, Weights{0, 0, 1, 0, 0});
    if (train_end < week_ + H + 20) return;
    const size_t first = week_, last = train_end - H;  // issue times i with i + H <= train_end
    const size_t every = std::max<size_t>(1, (last - first) / 2000);
    if ((last - first) / every < 20) return;
    std::vector<std::array<double, 25>> ata(buckets);
    std::vector<Weights> aty(buckets);
    for (auto& a : ata) a.fill(0);
    for (auto& a : aty) a.fill(0);
    for (size_t i = first; i <= last; i += every)
      for (size_t h = 0; h < H; ++h) {
        const Weights x = features(i, h);
        const double y = r_.v[i + h];
        auto& a = ata[h / bucket_];
        auto& b = aty[h / bucket_];
        for (size_t p = 0; p < 5; ++p) {
          b[p] += x[p] * y;
          for (size_t q = 0; q < 5; ++q) a[p * 5 + q] += x[p] * x[q];
        }
      }
    for (size_t k = 0; k < buckets; ++k)
      if (auto w = solve(ata[k], aty[k])) weights_[k] = *w;
  }

  // REQUIRES: i >= week(); for kLagCalendar, fit_lag_calendar() first.
  double predict(SeasonalModel m, size_t i, size_t h) const {
    switch (m) {
      case SeasonalModel::kLagCalendar: {
        const Weights x = features(i, h);
        const Weights& w = weights_[std::min(h / bucket_, weights_.size() - 1)];
        double y = 0;
        for (size_t p = 0; p < 5; ++p) y += w[p] * x[p];
        return std::max(0.0, y);
      }
      case SeasonalModel::kSeasonalDay: return r_.v[i + h - day_ * (h / day_ + 1)];
      case SeasonalModel::kSeasonalWeek: return r_.v[i + h - week_ * (h / week_ + 1)];
      case SeasonalModel::kWeeklyProfile: {
        const double p = profile_[slot(i + h)];
        return std::isnan(p) ? r_.v[i + h - week_ * (h / week_ + 1)] : p;
      }
    }
    return 0;
  }

 private:
  // The index's hour-of-week slot (UTC; the epoch began on a Thursday).
  size_t slot(size_t j) const {
    const auto since = (r_.t0 + r_.step * static_cast<int64_t>(j)).time_since_epoch();
    const auto steps = static_cast<size_t>(since / r_.step);
    return steps % week_;
  }
  using Weights = std::array<double, 5>;
  // [1, the last value known at i, seasonal-day, seasonal-week, the weekly
  // profile (seasonal-week where the profile has no data)].
  Weights features(size_t i, size_t h) const {
    const double week_ago = r_.v[i + h - week_ * (h / week_ + 1)];
    const double p = profile_[slot(i + h)];
    return {1.0, r_.v[i - 1], r_.v[i + h - day_ * (h / day_ + 1)], week_ago, std::isnan(p) ? week_ago : p};
  }
  // Solves (A + ridge) w = b by Gaussian elimination with partial pivoting;
  // none when singular.
  static std::optional<Weights> solve(std::array<double, 25> a, Weights b) {
    double trace = 0;
    for (size_t p = 1; p < 5; ++p) trace += a[p * 5 + p];
    for (size_t p = 1; p < 5; ++p) a[p * 5 + p] += 1e-6 * trace / 4;  // not the intercept
    for (size_t c = 0; c < 5; ++c) {
      size_t piv = c;
      for (size_t r = c + 1; r < 5; ++r)
        if (std::abs(a[r * 5 + c]) > std::abs(a[piv * 5 + c])) piv = r;
      if (std::abs(a[piv * 5 + c]) < 1e-12) return std::nullopt;
      if (piv != c) {
        for (size_t q = 0; q < 5; ++q) std::swap(a[c * 5 + q], a[piv * 5 + q]);
        std::swap(b[c], b[piv]);
      }
      for (size_t r = c + 1; r < 5; ++r) {
        const double f = a[r * 5 + c] / a[c * 5 + c];
        for (size_t q = c; q < 5; ++q) a[r * 5 + q] -= f * a[c * 5 + q];
        b[r] -= f * b[c];
      }
    }
    Weights w{};
    for (size_t c = 5; c-- > 0;) {
      double v = b[c];
      for (size_t q = c + 1; q < 5; ++q) v -= a[c * 5 + q] * w[q];
      w[c] = v / a[c * 5 + c];
    }
    return w;
  }

  const Regular& r_;
  size_t day_ = 24, week_ = 168;
  std::vector<double> profile_;
  size_t bucket_ = 6;
  std::vector<Weights> weights_;
};

Result<size_t> steps_of(Duration d, Duration step, const char* what) {
  if (d.count() <= 0 || d % step != Duration(0))
    return make_error(ErrorKind::kUsage, std::string("expected a ") + what + " that is a whole number of data steps (" +
                                             format_duration(step) + "), got " + format_duration(d));
  return static_cast<size_t>(d / step);
}

}  // namespace

std::string_view to_string(SeasonalModel m) {
  switch (m) {
    case SeasonalModel::kSeasonalDay: return "seasonal-day";
    case SeasonalModel::kSeasonalWeek: return "seasonal-week";
    case SeasonalModel::kWeeklyProfile: return "weekly-profile";
    case SeasonalModel::kLagCalendar: return "lag-calendar";
  }
  return "?";
}

Result<Backtest> backtest(const IntensitySeries& history, UtcTime test_from, Duration horizon, Duration issue_every) {
  auto r = regular(history);
  if (!r) return std::unexpected(r.error());
  auto H = steps_of(horizon, r->step, "horizon");
  if (!H) return std::unexpected(H.error());
  auto every = steps_of(issue_every, r->step, "issue interval");
  if (!every) return std::unexpected(every.error());
  const size_t n = r->v.size();
  if (test_from <= r->t0 || test_from >= history.end())
    return make_error(ErrorKind::kUsage, "the backtest's start " + format_utc(test_from) + " must fall inside the history (" +
                                             format_utc(r->t0) + " .. " + format_utc(history.end()) + ")");
  const auto test = static_cast<size_t>((test_from - r->t0 + r->step - Duration(1)) / r->step);
  Models m(*r, test);
  if (test < m.week())
    return make_error(ErrorKind::kUsage, "a backtest needs at least a week of training data before " + format_utc(test_from));
  m.fit_lag_calendar(test, *H);
  if (test + *H > n)
    return make_error(ErrorKind::kUsage, "no full horizon of " + format_duration(horizon) + " after " + format_utc(test_from));
  Backtest b;
  b.train_from = r->t0;
  b.train_to = b.test_from = r->t0 + r->step * static_cast<int64_t>(test);
  b.test_to = history.end();
  double mean = 0;
  for (size_t j = test; j < n; ++j) mean += r->v[j];
  mean /= static_cast<double>(n - test);
  for (SeasonalModel model : {SeasonalModel::kSeasonalDay, SeasonalModel::kSeasonalWeek, SeasonalModel::kWeeklyProfile,
                              SeasonalModel::kLagCalendar}) {
    ModelBacktest mb;
    mb.model = model;
    mb.mae_by_step.assign(*H, 0);
    size_t issues = 0;
    for (size_t i = test; i + *H <= n; i += *every) {
      ++issues;
      for (size_t h = 0; h < *H; ++h) mb.mae_by_step[h] += std::abs(m.predict(model, i, h) - r->v[i + h]);
    }
    double total = 0;
    for (double& e : mb.mae_by_step) {
      e /= static_cast<double>(issues);
      total += e;
    }
    mb.mae = total / static_cast<double>(*H);
    mb.mae_percent = mean > 0 ? 100 * mb.mae / mean : 0;
    b.forecasts = issues;
    b.models.push_back(std::move(mb));
  }
  for (const auto& mb : b.models)
    if (mb.mae < b.models[static_cast<size_t>(b.best)].mae) b.best = mb.model;
  return b;
}

Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history, SeasonalModel model, UtcTime issue,
                                          Duration horizon) {
  auto r = regular(history);
  if (!r) return std::unexpected(r.error());
  auto H = steps_of(horizon, r->step, "horizon");
  if (!H) return std::unexpected(H.error());
  if (issue < r->t0 || issue > history.end() || (issue - r->t0) % r->step != Duration(0))
    return make_error(ErrorKind::kUsage, "the forecast's issue time " + format_utc(issue) +
                                             " must be a data step within the history (" + format_utc(r->t0) + " .. " +
                                             format_utc(history.end()) + ")");
  const auto i = static_cast<size_t>((issue - r->t0) / r->step);
  Models m(*r, i);
  if (i < m.week())
    return make_error(ErrorKind::kUsage, "a seasonal forecast needs at least a week of history before " + format_utc(issue));
  if (model == SeasonalModel::kLagCalendar) m.fit_lag_calendar(i, *H);
  IntensitySeries out(history.zone(), history.signal(), Origin::kForecast);
  out.set_provenance({"greenrun-" + std::string(to_string(model)),
                      "trained on " + format_utc(r->t0) + " .. " + format_utc(issue), history.provenance().note});
  for (size_t h = 0; h < *H; ++h) {
    const double v = m.predict(model, i, h);  // only data before i
    (void)out.append(issue + r->step * static_cast<int64_t>(h), r->step, CarbonIntensity::grams_per_kwh(v));
  }
  return out;
}

}  // namespace greenrun::intensity
