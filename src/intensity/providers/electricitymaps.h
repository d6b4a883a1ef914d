// Electricity Maps API v3 (header "auth-token"): carbon-intensity latest,
// history (last 24 h), forecast and past-range, by zone or by latitude and
// longitude, life-cycle (default) or direct. A null carbonIntensity is a
// missing point, never zero. Values are g CO2e/kWh already.
//
// The parser is a pure function of the body; ElectricityMapsClient does the
// calls. Thread-safety: the parser is pure; one client per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/providers/http_client.h"
#include "intensity/providers/provider_json.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

// "check your credentials in <config_path> ([electricitymaps] token) or
// GREENRUN_ELECTRICITYMAPS_TOKEN": the config file actually read.
std::string electricitymaps_credentials_hint(const std::string& config_path);

// Where and which signal to ask for. Exactly one of zone or (lat, lon).
struct ElectricityMapsQuery {
  std::optional<std::string> zone;
  std::optional<double> latitude;
  std::optional<double> longitude;
  Signal signal = Signal::kAverageLifecycle;       // emissionFactorType; not marginal
  std::optional<std::string> temporal_granularity;  // "5_minutes", "15_minutes", "hourly"
};

// Any of the four carbon-intensity response shapes: a single item (latest),
// {"history":[...]}, {"forecast":[...]} or {"data":[...]} (past-range).
// Each item's zone, emissionFactorType and isEstimated are honoured; items
// without them take the top level's, then `zone` and `requested`. The step
// is temporalGranularity when given, else the most common gap, else 1 h.
[[nodiscard]] Result<SeriesBatch> parse_electricitymaps(std::string_view body, const std::string& name,
                                                        Origin origin, Signal requested,
                                                        const std::optional<std::string>& zone);

struct ElectricityMapsOptions {
  std::string base_url = "https://api.electricitymap.org";
  RetryPolicy retry;
  // past-range answers at most 10 days of hourly data per call (assumed for
  // every granularity); longer ranges are split.
  Duration past_range_chunk = std::chrono::hours(24 * 10);
  // Named in the message for a missing token (ProviderSettings::config_path).
  std::string config_path = "~/.config/greenrun/config.toml";
};

class ElectricityMapsClient {
 public:
  // `http` and `clock` must outlive the client. An empty token makes every
  // call fail with kConfig naming where to set it.
  ElectricityMapsClient(HttpClient& http, Clock& clock, std::string token, ElectricityMapsOptions options = {});

  [[nodiscard]] FetchResult<SeriesBatch> latest(const ElectricityMapsQuery& q);
  [[nodiscard]] FetchResult<SeriesBatch> history(const ElectricityMapsQuery& q);
  // horizon: 1..72 h when given (the API's default otherwise).
  [[nodiscard]] FetchResult<SeriesBatch> forecast(const ElectricityMapsQuery& q, std::optional<int> horizon_hours);
  // [from, to). REQUIRES: from < to.
  [[nodiscard]] FetchResult<SeriesBatch> past_range(const ElectricityMapsQuery& q, UtcTime from, UtcTime to);

 private:
  [[nodiscard]] FetchResult<SeriesBatch> get(const std::string& endpoint, const ElectricityMapsQuery& q,
                                             std::vector<std::pair<std::string, std::string>> extra, Origin origin);

  HttpClient& http_;
  Clock& clock_;
  std::string token_;
  ElectricityMapsOptions options_;
};

}  // namespace greenrun::intensity
