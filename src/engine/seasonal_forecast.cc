// engine::seasonal_forecast: a zone's forecast from its stored history,
// chosen by a backtest (greenrun/seasonal_forecast.h).
#include "greenrun/seasonal_forecast.h"

#include <fmt/format.h>

#include <filesystem>

#include "engine/stored_pick.h"
#include "greenrun/base/time_format.h"
#include "greenrun/scheduling/replay.h"
#include "intensity/store.h"

namespace greenrun::engine {

namespace {

// PlanningCheck (greenrun/seasonal_forecast.h) on the backtest's issue times.
Result<PlanningCheck> planning_check(const intensity::IntensitySeries& history, const intensity::Backtest& bt,
                                     Duration horizon) {
  PlanningCheck out;
  out.window = std::min(out.window, horizon);
  std::vector<std::pair<std::string, std::vector<intensity::HorizonBand>>> plans;
  for (const auto& m : bt.models)
    plans.push_back({std::string(intensity::to_string(m.model)),
                     {intensity::HorizonBand{Duration(0), horizon, m.model, m.mae}}});
  plans.push_back({"by-band", bt.bands});
  scheduling::ReplayOptions o;
  o.settings = {scheduling::ReplaySetting{}};  // Flexible Start, the jobs' own deadlines
  o.keep_jobs = false;
  for (const auto& [name, bands] : plans) {
    auto forecasts = intensity::backtest_forecasts(history, bt.test_from, horizon, std::chrono::hours(24), bands);
    if (!forecasts) return std::unexpected(forecasts.error());
    scheduling::JobLog log;
    log.name = "backtest";
    for (const auto& f : *forecasts) {
      scheduling::LoggedJob j;
      j.id = format_utc(*f.issued());
      j.line = log.jobs.size() + 1;
      j.submit = *f.issued();
      j.duration = out.job;
      j.power = Power::watts(1000);
      j.deadline = j.submit + out.window;
      log.jobs.push_back(std::move(j));
    }
    o.issued = &*forecasts;
    auto r = scheduling::replay_jobs(history, log, o);
    if (!r) return std::unexpected(r.error());
    const auto& s = r->settings.front();
    out.jobs = s.totals.jobs;
    out.on_actuals_percent = s.perfect_saving.value_or(0);
    out.on_forecasts.push_back({name, s.totals.saving_percent()});
  }
  return out;
}

}  // namespace

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
  auto tested = intensity::backtest(before, test_from, request.horizon, std::chrono::hours(24));
  if (!tested) return std::unexpected(tested.error());
  out.backtest = std::move(*tested);
  const auto& bt = out.backtest;
  // One model when every band chose it, else the bands.
  auto fc = bt.single() ? intensity::seasonal_forecast(before, bt.bands.front().model, out.issue, request.horizon)
                        : intensity::seasonal_forecast(before, bt.bands, out.issue, request.horizon);
  if (!fc) return std::unexpected(fc.error());
  out.forecast = std::move(*fc);
  out.used = bt.single() ? std::string(intensity::to_string(bt.bands.front().model)) : intensity::describe(bt.bands);
  out.label = fmt::format(
      "greenrun {} forecast (not a provider's{}), trained on {} .. {}, backtest MAE {:.1f} g/kWh ({:.1f} %) over {} "
      "forecasts from {} .. {}",
      out.used, bt.single() ? "" : "; the best model per horizon band on the backtest", format_utc(bt.train_from),
      format_utc(out.issue), bt.combined.mae, bt.combined.mae_percent, bt.forecasts, format_utc(bt.test_from),
      format_utc(bt.test_to));
  if (request.planning_check) {
    auto check = planning_check(before, bt, request.horizon);
    if (!check) return std::unexpected(check.error());
    check->used_percent = check->on_forecasts.back().saving_percent;  // by-band: the bands, one model or several
    out.planning = std::move(*check);
  }
  return out;
}

}  // namespace greenrun::engine
