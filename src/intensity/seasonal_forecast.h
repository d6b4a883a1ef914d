// greenrun's own forecast, from a zone's history where no provider forecasts:
// four models, backtested on data they were not fitted on, and the
// winner (lowest mean absolute error over the backtest) used to forecast.
//
//  - seasonal-day:   the value 24 h before (for a horizon beyond a day, the
//                    same hour of the last day known at the issue time)
//  - seasonal-week:  the same with 168 h
//  - weekly-profile: the mean of the training data at each hour of the week
//                    (UTC), fitted on the training span only
//  - lag-calendar:   a linear model of the value on the last value known at
//                    the issue time, the seasonal-day and seasonal-week values
//                    and the weekly profile (the calendar), fitted by least
//                    squares per 6 h of horizon on forecasts issued inside
//                    the training span (seasonal-day when that span is too
//                    short to learn from)
//
// Backtest: train on the history before `test_from`, issue a forecast every
// `issue_every` in [test_from, end - horizon], score every step of each
// against the actuals. Errors per horizon step let a reader see how fast
// each model degrades. A model worse than seasonal-day is reported as such
// (the table holds all four, in a fixed order).
//
// Thread-safety: pure functions. REQUIRES: a regular, gap-free hourly or
// finer series (checked: an error names the first irregular point).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/units.h"
#include "intensity/intensity_series.h"

namespace greenrun::intensity {

enum class SeasonalModel { kSeasonalDay, kSeasonalWeek, kWeeklyProfile, kLagCalendar };
std::string_view to_string(SeasonalModel m);

struct ModelBacktest {
  SeasonalModel model = SeasonalModel::kSeasonalDay;
  double mae = 0;                  // g/kWh over every step of every forecast
  double mae_percent = 0;          // of the test span's mean intensity
  std::vector<double> mae_by_step; // per horizon step (1 = the first)
};

struct Backtest {
  UtcTime train_from{}, train_to{}, test_from{}, test_to{};
  size_t forecasts = 0;               // issue times
  std::vector<ModelBacktest> models;  // the four, in enum order
  SeasonalModel best = SeasonalModel::kSeasonalDay;
};

// Errors: an irregular series or one with gaps; no data before test_from or
// no full horizon after it; a horizon not a whole number of steps.
[[nodiscard]] Result<Backtest> backtest(const IntensitySeries& history, UtcTime test_from,
                                        Duration horizon, Duration issue_every);

// The model's forecast of [issue, issue + horizon) from the history before
// `issue` (origin kForecast, provenance naming the model and training span).
// Errors: as backtest(); less than a week of history before `issue`.
[[nodiscard]] Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history,
                                                        SeasonalModel model, UtcTime issue,
                                                        Duration horizon);

}  // namespace greenrun::intensity
