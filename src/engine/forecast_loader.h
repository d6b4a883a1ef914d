// The one forecast-loading policy for plan and run (docs/execution.md,
// "Where the forecast comes from"):
//  1. a live provider when one is named (request, GREENRUN_FORECAST_PROVIDER
//     or [forecast] provider in config.toml; "store" turns it off): fetched
//     and layered over the store's data, persistence and the typical profile,
//     with the documented fallback (intensity/providers/live_forecast.h);
//  2. else the store's best series covering the whole window (a forecast
//     before actual data; life-cycle before direct before marginal);
//  3. greenrun's own forecast (engine::seasonal_forecast: four models
//     backtested on the last kOwnForecastTestDays, the best kept), issued at
//     the end of the zone's stored actual history when that end lies within
//     kOwnForecastReach before the window and the window ends within
//     kOwnForecastReach after it; stored points before the end are used as
//     they are; labelled with the model, training span and backtest error,
//     and warned about;
//  4. a stored series that covers part of the window is used where it has
//     points and the zone's typical profile fills the rest, labelled so and
//     warned about;
//  5. else the typical profile alone, labelled "typical profile, not a
//     forecast", with a warning (naming why step 3 did not apply).
// Errors: no zone; a malformed provider spec (kUsage); a provider that
// refuses (bad credentials: kUnavailable); nothing covers the window
// (kNotFound).
//
// Thread-safety: pure apart from the store and the network.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "intensity/providers/live_forecast.h"
#include "intensity/store.h"

namespace greenrun::engine {

inline constexpr Duration kOwnForecastReach = std::chrono::hours(24 * 7);
inline constexpr unsigned kOwnForecastTestDays = 28;

struct ForecastQuery {
  std::string zone;
  UtcTime from{};
  UtcTime to{};
  std::string provider;  // "" : environment / config; "store": store only; else a provider spec
  // Set: the store's series of this origin covering the window, and nothing
  // else (no provider, no fallback): kNotFound when there is none.
  std::optional<intensity::Origin> origin;
};

struct LoadedForecast {
  intensity::IntensitySeries series;
  std::string label;
  std::optional<intensity::SeriesKey> key;  // the store series it came from (step 2)
  // Set for step 1: what to refetch while a run waits.
  std::optional<intensity::ForecastSpec> live_spec;
  std::optional<intensity::ProviderSettings> live_settings;
  std::vector<std::string> warnings;
};

using EnvFunction = std::function<std::optional<std::string>(std::string_view)>;

// `http` (may be null: libcurl) fetches from a live provider.
[[nodiscard]] Result<LoadedForecast> load_forecast(const ForecastQuery& query, const std::string& store_path,
                                                   const EnvFunction& env, Clock& clock,
                                                   intensity::HttpClient* http = nullptr);

}  // namespace greenrun::engine
