#include "intensity/providers/electricitymaps.h"

#include <algorithm>
#include <cstdio>

#include "greenrun/base/time_format.h"

namespace greenrun::intensity {

std::string electricitymaps_credentials_hint(const std::string& config_path) {
  return "check your credentials in " + config_path + " ([electricitymaps] token) or GREENRUN_ELECTRICITYMAPS_TOKEN";
}

namespace {

std::optional<Duration> granularity_step(std::string_view g) {
  using std::chrono::minutes;
  if (g == "5_minutes") return Duration(minutes(5));
  if (g == "15_minutes") return Duration(minutes(15));
  if (g == "hourly") return Duration(minutes(60));
  if (g == "daily") return Duration(minutes(24 * 60));
  return std::nullopt;
}

Result<Signal> factor_type(const nlohmann::json& obj, const std::string& path, Signal fallback) {
  const auto it = obj.find("emissionFactorType");
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_string()) return make_error(path + ".emissionFactorType: expected a string, got " + json_kind(*it));
  const std::string t = it->get<std::string>();
  if (t == "lifecycle") return Signal::kAverageLifecycle;
  if (t == "direct") return Signal::kAverageDirect;
  return make_error(path + ".emissionFactorType: expected lifecycle or direct, got \"" + t + "\"");
}

struct Group {
  std::string zone;
  Signal signal;
  std::vector<ApiPoint> points;
};

}  // namespace

Result<SeriesBatch> parse_electricitymaps(std::string_view body, const std::string& name, Origin origin,
                                          Signal requested, const std::optional<std::string>& zone) {
  auto parsed = parse_json_body(body, name);
  if (!parsed) return std::unexpected(parsed.error());
  const nlohmann::json& j = *parsed;
  const std::string root = name + ": $";
  if (!j.is_object()) return make_error(root + ": expected an object, got " + json_kind(j));

  // Which array holds the items, if any.
  const nlohmann::json* items = nullptr;
  std::string items_path;
  for (const char* key : {"history", "forecast", "data"}) {
    if (const auto it = j.find(key); it != j.end()) {
      if (!it->is_array()) return make_error(root + "." + key + ": expected an array, got " + json_kind(*it));
      items = &*it;
      items_path = root + "." + key;
      break;
    }
  }
  nlohmann::json single;
  if (!items) {
    if (!j.contains("carbonIntensity"))
      return make_error(root + ": expected \"carbonIntensity\", \"history\", \"forecast\" or \"data\"");
    single = nlohmann::json::array({j});
    items = &single;
    items_path = root;
  }

  std::string top_zone = zone.value_or("");
  if (const auto it = j.find("zone"); it != j.end() && it->is_string()) top_zone = it->get<std::string>();
  auto top_signal = factor_type(j, root, requested);
  if (!top_signal) return std::unexpected(top_signal.error());
  std::optional<Duration> step;
  if (const auto it = j.find("temporalGranularity"); it != j.end() && it->is_string())
    step = granularity_step(it->get<std::string>());

  SeriesBatch batch;
  std::vector<Group> groups;
  // Every item's time, nulls included: a null hour must not widen the step.
  std::vector<ApiPoint> all_times;
  for (size_t i = 0; i < items->size(); ++i) {
    const nlohmann::json& item = (*items)[i];
    const std::string path = items == &single ? root : items_path + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return make_error(path + ": expected an object, got " + json_kind(item));
    auto t = required_time(item, "datetime", path);
    if (!t) return std::unexpected(t.error());
    auto v = number_or_null(item, "carbonIntensity", path);
    if (!v) return std::unexpected(v.error());
    all_times.push_back(ApiPoint{*t, Duration{0}, 0, false});
    if (!*v) {
      ++batch.missing;
      continue;
    }
    std::string z = top_zone;
    if (const auto it = item.find("zone"); it != item.end() && it->is_string()) z = it->get<std::string>();
    if (z.empty()) return make_error(path + ".zone: missing and no zone was requested");
    if (zone && !zone->empty() && z != *zone)
      return make_error(path + ".zone: expected \"" + *zone + "\", got \"" + z + "\"");
    auto sig = factor_type(item, path, *top_signal);
    if (!sig) return std::unexpected(sig.error());
    bool estimated = false;
    if (const auto it = item.find("isEstimated"); it != item.end() && !it->is_null()) {
      if (!it->is_boolean()) return make_error(path + ".isEstimated: expected true or false, got " + json_kind(*it));
      estimated = it->get<bool>();
    }
    Duration d{0};
    if (const auto it = item.find("temporalGranularity"); it != item.end() && it->is_string())
      d = granularity_step(it->get<std::string>()).value_or(Duration{0});
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const Group& x) { return x.zone == z && x.signal == *sig; });
    if (g == groups.end()) g = groups.insert(groups.end(), Group{z, *sig, {}});
    g->points.push_back(ApiPoint{*t, d, **v, estimated});
  }

  std::sort(all_times.begin(), all_times.end(), [](const ApiPoint& a, const ApiPoint& b) { return a.start < b.start; });
  const Duration s = step.value_or(infer_step(all_times, std::chrono::hours(1)));
  for (Group& g : groups) {
    std::string note = std::string("Electricity Maps ") +
                       (g.signal == Signal::kAverageDirect ? "direct" : "life-cycle") + " g CO2e/kWh";
    auto series = build_series(g.zone, g.signal, origin, std::move(g.points), s,
                               Provenance{"electricitymaps-v3-api", name, std::move(note)}, &batch.duplicates);
    if (!series) return make_error(items_path + ": " + series.error().message);
    batch.points += series->size();
    batch.series.push_back(std::move(*series));
  }
  return batch;
}

