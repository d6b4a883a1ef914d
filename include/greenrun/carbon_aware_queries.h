// The Carbon Aware SDK's queries (../shared/reference/carbon-aware-api.md),
// answered from greenrun's store: emissions by location (and the best of
// several), forecasts with rolling windows, and time-weighted averages. The
// server parses HTTP into these typed requests and renders what they return;
// every rule of the SDK's semantics (defaults, windows, ties, coverage) lives
// here so that another front end answers the same.
//
// Data: for each zone, the store's actual series (life-cycle before direct
// before marginal, as the forecast loader chooses) and its forecast series
// (Origin::kForecast). A forecast is the points from the one covering the
// requested instant up to kForecastHorizon later; the forecast's generatedAt
// is its first point's time (the store keeps no issue time per point).
// When a live forecast provider is configured, /forecasts/current asks it
// through the engine's forecast policy (queries.h forecast()) for the next
// kLiveHorizon; a fetch that fails, or falls back to anything but the
// provider's own forecast, is a kUnavailable problem naming the reason (an SDK
// client cannot see a label), bounded by the HTTP client's timeouts.
//
// Locations are cloud regions from the embedded ZoneCatalogue ("eastus",
// "us-east-1", or "azure:westus" where a bare name is ambiguous) and grid zones
// (catalogue zones and zones with imported data), looked up case-insensitively.
//
// Thread-safety: a CarbonAwareQueries is safe to call from many threads at
// once: it answers from an immutable snapshot of the store, swapped under a
// lock when the store file changes (checked at most every refresh_interval).
#pragma once

#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/providers/http_client.h"

namespace greenrun::engine {

// Why a query has no answer. `parameter` names the request parameter at fault
// ("location", "time", "dataStartAt", "[2].endTime"), or "" when none is.
struct QueryProblem {
  enum class Kind {
    kInvalid,       // the request cannot be answered as asked (HTTP 400)
    kNoForecasts,   // no forecast source for this location (HTTP 501)
    kUnavailable,   // a live provider cannot be reached now (HTTP 503)
    kFailure,       // the store could not be read (HTTP 500)
  };
  Kind kind = Kind::kInvalid;
  std::string parameter;
  std::string message;
};

template <typename T>
using QueryResult = std::expected<T, QueryProblem>;

// A location the API knows, as /locations lists it.
struct ApiLocation {
  std::string name;  // "eastus", "us-east-1", "azure:westus", "DE"
  std::string zone;  // the grid zone whose data answers for it
  std::optional<double> latitude;
  std::optional<double> longitude;
};

// EmissionsData: one point of a location's actual series.
struct EmissionsPoint {
  std::string location;  // the location's canonical name
  UtcTime time{};
  Duration duration{0};
  double rating = 0;  // g CO2e / kWh
};

struct EmissionsRequest {
  std::vector<std::string> locations;  // REQUIRES (else a problem): at least one
  std::optional<UtcTime> time;         // none: now
  std::optional<UtcTime> to_time;      // none: time; REQUIRES time when set
};

struct ForecastWindowRequest {
  std::string location;
  std::optional<UtcTime> requested_at;  // none: now (/forecasts/current)
  std::optional<UtcTime> data_start_at;
  std::optional<UtcTime> data_end_at;
  long long window_minutes = 0;  // >= 0
};

// EmissionsDataDTO
struct ForecastValue {
  std::string location;
  UtcTime timestamp{};
  long long duration_minutes = 0;
  double value = 0;
};

struct EmissionsForecast {
  UtcTime generated_at{};
  UtcTime requested_at{};
  std::string location;
  UtcTime data_start_at{};
  UtcTime data_end_at{};
  long long window_minutes = 0;
  std::vector<ForecastValue> optimal;
  std::vector<ForecastValue> data;
};

struct AverageRequest {
  std::string location;
  std::optional<UtcTime> start_time;  // both REQUIRES (else a problem)
  std::optional<UtcTime> end_time;
};

struct AverageIntensity {
  std::string location;
  UtcTime start_time{};
  UtcTime end_time{};
  double carbon_intensity = 0;
};

// A forecast horizon: the points from the one covering the requested instant
// up to this long after it (the longest live provider's horizon).
inline constexpr Duration kForecastHorizon = std::chrono::hours(72);
inline constexpr Duration kLiveHorizon = std::chrono::hours(24);
// The most points one emissions() answer holds (a year of 5-minute data is
// 105,120 points): beyond it the request is refused, naming toTime, so one
// request cannot make a response of hundreds of megabytes.
inline constexpr size_t kMaxEmissionsPoints = 200'000;

// The rolling windows of rule 3 and 4 (carbon-aware-api.md) over `points`
// (already filtered to [start, end]): windows of `window` starting at `start`,
// advancing by `step`, each emitted while data covers its end and it ends by
// `end`. Pure; exposed for tests and the benchmark. REQUIRES: window > 0,
// step > 0.
std::vector<ForecastValue> rolling_windows(const intensity::IntensitySeries& series, const std::string& location,
                                           UtcTime start, UtcTime end, Duration window, Duration step);

struct QuerySources {
  std::string store_path;
  Clock* clock = nullptr;  // null: the system clock
  Duration refresh_interval = std::chrono::seconds(2);
  // GREENRUN_* and the config file: a forecast provider named there
  // ([forecast] provider, GREENRUN_FORECAST_PROVIDER; not "store") answers
  // /forecasts/current. Null: the process environment.
  std::function<std::optional<std::string>(std::string_view)> env;
  intensity::HttpClient* http = nullptr;  // null: libcurl; called under a lock
  Duration live_refresh = std::chrono::minutes(5);  // a fetched forecast is reused this long
  Duration live_retry = std::chrono::seconds(30);   // a failed fetch is not retried sooner
};

class CarbonAwareQueries {
 public:
  // Reads the store once. Error (kFailure): the store exists but cannot be read.
  [[nodiscard]] static QueryResult<std::unique_ptr<CarbonAwareQueries>> open(QuerySources sources);
  ~CarbonAwareQueries();

