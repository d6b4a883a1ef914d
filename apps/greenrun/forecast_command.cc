// `greenrun forecast --zone Z --horizon 48h`: greenrun's own seasonal
// forecast from the zone's stored history (greenrun/intensity/seasonal_forecast.h),
// with the backtest that chose the model. Parsing and rendering only; the
// forecast is engine::seasonal_forecast (greenrun/seasonal_forecast.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/seasonal_forecast.h"
#include "plan_json.h"

namespace greenrun::cli {
namespace {

struct ForecastFlags {
  std::string zone;
  std::string horizon = "48h";
  unsigned test_days = 60;
  std::string issue;  // default: the end of the history
  bool json = false;
};

int run_forecast(const Context& ctx, const ForecastFlags& fl) {
  auto usage = [&](const std::string& m) { return report_error(ctx, Error{m, ErrorKind::kUsage}); };
  auto horizon = parse_duration(fl.horizon);
  if (!horizon || horizon->count() <= 0) return usage("--horizon: expected a duration such as 48h");
  engine::SeasonalForecastRequest request;
  request.zone = fl.zone;
  request.horizon = *horizon;
  request.test_days = fl.test_days;
  request.planning_check = true;
  if (!fl.issue.empty()) {
    auto t = parse_utc(fl.issue);
    if (!t) return usage("--from: " + t.error().message);
    request.issue = *t;
  }
  engine::Services services;
  services.store_path = ctx.store_path();
  auto r = engine::seasonal_forecast(request, services);
  if (!r) return report_error(ctx, r.error());
  const intensity::Backtest* bt = &r->backtest;
  const intensity::IntensitySeries* fc = &r->forecast;
  const std::string& label = r->label;
  const UtcTime issue = r->issue;
  std::ostream& out = *ctx.out;
  auto step_at = [&](const intensity::ModelBacktest& m, Duration h) {
    const auto i = static_cast<size_t>(h / fc->point(0).duration);
    return i >= 1 && i <= m.mae_by_step.size() ? m.mae_by_step[i - 1] : m.mae_by_step.back();
  };
  if (fl.json) {
    nlohmann::json j;
    j["schema"] = "greenrun.forecast/1";
    j["zone"] = r->zone;
    j["model"] = std::string(intensity::to_string(bt->best));  // the best single model
    j["used"] = r->used;
    j["label"] = label;
    j["issued"] = format_utc(issue);
    j["backtest"] = {{"train_from", format_utc(bt->train_from)}, {"train_to", format_utc(bt->train_to)},
                     {"test_from", format_utc(bt->test_from)},   {"test_to", format_utc(bt->test_to)},
                     {"forecasts", bt->forecasts},               {"models", nlohmann::json::array()}};
    for (const auto& m : bt->models) {
      nlohmann::json by = nlohmann::json::array();
      for (double e : m.mae_by_step) by.push_back(rounded(e, 3));
      j["backtest"]["models"].push_back({{"model", std::string(intensity::to_string(m.model))},
                                         {"mae_g_per_kwh", rounded(m.mae, 3)},
                                         {"mae_percent", rounded(m.mae_percent, 2)},
                                         {"worse_than_seasonal_naive", m.worse_than_naive},
                                         {"mae_by_step_g_per_kwh", by}});
    }
    nlohmann::json bands = nlohmann::json::array();
    for (const auto& b : bt->bands)
      bands.push_back({{"from_h", to_hours(b.from)},
                       {"to_h", to_hours(b.to)},
                       {"model", std::string(intensity::to_string(b.model))},
                       {"mae_g_per_kwh", rounded(b.mae, 3)}});
    nlohmann::json cby = nlohmann::json::array();
    for (double e : bt->combined.mae_by_step) cby.push_back(rounded(e, 3));
    j["backtest"]["bands"] = bands;
    j["backtest"]["by_band"] = {{"mae_g_per_kwh", rounded(bt->combined.mae, 3)},
                                {"mae_percent", rounded(bt->combined.mae_percent, 2)},
                                {"worse_than_seasonal_naive", bt->combined.worse_than_naive},
                                {"mae_by_step_g_per_kwh", cby}};
    if (const auto& pc = r->planning) {
      nlohmann::json on = nlohmann::json::object();
      for (const auto& f : pc->on_forecasts) on[f.forecast] = rounded(f.saving_percent, 2);
      j["backtest"]["planning"] = {{"jobs", pc->jobs},
                                   {"job_h", to_hours(pc->job)},
                                   {"window_h", to_hours(pc->window)},
                                   {"policy", "flexible"},
                                   {"saving_on_actuals_percent", rounded(pc->on_actuals_percent, 2)},
                                   {"saving_on_forecast_percent", on},
                                   {"saving_used_percent", rounded(pc->used_percent, 2)}};
    }
    j["points"] = nlohmann::json::array();
    for (size_t i = 0; i < fc->size(); ++i) {
      const auto p = fc->point(i);
      j["points"].push_back({{"start", format_utc(p.start)}, {"g_per_kwh", rounded(p.value.grams_per_kwh(), 3)}});
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  out << label << "\n\nbacktest (mean absolute error, g/kWh):\n";
  out << fmt::format("{:<15} {:>8} {:>7} {:>8} {:>8} {:>8}\n", "model", "MAE", "MAE %", "at 1st", "at 24h", "at end");
  for (const auto& m : bt->models)
    out << fmt::format("{:<15} {:>8.1f} {:>7.1f} {:>8.1f} {:>8.1f} {:>8.1f}{}\n", intensity::to_string(m.model), m.mae,
                       m.mae_percent, m.mae_by_step.front(), step_at(m, std::chrono::hours(24)), m.mae_by_step.back(),
                       m.worse_than_naive ? "  (worse than seasonal naive)" : "");
  out << fmt::format("{:<15} {:>8.1f} {:>7.1f} {:>8.1f} {:>8.1f} {:>8.1f}  <- used: {}{}\n", "by band",
                     bt->combined.mae, bt->combined.mae_percent, bt->combined.mae_by_step.front(),
                     step_at(bt->combined, std::chrono::hours(24)), bt->combined.mae_by_step.back(), r->used,
                     bt->combined.worse_than_naive ? " (worse than seasonal naive)" : "");
  out << "(the band choice is made on this backtest, so its error here is optimistic)\n";
  if (const auto& pc = r->planning) {
    out << fmt::format(
        "\nplanning on it ({} jobs of {} with a {} window, Flexible Start, paid on the actuals; saving against "
        "at once):\n  on the actuals {:.1f} %\n",
        pc->jobs, format_duration(pc->job), format_duration(pc->window), pc->on_actuals_percent);
    for (const auto& f : pc->on_forecasts)
      out << fmt::format("  on {:<14} {:.1f} %\n", f.forecast, f.saving_percent);
  }
  out << "\nforecast:\n";
  for (size_t i = 0; i < fc->size(); ++i) {
    const auto p = fc->point(i);
    out << format_utc(p.start) << "  " << fmt::format("{:.1f}", p.value.grams_per_kwh()) << "\n";
  }
  return 0;
}

}  // namespace

void add_forecast_command(CLI::App& app, Context& ctx, Action& action) {
  auto f = std::make_shared<ForecastFlags>();
  CLI::App* cmd = app.add_subcommand(
      "forecast", "Forecast a zone's intensity from its stored history (seasonal models, chosen by a backtest)");
  cmd->add_option("--zone", f->zone, "Grid zone with actual data in the store")->required();
  cmd->add_option("--horizon", f->horizon, "How far ahead (default 48h)");
  cmd->add_option("--test-days", f->test_days, "Backtest on the last N days before the issue time (default 60)");
  cmd->add_option("--from", f->issue, "Issue time (UTC; default: the end of the stored history)");
  cmd->add_flag("--json", f->json, "JSON output (greenrun.forecast/1)");
  cmd->callback([&ctx, &action, f] { action = [&ctx, f] { return run_forecast(ctx, *f); }; });
}

}  // namespace greenrun::cli
