// greenrun's own forecast of a zone's intensity from its stored history
// (not a provider's): four models (three seasonal, one fitted on lags and
// calendar) are backtested on the days
// before the issue time, trained on everything before those days, and the
// best one by mean absolute error forecasts the horizon
// (greenrun/intensity/seasonal_forecast.h). The engine owns the choices — which
// stored series is the history (actual, life-cycle preferred), one forecast
// issued per day in the backtest, the label that says what the numbers are —
// so the CLI's `forecast`, Python and the server give the same answer.
//
// The forecast uses the backtest's best model per horizon band (0-6 h,
// 6-12 h, 12-24 h, 24-48 h, then daily), chosen on that backtest and
// labelled so. A planning check (on request) says what the saving is when
// planning on each model's backtest forecasts against planning on actuals.
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
#include "greenrun/intensity/seasonal_forecast.h"

namespace greenrun::engine {

struct SeasonalForecastRequest {
  std::string zone;                        // REQUIRES: not empty
  Duration horizon = std::chrono::hours(48);
  unsigned test_days = 60;                 // backtest on the last N days before the issue time
  std::optional<UtcTime> issue;            // none: the end of the stored history
  bool planning_check = false;             // also PlanningCheck (the backtest's jobs replayed)
};

// What the forecast is worth to a scheduler, on the backtest's own issue
// times: at each, one 1 h job of 1 kW submitted then, due 12 h later (the
// window cut to the horizon when shorter), planned with Flexible Start on
// the forecast issued then and paid on the actuals; against the same jobs
// planned on the actuals (perfect foresight). Savings are against running
// each job at once (ratio of totals, %).
struct PlanningCheck {
  Duration job = std::chrono::hours(1);
  Duration window = std::chrono::hours(12);
  size_t jobs = 0;
  double on_actuals_percent = 0;
  struct OnForecast {
    std::string forecast;  // a model's name, or "by-band" (the bands' forecast)
    double saving_percent = 0;
  };
  std::vector<OnForecast> on_forecasts;  // the four models in enum order, then by-band
  // The saving of the forecast used (the bands', or the best single model).
  double used_percent = 0;
};

struct SeasonalForecastOutcome {
  std::string zone;  // as stored
  UtcTime issue{};
  // Every model's errors. The forecast uses backtest.bands (the best model
  // per horizon band; one model when they all agree).
  intensity::Backtest backtest;
  std::string used;  // "seasonal-day", or "lag-calendar 0h-12h, seasonal-day 12h-48h"
  std::optional<PlanningCheck> planning;  // with SeasonalForecastRequest::planning_check
  intensity::IntensitySeries forecast;  // [issue, issue + horizon)
  // "greenrun seasonal-day forecast (not a provider's), trained on ...,
  // backtest MAE ..."
  std::string label;
  const intensity::ModelBacktest& best() const { return backtest.models[static_cast<size_t>(backtest.best)]; }
};

[[nodiscard]] Result<SeasonalForecastOutcome> seasonal_forecast(const SeasonalForecastRequest& request,
                                                                const Services& services);

}  // namespace greenrun::engine
