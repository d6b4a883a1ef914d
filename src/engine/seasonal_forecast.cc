// engine::seasonal_forecast: a zone's forecast from its stored history,
// chosen by a backtest (greenrun/seasonal_forecast.h).
#include "greenrun/seasonal_forecast.h"

#include <fmt/format.h>

#include <filesystem>

#include "base/time_format.h"
#include "engine/stored_pick.h"
#include "intensity/store.h"

namespace greenrun::engine {

Result<SeasonalForecastOutcome> seasonal_forecast(const SeasonalForecastRequest& request, const Services& services) {
  if (request.horizon.count() <= 0) return make_error(ErrorKind::kUsage, "--horizon: expected a duration such as 48h");
  if (request.test_days == 0) return make_error(ErrorKind::kUsage, "--test-days: expected at least 1");
  const std::string& path = services.store_path;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec))
    return make_error(ErrorKind::kNotFound, "no store at " + path + "; import data with `greenrun intensity import`");
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto list = store->list();
  if (!list) return std::unexpected(list.error());
  const auto* pick = pick_stored(*list, request.zone, intensity::Origin::kActual);
  if (!pick)
    return make_error(ErrorKind::kNotFound,
                      "no stored actual intensity data for zone " + request.zone + " in " + path);
  auto history = store->load(pick->key, pick->first, pick->last_end);
  if (!history) return std::unexpected(history.error());

  SeasonalForecastOutcome out;
  out.zone = history->zone();
  out.issue = request.issue.value_or(history->end());
  // Backtest on the last test_days before the issue time, trained on
  // everything before them; one forecast issued per day.
  const auto before = history->slice(history->start(), out.issue);
  if (before.empty()) return make_error(ErrorKind::kUsage, "--from: no history before " + format_utc(out.issue));
  const UtcTime test_from = out.issue - std::chrono::hours(24 * request.test_days);
  auto bt = intensity::backtest(before, test_from, request.horizon, std::chrono::hours(24));
  if (!bt) return std::unexpected(bt.error());
  out.backtest = std::move(*bt);
  auto fc = intensity::seasonal_forecast(before, out.backtest.best, out.issue, request.horizon);
  if (!fc) return std::unexpected(fc.error());
  out.forecast = std::move(*fc);
  const auto& best = out.best();
  out.label = fmt::format(
      "greenrun {} forecast (not a provider's), trained on {} .. {}, backtest MAE {:.1f} g/kWh ({:.1f} %) over {} "
      "forecasts from {} .. {}",
      intensity::to_string(out.backtest.best), format_utc(out.backtest.train_from), format_utc(out.issue), best.mae,
      best.mae_percent, out.backtest.forecasts, format_utc(out.backtest.test_from),
      format_utc(out.backtest.test_to));
  return out;
}

}  // namespace greenrun::engine
