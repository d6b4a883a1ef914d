// Forecasts for the Carbon Aware SDK's API: the horizon a request sees, the
// dataStartAt / dataEndAt defaults and checks, and the rolling windows
// (carbon-aware-api.md, "Semantics of the forecast windows").
#include <algorithm>
#include <cctype>

#include "engine/carbon_aware_snapshot.h"
#include "greenrun/base/time_format.h"
#include "greenrun/carbon_aware_queries.h"
#include "greenrun/queries.h"

namespace greenrun::engine {
namespace {

std::unexpected<QueryProblem> invalid(std::string parameter, std::string message) {
  return std::unexpected<QueryProblem>(QueryProblem{QueryProblem::Kind::kInvalid, std::move(parameter),
                                                    std::move(message)});
}

long long minutes_of(Duration d) { return std::chrono::duration_cast<std::chrono::minutes>(d).count(); }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<ForecastValue> minima(const std::vector<ForecastValue>& values) {
  std::vector<ForecastValue> out;
  if (values.empty()) return out;
  double least = values.front().value;
  for (const auto& v : values) least = std::min(least, v.value);
  for (const auto& v : values)
    if (v.value == least) out.push_back(v);
  return out;
}

}  // namespace

std::vector<ForecastValue> rolling_windows(const intensity::IntensitySeries& series, const std::string& location,
                                           UtcTime start, UtcTime end, Duration window, Duration step) {
  std::vector<ForecastValue> out;
  if (series.empty() || window <= Duration{0} || step <= Duration{0}) return out;
  for (UtcTime w = start; w + window <= end; w += step) {
    if (w + window > series.end()) break;  // data no longer covers the window's end
    auto mean = series.mean(w, w + window);
    if (!mean) continue;  // a gap inside this window: no value for it
    out.push_back(ForecastValue{location, w, minutes_of(window), mean->grams_per_kwh()});
  }
  return out;
}

QueryResult<EmissionsForecast> CarbonAwareQueries::forecast(const ForecastWindowRequest& request) const {
  if (request.location.empty()) return invalid("location", "The location field is required.");
  if (request.window_minutes < 0)
    return invalid("windowSize", "windowSize must be 0 or a positive number of minutes, got " +
                                     std::to_string(request.window_minutes));
  auto l = resolve(request.location);
  if (!l) return std::unexpected(l.error());
  const UtcTime at = request.requested_at.value_or(now());
  const auto snap = snapshot();
  QueryResult<intensity::IntensitySeries> live = intensity::IntensitySeries{};
  const intensity::IntensitySeries* source = nullptr;
  if (!request.requested_at && !live_provider_.empty()) {
    live = live_forecast(*l, at);
    if (!live) return std::unexpected(live.error());
    source = &*live;
  } else if (const auto z = snap->zones.find(upper(l->zone)); z != snap->zones.end() && !z->second.forecast.empty()) {
    source = &z->second.forecast;
  }
  if (!source || source->empty())
    return std::unexpected(QueryProblem{
        QueryProblem::Kind::kNoForecasts, "location",
        "no forecast for " + l->name + " (zone " + l->zone +
            ") in the store: import one (`greenrun intensity import --origin forecast`), fetch one "
            "(`greenrun intensity fetch`) or name a provider ([forecast] provider in config.toml)"});
  const auto& s = *source;
  // The horizon: from the point covering `at` (or the first after it) for kForecastHorizon.
  const size_t first = first_point_ending_after(s, at);
  size_t last = first;
  while (last < s.size() && s.point(last).start < at + kForecastHorizon) ++last;
  if (first == last) {
    const std::string what = "no forecast for " + l->name + " at " + format_utc(at) + " (the stored forecast covers " +
                             format_utc(s.start()) + " to " + format_utc(s.end()) + ")";
    if (request.requested_at) return invalid("requestedAt", what);
    return std::unexpected(QueryProblem{QueryProblem::Kind::kNoForecasts, "location", what});
  }
  const intensity::IntensitySeries horizon = s.slice(s.point(first).start, s.point(last - 1).end());
  const UtcTime first_time = horizon.start(), last_end = horizon.end();
  const std::string span = " (the forecast covers " + format_utc(first_time) + " to " + format_utc(last_end) + ")";

  const UtcTime start = request.data_start_at.value_or(first_time);
  const UtcTime end = request.data_end_at.value_or(last_end);
  if (start < first_time || start > last_end) return invalid("dataStartAt", "dataStartAt must lie within the forecast" + span);
  if (end < first_time || end > last_end) return invalid("dataEndAt", "dataEndAt must lie within the forecast" + span);
  if (start >= end) return invalid("dataStartAt", "dataStartAt must be before dataEndAt");

  EmissionsForecast f;
  f.generated_at = first_time;
  f.requested_at = at;
  f.location = l->name;
  f.data_start_at = start;
  f.data_end_at = end;
  f.window_minutes = request.window_minutes;
  if (request.window_minutes == 0) {
    for (size_t i = first_point_ending_after(horizon, start); i < horizon.size(); ++i) {
      const auto p = horizon.point(i);
      if (p.start > end) break;
      f.data.push_back(ForecastValue{l->name, p.start, minutes_of(p.duration), p.value.grams_per_kwh()});
    }
  } else {
    const Duration step = horizon.point(0).duration;  // the data's step
    f.data = rolling_windows(horizon, l->name, start, end, std::chrono::minutes(request.window_minutes), step);
  }
  f.optimal = minima(f.data);
  return f;
}

QueryResult<intensity::IntensitySeries> CarbonAwareQueries::live_forecast(const ApiLocation& location,
                                                                          UtcTime now) const {
  std::lock_guard lock(live_mutex_);
  const SteadyTime t = std::chrono::steady_clock::now();
  const std::string key = upper(location.zone);
  if (auto it = live_cache_.find(key); it != live_cache_.end()) {
    const Duration keep = it->second.series ? sources_.live_refresh : sources_.live_retry;
    if (t - it->second.fetched < keep) return it->second.series;
  }
  Services services;
  services.store_path = sources_.store_path;
  services.clock = sources_.clock;
  services.env = sources_.env;
  services.http = sources_.http;
  ForecastRequest fr{location.zone, now, now + kLiveHorizon, ForecastChoice{live_provider_}};
  auto got = engine::forecast(fr, services);
  QueryResult<intensity::IntensitySeries> entry = intensity::IntensitySeries{};
  if (!got) {
    const auto kind = got.error().kind == ErrorKind::kUnavailable ? QueryProblem::Kind::kUnavailable
                                                                  : QueryProblem::Kind::kFailure;
    entry = std::unexpected(QueryProblem{kind, "", "forecast provider " + live_provider_ + ": " + got.error().message});
  } else if (!got->warnings.empty()) {
    std::string why;
    for (const auto& w : got->warnings) why += (why.empty() ? "" : "; ") + w;
    entry = std::unexpected(QueryProblem{QueryProblem::Kind::kUnavailable, "",
                                         "forecast provider " + live_provider_ + " did not answer (" + why +
                                             "); no forecast is served rather than a fallback the answer cannot label"});
  } else {
    entry = std::move(got->series);
  }
  live_cache_[key] = LiveEntry{t, entry};
  return entry;
}

}  // namespace greenrun::engine
