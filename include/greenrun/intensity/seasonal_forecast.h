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
// (the table holds all four, in a fixed order, each flagged when worse than
// seasonal-day). The best model per horizon band (HorizonBand) makes the
// combined forecast, scored on the same backtest.
//
// Thread-safety: pure functions. REQUIRES: a regular, gap-free hourly or
// finer series (checked: an error names the first irregular point).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"

namespace greenrun::intensity {

enum class SeasonalModel { kSeasonalDay, kSeasonalWeek, kWeeklyProfile, kLagCalendar };
std::string_view to_string(SeasonalModel m);

struct ModelBacktest {
  SeasonalModel model = SeasonalModel::kSeasonalDay;
  double mae = 0;                  // g/kWh over every step of every forecast
  double mae_percent = 0;          // of the test span's mean intensity
  std::vector<double> mae_by_step; // per horizon step (1 = the first)
  // Its MAE is above seasonal-day's (the seasonal naive forecast): a model
  // that does not beat naive is reported as such, never hidden.
  bool worse_than_naive = false;
};

// A band of the horizon, [from, to) after the issue time, and the model
// the backtest chose for it. Bands: 0-6 h, 6-12 h, 12-24 h, 24-48 h, then
// one per further day, cut at the horizon.
struct HorizonBand {
  Duration from{}, to{};
  SeasonalModel model = SeasonalModel::kSeasonalDay;
  double mae = 0;  // the chosen model's mean error over the band's steps
};

struct Backtest {
  UtcTime train_from{}, train_to{}, test_from{}, test_to{};
  size_t forecasts = 0;               // issue times
  std::vector<ModelBacktest> models;  // the four, in enum order
  SeasonalModel best = SeasonalModel::kSeasonalDay;  // the best single model
  // The best model per horizon band, and the forecast that uses them scored
  // on the same backtest (by forecasting again band by band, not by taking
  // minima): chosen on the backtest it is scored on, so never worse than a
  // single model there, and optimistic by that selection. combined.model is
  // the first band's.
  std::vector<HorizonBand> bands;
  ModelBacktest combined;
  bool single() const;  // every band chose the same model
};

// Errors: an irregular series or one with gaps; no data before test_from or
// no full horizon after it; a horizon not a whole number of steps.
[[nodiscard]] Result<Backtest> backtest(const IntensitySeries& history, UtcTime test_from,
                                        Duration horizon, Duration issue_every);

// The backtest's own forecasts made with `bands` (one model per band; a
// step past the last band uses the last band's model): one per issue time,
// as backtest() issues them, each [issue, issue + horizon), origin
// kForecast, issued() = the issue time, from the models trained before
// test_from and the data before each issue. Errors: as backtest().
[[nodiscard]] Result<std::vector<IntensitySeries>> backtest_forecasts(const IntensitySeries& history,
                                                                      UtcTime test_from, Duration horizon,
                                                                      Duration issue_every,
                                                                      const std::vector<HorizonBand>& bands);

// The model's forecast of [issue, issue + horizon) from the history before
// `issue` (origin kForecast, provenance naming the model and training span).
// Errors: as backtest(); less than a week of history before `issue`.
[[nodiscard]] Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history,
                                                        SeasonalModel model, UtcTime issue,
                                                        Duration horizon);
// The same with one model per horizon band (Backtest::bands); the
// provenance names the bands ("greenrun-by-band").
[[nodiscard]] Result<IntensitySeries> seasonal_forecast(const IntensitySeries& history,
                                                        const std::vector<HorizonBand>& bands, UtcTime issue,
                                                        Duration horizon);
// "lag-calendar 0-6 h, seasonal-day 6-48 h" (bands in a row with the same
// model are joined).
std::string describe(const std::vector<HorizonBand>& bands);

}  // namespace greenrun::intensity