ElectricityMapsClient::ElectricityMapsClient(HttpClient& http, Clock& clock, std::string token,
                                             ElectricityMapsOptions options)
    : http_(http), clock_(clock), token_(std::move(token)), options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

FetchResult<SeriesBatch> ElectricityMapsClient::get(const std::string& endpoint, const ElectricityMapsQuery& q,
                                                    std::vector<std::pair<std::string, std::string>> extra,
                                                    Origin origin) {
  if (token_.empty())
    return fetch_error(FetchFailure::kConfig, "electricitymaps: no API token; set [electricitymaps] token in " +
                                                  options_.config_path + " or GREENRUN_ELECTRICITYMAPS_TOKEN");
  std::vector<std::pair<std::string, std::string>> params;
  const bool by_zone = q.zone && !q.zone->empty();
  const bool by_point = q.latitude && q.longitude;
  if (by_zone == by_point)
    return fetch_error(FetchFailure::kConfig, "electricitymaps: give either a zone or a latitude and longitude");
  if (by_zone) {
    params.emplace_back("zone", *q.zone);
  } else {
    if (!(*q.latitude >= -90 && *q.latitude <= 90 && *q.longitude >= -180 && *q.longitude <= 180))
      return fetch_error(FetchFailure::kConfig,
                         "electricitymaps: latitude must be in [-90, 90] and longitude in [-180, 180]");
    char lat[32], lon[32];
    std::snprintf(lat, sizeof lat, "%.6f", *q.latitude);
    std::snprintf(lon, sizeof lon, "%.6f", *q.longitude);
    params.emplace_back("lat", lat);
    params.emplace_back("lon", lon);
  }
  if (q.signal == Signal::kMarginal)
    return fetch_error(FetchFailure::kConfig,
                       "electricitymaps: the marginal signal is not offered; use lifecycle or direct (or WattTime)");
  params.emplace_back("emissionFactorType", q.signal == Signal::kAverageDirect ? "direct" : "lifecycle");
  if (q.temporal_granularity) {
    if (!granularity_step(*q.temporal_granularity))
      return fetch_error(FetchFailure::kConfig, "electricitymaps: granularity must be 5_minutes, 15_minutes or "
                                                "hourly, got \"" + *q.temporal_granularity + "\"");
    params.emplace_back("temporalGranularity", *q.temporal_granularity);
  }
  for (auto& p : extra) params.push_back(std::move(p));
  const std::string url = options_.base_url + "/v3/carbon-intensity/" + endpoint + "?" + query_string(params);
  const CallContext context{"electricitymaps", electricitymaps_credentials_hint(options_.config_path)};
  auto r = get_with_retry(http_, clock_, HttpRequest{url, {{"auth-token", token_}}}, options_.retry, context);
  if (!r) return std::unexpected(r.error());
  auto batch = parse_electricitymaps(r->body, "GET " + url_path(url), origin, q.signal,
                                     by_zone ? q.zone : std::nullopt);
  if (!batch) return fetch_error(FetchFailure::kBadResponse, "electricitymaps: " + batch.error().message);
  stamp_fetch(*batch, url, clock_.utc_now());
  return std::move(*batch);
}

FetchResult<SeriesBatch> ElectricityMapsClient::latest(const ElectricityMapsQuery& q) {
  return get("latest", q, {}, Origin::kActual);
}

FetchResult<SeriesBatch> ElectricityMapsClient::history(const ElectricityMapsQuery& q) {
  return get("history", q, {}, Origin::kActual);
}

FetchResult<SeriesBatch> ElectricityMapsClient::forecast(const ElectricityMapsQuery& q,
                                                         std::optional<int> horizon_hours) {
  std::vector<std::pair<std::string, std::string>> extra;
  if (horizon_hours) {
    if (*horizon_hours < 1 || *horizon_hours > 72)
      return fetch_error(FetchFailure::kConfig,
                         "electricitymaps: forecast horizon must be 1 to 72 hours, got " + std::to_string(*horizon_hours));
    extra.emplace_back("horizonHours", std::to_string(*horizon_hours));
  }
  return get("forecast", q, std::move(extra), Origin::kForecast);
}

FetchResult<SeriesBatch> ElectricityMapsClient::past_range(const ElectricityMapsQuery& q, UtcTime from, UtcTime to) {
  if (!(from < to)) return fetch_error(FetchFailure::kConfig, "electricitymaps: --from must be before --to");
  SeriesBatch all;
  for (UtcTime a = from; a < to; a += options_.past_range_chunk) {
    const UtcTime b = std::min(to, a + options_.past_range_chunk);
    auto chunk = get("past-range", q, {{"start", format_utc(a)}, {"end", format_utc(b)}}, Origin::kActual);
    if (!chunk) return chunk;
    if (auto st = all.merge(std::move(*chunk)); !st)
      return fetch_error(FetchFailure::kBadResponse, "electricitymaps: " + st.error().message);
  }
  return all;
}

}  // namespace greenrun::intensity
