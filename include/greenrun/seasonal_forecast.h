// greenrun's own forecast of a zone's intensity from its stored history
// (not a provider's): four models (three seasonal, one fitted on lags and
// calendar) are backtested on the days
// before the issue time, trained on everything before those days, and the
// best one by mean absolute error forecasts the horizon
// (intensity/seasonal_forecast.h). The engine owns the choices — which
// stored series is the history (actual, life-cycle preferred), one forecast
// issued per day in the backtest, the label that says what the numbers are —
// so the CLI's `forecast`, Python and the server give the same answer.
//
// Errors carry a kind: kUsage for a request that cannot be valid (a
// horizon <= 0, test_days 0, an issue time with no history before it, a
// horizon that is not whole data steps), kNotFound for no store or no
// actual data for the zone, kIo for a store that cannot be read.
//
// Thread-safety: each call opens the store itself.
#pragma once

#include <optional>
#include <string>

#include "greenrun/engine.h"
#include "intensity/seasonal_forecast.h"

namespace greenrun::engine {

struct SeasonalForecastRequest {
  std::string zone;                        // REQUIRES: not empty
  Duration horizon = std::chrono::hours(48);
  unsigned test_days = 60;                 // backtest on the last N days before the issue time
  std::optional<UtcTime> issue;            // none: the end of the stored history
};

struct SeasonalForecastOutcome {
  std::string zone;  // as stored
  UtcTime issue{};
  intensity::Backtest backtest;  // every model's errors; backtest.best forecast
  intensity::IntensitySeries forecast;  // [issue, issue + horizon)
  // "greenrun seasonal-day forecast (not a provider's), trained on ...,
  // backtest MAE ..."
  std::string label;
  const intensity::ModelBacktest& best() const { return backtest.models[static_cast<size_t>(backtest.best)]; }
};

[[nodiscard]] Result<SeasonalForecastOutcome> seasonal_forecast(const SeasonalForecastRequest& request,
                                                                const Services& services);

}  // namespace greenrun::engine
