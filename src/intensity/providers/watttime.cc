#include "intensity/providers/watttime.h"

#include <cmath>

#include "base/time_format.h"

namespace greenrun::intensity {
namespace {

const CallContext& context() {
  static const CallContext c{"watttime", std::string(kWattTimeCredentialsHint)};
  return c;
}

std::string base(const std::string& url) {
  std::string b = url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

FetchError bad_response(const Error& e) { return FetchError{FetchFailure::kBadResponse, "watttime: " + e.message}; }

}  // namespace

Result<std::string> parse_watttime_login(std::string_view body, const std::string& name) {
  auto j = parse_json_body(body, name);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return make_error(name + ": $: expected an object with \"token\", got " + json_kind(*j));
  auto token = required_string(*j, "token", name + ": $");
  if (!token) return std::unexpected(token.error());
  if (token->empty()) return make_error(name + ": $.token: empty");
  return *token;
}

Result<SeriesBatch> parse_watttime_data(std::string_view body, const std::string& name, Origin origin,
                                        const std::optional<std::string>& region) {
  auto parsed = parse_json_body(body, name);
  if (!parsed) return std::unexpected(parsed.error());
  const nlohmann::json& j = *parsed;
  const std::string root = name + ": $";
  if (!j.is_object()) return make_error(root + ": expected an object with \"data\" and \"meta\", got " + json_kind(j));
  const auto data = j.find("data");
  if (data == j.end() || !data->is_array())
    return make_error(root + ".data: expected an array of {point_time, value}");

  const nlohmann::json meta = j.value("meta", nlohmann::json::object());
  if (!meta.is_object()) return make_error(root + ".meta: expected an object, got " + json_kind(meta));
  std::string zone = region.value_or("");
  if (meta.contains("region") && meta["region"].is_string()) zone = meta["region"].get<std::string>();
  if (zone.empty()) return make_error(root + ".meta.region: missing and no region was requested");

  const std::string signal_type = meta.value("signal_type", std::string("co2_moer"));
  Signal signal;
  if (signal_type == "co2_moer") signal = Signal::kMarginal;
  else if (signal_type == "co2_aoer") signal = Signal::kAverageDirect;
  else return make_error(root + ".meta.signal_type: expected co2_moer or co2_aoer, got \"" + signal_type + "\"");

  const std::string units = meta.value("units", std::string("lbs_co2_per_mwh"));
  double factor;
  if (units == "lbs_co2_per_mwh") factor = CarbonIntensity::kLbsPerMwhToGPerKwh;
  else if (units == "g_co2_per_kwh" || units == "kg_co2_per_mwh") factor = 1.0;
  else return make_error(root + ".meta.units: expected lbs_co2_per_mwh, got \"" + units + "\"");

  Duration step = std::chrono::minutes(5);
  if (const auto it = meta.find("data_point_period_seconds"); it != meta.end() && !it->is_null()) {
    if (!it->is_number() || it->get<double>() <= 0)
      return make_error(root + ".meta.data_point_period_seconds: expected a positive number");
    step = Duration(static_cast<Duration::rep>(std::llround(it->get<double>() * 1000.0)));
  }

  SeriesBatch batch;
  std::vector<RawPoint> points;
  points.reserve(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    const nlohmann::json& item = (*data)[i];
    const std::string path = root + ".data[" + std::to_string(i) + "]";
    if (!item.is_object()) return make_error(path + ": expected an object, got " + json_kind(item));
    auto t = required_time(item, "point_time", path);
    if (!t) return std::unexpected(t.error());
    auto v = number_or_null(item, "value", path);
    if (!v) return std::unexpected(v.error());
    if (!*v) {
      ++batch.missing;
      continue;
    }
    if (**v < 0) return make_error(path + ".value: expected a non-negative rate, got " + std::to_string(**v));
    points.push_back(RawPoint{*t, step, **v * factor, false});
  }

  std::string note = "WattTime " + signal_type + " (" + units + (factor != 1.0 ? " x 0.45359237 -> g/kWh" : "") + ")";
  if (meta.contains("model") && meta["model"].is_object() && meta["model"].contains("date") &&
      meta["model"]["date"].is_string())
    note += "; model " + meta["model"]["date"].get<std::string>();
  if (meta.contains("generated_at") && meta["generated_at"].is_string())
    note += "; generated " + meta["generated_at"].get<std::string>();
  auto s = build_series(zone, signal, origin, std::move(points), step,
                        Provenance{"watttime-v3-api", name, std::move(note)}, &batch.duplicates);
  if (!s) return make_error(root + ".data: " + s.error().message);
  batch.points = s->size();
  if (!s->empty()) batch.series.push_back(std::move(*s));
  return batch;
}

Result<WattTimeRegion> parse_watttime_region(std::string_view body, const std::string& name) {
  auto j = parse_json_body(body, name);
  if (!j) return std::unexpected(j.error());
  if (!j->is_object()) return make_error(name + ": $: expected an object with \"region\", got " + json_kind(*j));
  WattTimeRegion r;
  auto region = required_string(*j, "region", name + ": $");
  if (!region) return std::unexpected(region.error());
  r.region = *region;
  r.full_name = j->value("region_full_name", std::string());
  r.signal_type = j->value("signal_type", std::string("co2_moer"));
  return r;
}

WattTimeClient::WattTimeClient(HttpClient& http, Clock& clock, std::string username, std::string password,
                               WattTimeOptions options)
    : http_(http),
      clock_(clock),
      username_(std::move(username)),
      password_(std::move(password)),
      options_(std::move(options)) {
  options_.base_url = base(options_.base_url);
}

FetchResult<std::string> WattTimeClient::login() {
  if (username_.empty() || password_.empty())
    return fetch_error(FetchFailure::kConfig, "watttime: no credentials; set [watttime] username and password in "
                                              "~/.config/greenrun/config.toml or GREENRUN_WATTTIME_USERNAME / "
                                              "GREENRUN_WATTTIME_PASSWORD");
  ++logins_;
  HttpRequest req{options_.base_url + "/login",
                  {{"Authorization", "Basic " + base64_encode(username_ + ":" + password_)}}};
  auto r = get_with_retry(http_, clock_, req, options_.retry, context());
  if (!r) {
    if (r.error().kind == FetchFailure::kAuth)
      return fetch_error(FetchFailure::kAuth, "watttime: login refused (HTTP 401/403); " +
                                                  std::string(kWattTimeCredentialsHint));
    return std::unexpected(r.error());
  }
  auto token = parse_watttime_login(r->body, "watttime: GET /login");
  if (!token) return fetch_error(FetchFailure::kBadResponse, token.error().message);
  token_ = *token;
  token_time_ = clock_.steady_now();
  return *token_;
}

FetchResult<HttpResponse> WattTimeClient::authorised_get(const std::string& url) {
  bool fresh = false;
  if (!token_ || clock_.steady_now() - token_time_ >= options_.token_reuse) {
    auto t = login();
    if (!t) return std::unexpected(t.error());
    fresh = true;
  }
  for (;;) {
    HttpRequest req{url, {{"Authorization", "Bearer " + *token_}}};
    auto r = get_with_retry(http_, clock_, req, options_.retry, context());
    if (r || r.error().kind != FetchFailure::kAuth) return r;
    token_.reset();
    if (fresh)  // a brand-new token refused: credentials are fine, access is not
      return fetch_error(FetchFailure::kAuth,
                         r.error().message + " (refused with a fresh token: your WattTime plan may not cover "
                                             "this region or signal)");
    auto t = login();
    if (!t) return std::unexpected(t.error());
    fresh = true;
  }
}

FetchResult<SeriesBatch> WattTimeClient::get_series(const std::string& url, Origin origin, const std::string& region) {
  auto r = authorised_get(url);
  if (!r) return std::unexpected(r.error());
  auto batch = parse_watttime_data(r->body, "GET " + url_path(url), origin, region);
  if (!batch) return std::unexpected(bad_response(batch.error()));
  stamp_fetch(*batch, url, clock_.utc_now());
  return std::move(*batch);
}

FetchResult<SeriesBatch> WattTimeClient::forecast(const std::string& region, int horizon_hours) {
  if (region.empty()) return fetch_error(FetchFailure::kConfig, "watttime: no region; pass --zone or --lat/--lon");
  if (horizon_hours < 1 || horizon_hours > 72)
    return fetch_error(FetchFailure::kConfig,
                       "watttime: forecast horizon must be 1 to 72 hours, got " + std::to_string(horizon_hours));
  const std::string url = options_.base_url + "/v3/forecast?" +
                          query_string({{"region", region},
                                        {"signal_type", "co2_moer"},
                                        {"horizon_hours", std::to_string(horizon_hours)}});
  return get_series(url, Origin::kForecast, region);
}

FetchResult<SeriesBatch> WattTimeClient::historical(const std::string& region, UtcTime from, UtcTime to) {
  if (region.empty()) return fetch_error(FetchFailure::kConfig, "watttime: no region; pass --zone or --lat/--lon");
  if (!(from < to)) return fetch_error(FetchFailure::kConfig, "watttime: --from must be before --to");
  SeriesBatch all;
  for (UtcTime a = from; a < to; a += options_.historical_chunk) {
    const UtcTime b = std::min(to, a + options_.historical_chunk);
    const std::string url = options_.base_url + "/v3/historical?" +
                            query_string({{"region", region},
                                          {"start", format_utc(a)},
                                          {"end", format_utc(b)},
                                          {"signal_type", "co2_moer"}});
    auto chunk = get_series(url, Origin::kActual, region);
    if (!chunk) return chunk;
    // WattTime's end is inclusive, so chunks share a boundary point; merge
    // keeps the first copy and counts the other as a duplicate.
    if (auto st = all.merge(std::move(*chunk)); !st) return std::unexpected(bad_response(st.error()));
  }
  return all;
}

FetchResult<WattTimeRegion> WattTimeClient::region_from_location(double latitude, double longitude) {
  if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180))
    return fetch_error(FetchFailure::kConfig, "watttime: latitude must be in [-90, 90] and longitude in [-180, 180]");
  char lat[32], lon[32];
  std::snprintf(lat, sizeof lat, "%.6f", latitude);
  std::snprintf(lon, sizeof lon, "%.6f", longitude);
  const std::string url = options_.base_url + "/v3/region-from-loc?" +
                          query_string({{"latitude", lat}, {"longitude", lon}, {"signal_type", "co2_moer"}});
  auto r = authorised_get(url);
  if (!r) return std::unexpected(r.error());
  auto region = parse_watttime_region(r->body, "GET " + url_path(url));
  if (!region) return std::unexpected(bad_response(region.error()));
  return std::move(*region);
}

}  // namespace greenrun::intensity
