#include "intensity/providers/watttime.h"

#include <cmath>
#include <cstdio>

#include "greenrun/base/time_format.h"

namespace greenrun::intensity {

std::string watttime_credentials_hint(const std::string& config_path) {
  return "check your credentials in " + config_path +
         " ([watttime] username, password) or GREENRUN_WATTTIME_USERNAME / GREENRUN_WATTTIME_PASSWORD";
}

namespace {

CallContext context_for(const std::string& config_path) {
  return CallContext{"watttime", watttime_credentials_hint(config_path)};
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
  // The answer has the shape of a saved WattTime file: one parser for both.
  ImportOptions options;
  options.format = Format::kWattTimeJson;
  options.zone = region;
  options.watttime_origin = origin;
  options.null_is_missing = true;  // WattTime leaves unknown values null
  options.allow_empty = true;      // e.g. a range before the region's history
  auto imported = import_watttime_json(body, name, options);
  if (!imported) return std::unexpected(imported.error());
  return to_batch(std::move(*imported), "watttime-v3-api");
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
    return fetch_error(FetchFailure::kConfig, "watttime: no credentials; set [watttime] username and password in " +
                                                  options_.config_path +
                                                  " or GREENRUN_WATTTIME_USERNAME / GREENRUN_WATTTIME_PASSWORD");
  ++logins_;
  HttpRequest req{options_.base_url + "/login",
                  {{"Authorization", "Basic " + base64_encode(username_ + ":" + password_)}}};
  auto r = get_with_retry(http_, clock_, req, options_.retry, context_for(options_.config_path));
  if (!r) {
    if (r.error().kind == FetchFailure::kAuth)
      return fetch_error(FetchFailure::kAuth, "watttime: login refused (HTTP 401/403); " +
                                                  watttime_credentials_hint(options_.config_path));
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
    auto r = get_with_retry(http_, clock_, req, options_.retry, context_for(options_.config_path));
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
