// WattTime API v3: marginal emissions (MOER) forecasts and history.
// Login is HTTP Basic on /login and returns a bearer token that lasts about
// 30 minutes; the client reuses it for `token_reuse` and logs in again once
// when a call answers 401/403. Values arrive in lbs CO2/MWh and leave as
// g/kWh (x 0.45359237); the signal is Signal::kMarginal.
//
// The parsers are pure functions of the body; WattTimeClient does the calls.
// Thread-safety: parsers are pure; one WattTimeClient per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/providers/http_client.h"
#include "intensity/providers/provider_json.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

// "check your credentials in <config_path> ([watttime] username, password)
// or GREENRUN_WATTTIME_USERNAME / GREENRUN_WATTTIME_PASSWORD": the config
// file actually read (WattTimeOptions::config_path).
std::string watttime_credentials_hint(const std::string& config_path);

struct WattTimeRegion {
  std::string region;     // "CAISO_NORTH"
  std::string full_name;  // "California ISO - North"
  std::string signal_type;
};

// {"token": "..."}.
[[nodiscard]] Result<std::string> parse_watttime_login(std::string_view body, const std::string& name);

// {"data":[{"point_time","value"}...], "meta":{region, signal_type, units,
// data_point_period_seconds, model, generated_at}} from /v3/forecast and
// /v3/historical, parsed by the file importer (import_watttime_json), so
// answers and saved files follow the same rules. `region` is used when meta
// has none and must agree with meta.region otherwise. A null value is a
// missing point (counted in missing); an answer without points is an empty
// batch. Units: lbs_co2_per_mwh (the default), g_co2_per_kwh,
// kg_co2_per_mwh; signal types co2_moer (marginal) and co2_aoer (average).
// Errors name the JSON path; a body cut short says "truncated: JSON ends
// early at byte N".
[[nodiscard]] Result<SeriesBatch> parse_watttime_data(std::string_view body, const std::string& name,
                                                      Origin origin, const std::optional<std::string>& region);

[[nodiscard]] Result<WattTimeRegion> parse_watttime_region(std::string_view body, const std::string& name);

struct WattTimeOptions {
  std::string base_url = "https://api.watttime.org";
  RetryPolicy retry;
  Duration token_reuse = std::chrono::minutes(28);  // tokens last ~30 min
  // /v3/historical answers at most 32 days per call; longer ranges are split.
  Duration historical_chunk = std::chrono::hours(24 * 30);
  // Named in the message for missing credentials (ProviderSettings::config_path).
  std::string config_path = "~/.config/greenrun/config.toml";
};

class WattTimeClient {
 public:
  // `http` and `clock` must outlive the client. Empty credentials make every
  // call fail with kConfig naming where to set them.
  WattTimeClient(HttpClient& http, Clock& clock, std::string username, std::string password,
                 WattTimeOptions options = {});

  // /v3/forecast, horizon 1..72 h, Origin::kForecast.
  [[nodiscard]] FetchResult<SeriesBatch> forecast(const std::string& region, int horizon_hours);
  // /v3/historical over [from, to), Origin::kActual. REQUIRES: from < to.
  [[nodiscard]] FetchResult<SeriesBatch> historical(const std::string& region, UtcTime from, UtcTime to);
  // /v3/region-from-loc for a latitude/longitude in degrees.
  [[nodiscard]] FetchResult<WattTimeRegion> region_from_location(double latitude, double longitude);

  int logins() const { return logins_; }

 private:
  [[nodiscard]] FetchResult<HttpResponse> authorised_get(const std::string& url);
  [[nodiscard]] FetchResult<std::string> login();
  [[nodiscard]] FetchResult<SeriesBatch> get_series(const std::string& url, Origin origin, const std::string& region);

  HttpClient& http_;
  Clock& clock_;
  std::string username_;
  std::string password_;
  WattTimeOptions options_;
  std::optional<std::string> token_;
  SteadyTime token_time_{};
  int logins_ = 0;
};

}  // namespace greenrun::intensity