  // /emissions/bylocation(s): points overlapping [time, toTime] (a point
  // [t, t + d) is kept when t + d > time and t <= toTime), by location then
  // time. Empty: nothing matched (the server answers 204). More than
  // kMaxEmissionsPoints: a problem naming toTime.
  [[nodiscard]] QueryResult<std::vector<EmissionsPoint>> emissions(const EmissionsRequest& request) const;
  // /emissions/bylocations/best: the points of emissions() whose rating is the
  // minimum, every tie kept.
  [[nodiscard]] QueryResult<std::vector<EmissionsPoint>> best(const EmissionsRequest& request) const;
  // /emissions/forecasts/current (requested_at unset) and /forecasts/batch.
  [[nodiscard]] QueryResult<EmissionsForecast> forecast(const ForecastWindowRequest& request) const;
  // /emissions/average-carbon-intensity: the time-weighted mean over
  // [start, end) of actual data, which must cover it.
  [[nodiscard]] QueryResult<AverageIntensity> average(const AverageRequest& request) const;
  // /locations: every cloud region and grid zone, by name.
  std::vector<ApiLocation> locations() const;

  // Resolves a name as the API does. Problem (kInvalid, parameter
  // "location"): unknown, with close names where there are any.
  [[nodiscard]] QueryResult<ApiLocation> resolve(const std::string& name) const;

  UtcTime now() const;

  // Each zone's stored value at now(), actual data first, else a forecast
  // (for /metrics). Zones whose data does not cover now are left out.
  struct ZoneNow {
    std::string zone;
    intensity::Signal signal = intensity::Signal::kAverageLifecycle;
    intensity::Origin origin = intensity::Origin::kActual;
    double g_per_kwh = 0;
  };
  std::vector<ZoneNow> current_intensities() const;

  struct Snapshot;

 private:
  explicit CarbonAwareQueries(QuerySources sources);
  std::shared_ptr<const Snapshot> snapshot() const;
  [[nodiscard]] QueryResult<std::shared_ptr<const Snapshot>> reload() const;

  QuerySources sources_;
  std::vector<ApiLocation> locations_;       // the catalogue's, sorted by name
  mutable std::shared_mutex mutex_;          // guards snapshot_ and checked_
  mutable std::shared_ptr<const Snapshot> snapshot_;
  mutable SteadyTime checked_{};
  mutable std::mutex reload_mutex_;          // one reload at a time
  std::string live_provider_;                // "" : forecasts from the store
  struct LiveEntry {
    SteadyTime fetched{};
    QueryResult<intensity::IntensitySeries> series;
  };
  // The live forecast of a zone, fetched or cached (under live_mutex_).
  QueryResult<intensity::IntensitySeries> live_forecast(const ApiLocation& location, UtcTime now) const;
  mutable std::mutex live_mutex_;  // one fetch at a time; guards live_cache_
  mutable std::map<std::string, LiveEntry> live_cache_;
};

}  // namespace greenrun::engine
