#include "greenrun/intensity/seasonal_forecast.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"

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

namespace {

// A backtest's inputs, checked: the regular series, the horizon and issue
// interval in steps, and the index of test_from.
struct Prepared {
  Regular r;
  size_t H = 0, every = 0, test = 0;
};

Result<Prepared> prepare(const IntensitySeries& history, UtcTime test_from, Duration horizon, Duration issue_every) {
  Prepared p;
  auto r = regular(history);
  if (!r) return std::unexpected(r.error());
  p.r = std::move(*r);
  auto H = steps_of(horizon, p.r.step, "horizon");
  if (!H) return std::unexpected(H.error());
  auto every = steps_of(issue_every, p.r.step, "issue interval");
  if (!every) return std::unexpected(every.error());
  p.H = *H;
  p.every = *every;
  if (test_from <= p.r.t0 || test_from >= history.end())
    return make_error(ErrorKind::kUsage, "the backtest's start " + format_utc(test_from) + " must fall inside the history (" +
                                             format_utc(p.r.t0) + " .. " + format_utc(history.end()) + ")");
  p.test = static_cast<size_t>((test_from - p.r.t0 + p.r.step - Duration(1)) / p.r.step);
  if (p.test < 7 * static_cast<size_t>(std::chrono::hours(24) / p.r.step))
    return make_error(ErrorKind::kUsage, "a backtest needs at least a week of training data before " + format_utc(test_from));
  if (p.test + p.H > p.r.v.size())
    return make_error(ErrorKind::kUsage, "no full horizon of " + format_duration(horizon) + " after " + format_utc(test_from));
  return p;
}

// The horizon bands' edges: 6 h, 12 h, 24 h, 48 h, then daily, cut at the
// horizon, in whole steps.
std::vector<size_t> band_edges(Duration step, size_t H) {
  std::vector<size_t> edges;
  for (int64_t hours = 6;; hours = hours < 48 ? 2 * hours : hours + 24) {
    const auto e = static_cast<size_t>(std::chrono::hours(hours) / step);
    if (e >= H) break;
    if (e > 0 && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  edges.push_back(H);
  return edges;
}

// The model each horizon step uses under `bands`.
std::vector<SeasonalModel> per_step(const std::vector<HorizonBand>& bands, Duration step, size_t H) {
  std::vector<SeasonalModel> out(H, bands.empty() ? SeasonalModel::kSeasonalDay : bands.back().model);
  for (size_t h = 0; h < H; ++h) {
    const Duration t = step * static_cast<int64_t>(h);
    for (const HorizonBand& b : bands)
      if (b.from <= t && t < b.to) {
        out[h] = b.model;
        break;
      }
  }
  return out;
}

bool uses(const std::vector<SeasonalModel>& models, SeasonalModel m) {
  return std::find(models.begin(), models.end(), m) != models.end();
}

}  // namespace

bool Backtest::single() const {
  for (const HorizonBand& b : bands)
    if (b.model != bands.front().model) return false;
  return true;
}

std::string describe(const std::vector<HorizonBand>& bands) {
  std::string out;
  for (size_t i = 0; i < bands.size();) {
    size_t j = i;
    while (j + 1 < bands.size() && bands[j + 1].model == bands[i].model) ++j;
    if (!out.empty()) out += ", ";
    char span[48];
    std::snprintf(span, sizeof span, " %g-%g h", to_hours(bands[i].from), to_hours(bands[j].to));
    out += std::string(to_string(bands[i].model)) + span;
    i = j + 1;
  }
  return out;
}

Result<Backtest> backtest(const IntensitySeries& history, UtcTime test_from, Duration horizon, Duration issue_every) {
  auto prepared = prepare(history, test_from, horizon, issue_every);
  if (!prepared) return std::unexpected(prepared.error());
  const Regular& r = prepared->r;
  const size_t H = prepared->H, every = prepared->every, test = prepared->test, n = r.v.size();
  Models m(r, test);
  m.fit_lag_calendar(test, H);
  Backtest b;
  b.train_from = r.t0;
  b.train_to = b.test_from = r.t0 + r.step * static_cast<int64_t>(test);
  b.test_to = history.end();
  double mean = 0;
  for (size_t j = test; j < n; ++j) mean += r.v[j];
  mean /= static_cast<double>(n - test);
  // Scores a model per step over every issue time.
  auto score = [&](const std::vector<SeasonalModel>& models) {
    ModelBacktest mb;
    mb.model = models.front();
    mb.mae_by_step.assign(H, 0);
    size_t issues = 0;
    for (size_t i = test; i + H <= n; i += every) {
      ++issues;
      for (size_t h = 0; h < H; ++h) mb.mae_by_step[h] += std::abs(m.predict(models[h], i, h) - r.v[i + h]);
    }
    double total = 0;
    for (double& e : mb.mae_by_step) {
      e /= static_cast<double>(issues);
      total += e;
    }
    mb.mae = total / static_cast<double>(H);
    mb.mae_percent = mean > 0 ? 100 * mb.mae / mean : 0;
    b.forecasts = issues;
    return mb;
  };
  for (SeasonalModel model : {SeasonalModel::kSeasonalDay, SeasonalModel::kSeasonalWeek, SeasonalModel::kWeeklyProfile,
                              SeasonalModel::kLagCalendar})
    b.models.push_back(score(std::vector<SeasonalModel>(H, model)));
  for (auto& mb : b.models) {
    mb.worse_than_naive = mb.mae > b.models.front().mae;
    if (mb.mae < b.models[static_cast<size_t>(b.best)].mae) b.best = mb.model;
  }
  // The best model per band (ties: the simpler, earlier in enum order).
  size_t from = 0;
  for (size_t to : band_edges(r.step, H)) {
    HorizonBand band;
    band.from = r.step * static_cast<int64_t>(from);
    band.to = r.step * static_cast<int64_t>(to);
    band.mae = -1;
    for (const auto& mb : b.models) {
      double sum = 0;
      for (size_t h = from; h < to; ++h) sum += mb.mae_by_step[h];
      const double mae = sum / static_cast<double>(to - from);
      if (band.mae < 0 || mae < band.mae) {
        band.mae = mae;
        band.model = mb.model;
      }
    }
    b.bands.push_back(band);
    from = to;
  }
  b.combined = score(per_step(b.bands, r.step, H));
  b.combined.worse_than_naive = b.combined.mae > b.models.front().mae;
  return b;
}

Result<std::vector<IntensitySeries>> backtest_forecasts(const IntensitySeries& history, UtcTime test_from,
                                                        Duration horizon, Duration issue_every,
                                                        const std::vector<HorizonBand>& bands) {
  auto prepared = prepare(history, test_from, horizon, issue_every);
  if (!prepared) return std::unexpected(prepared.error());
  const Regular& r = prepared->r;
  const size_t H = prepared->H, every = prepared->every, test = prepared->test, n = r.v.size();
  Models m(r, test);
  const auto models = per_step(bands, r.step, H);
  if (uses(models, SeasonalModel::kLagCalendar)) m.fit_lag_calendar(test, H);
  std::vector<IntensitySeries> out;
  for (size_t i = test; i + H <= n; i += every) {
    const UtcTime issue = r.t0 + r.step * static_cast<int64_t>(i);
    IntensitySeries f(history.zone(), history.signal(), Origin::kForecast);
    f.set_provenance({"greenrun-backtest", describe(bands), history.provenance().note});
    f.set_issued(issue);
    f.reserve(H);
    for (size_t h = 0; h < H; ++h)
      (void)f.append(issue + r.step * static_cast<int64_t>(h), r.step,
                     CarbonIntensity::grams_per_kwh(m.predict(models[h], i, h)));
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

Result<IntensitySeries> forecast_with(const IntensitySeries& history, const std::vector<HorizonBand>& bands,
                                      UtcTime issue, Duration horizon, Provenance provenance) {
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
  const auto models = per_step(bands, r->step, *H);
  if (uses(models, SeasonalModel::kLagCalendar)) m.fit_lag_calendar(i, *H);
  IntensitySeries out(history.zone(), history.signal(), Origin::kForecast);
  provenance.note = history.provenance().note;
  out.set_provenance(std::move(provenance));
  out.set_issued(issue);
  for (size_t h = 0; h < *H; ++h) {
    const double v = m.predict(models[h], i, h);  // only data before i
    (void)out.append(issue + r->step * static_cast<int64_t>(h), r->step, CarbonIntensity::grams_per_kwh(v));
  }
  return out;
}

}  // namespace

Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history, SeasonalModel model, UtcTime issue,
                                          Duration horizon) {
  const std::vector<HorizonBand> one{HorizonBand{Duration(0), horizon, model, 0}};
  const std::string trained = history.empty() ? std::string() : "trained on " + format_utc(history.start()) + " .. " + format_utc(issue);
  return forecast_with(history, one, issue, horizon, {"greenrun-" + std::string(to_string(model)), trained, ""});
}

Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history, const std::vector<HorizonBand>& bands,
                                          UtcTime issue, Duration horizon) {
  if (bands.empty()) return make_error(ErrorKind::kUsage, "a forecast by horizon band needs at least one band");
  const std::string trained = history.empty() ? std::string() : "trained on " + format_utc(history.start()) + " .. " + format_utc(issue);
  return forecast_with(history, bands, issue, horizon, {"greenrun-by-band", describe(bands) + ", " + trained, ""});
}

}  // namespace greenrun::intensity
