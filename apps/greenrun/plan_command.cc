// greenrun plan: when (and where) to run a job. Flags are parsed here, the
// forecast comes from the store or a live provider (--forecast-provider, cached in the store), else the embedded typical profile (labelled
// "typical profile, not a forecast"), and src/scheduling does the planning.
#include <algorithm>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "base/clock.h"
#include "base/quantity_parse.h"
#include "base/text_reader.h"
#include "base/time_format.h"
#include "commands.h"
#include "intensity/forecast_selection.h"
#include "intensity/providers/live_forecast.h"
#include "intensity/store.h"
#include "intensity/zone_catalogue.h"
#include "scheduling/region_planner.h"

namespace greenrun::cli {
namespace {

using scheduling::Mode;
using scheduling::Plan;

struct PlanFlags {
  std::vector<std::string> zones, regions;
  std::string duration, power, energy, window, deadline, max_delay, mode = "both", overhead, min_segment, from;
  std::string forecast_provider;
  bool json = false;
};

struct Forecast {
  intensity::Location location;
  intensity::IntensitySeries series;
  std::string label;  // what the numbers are
};

int fail(const Context& ctx, const std::string& message) {
  *ctx.err << "greenrun: " << message << "\n";
  return 1;
}

// The stored series for the zone that best serves as a forecast: a forecast,
// else actual data; life-cycle before direct before marginal.
Result<Forecast> load_forecast(const Context& ctx, const intensity::Location& loc, UtcTime from,
                               UtcTime to) {
  Forecast f{loc, {}, {}};
  const std::string path = ctx.store_path();
  if (std::filesystem::exists(path)) {
    auto store = intensity::IntensityStore::open(path);
    if (!store) return make_error(store.error().message);
    auto sel = intensity::select_stored_forecast(*store, loc.zone, from, to);
    if (!sel) return make_error(sel.error().message);
    if (sel->chosen) {
      f.series = std::move(sel->chosen->series);
      f.label = std::move(sel->chosen->label);
      return f;
    }
    // Data that covers only part of the window is an error (never patched
    // with other data); a store with no data in the window falls through to
    // the typical profile.
    if (sel->partial)
      return make_error("stored intensity data for zone " + loc.zone + " (" +
                        std::string(intensity::to_string(sel->partial->key.signal)) + ", " +
                        format_utc(sel->partial->first) + " .. " + format_utc(sel->partial->last_end) +
                        ") does not cover the window " + format_utc(from) + " .. " + format_utc(to));
  }
  const auto& cat = intensity::ZoneCatalogue::embedded();
  auto typical = cat.typical_series(loc.zone, intensity::Signal::kAverageLifecycle, from, to);
  if (!typical)
    return make_error("no intensity data for zone " + loc.zone + " in the store (" + path +
                      ") and no typical profile: import data with `greenrun intensity import`");
  f.series = std::move(*typical);
  f.label = "typical profile, not a forecast (" + f.series.provenance().source + ")";
  return f;
}

std::string hm(UtcTime t) {
  const CivilTime c = to_civil(t);
  return fmt::format("{:02}-{:02} {:02}:{:02}", c.month, c.day, c.hour, c.minute);
}

std::string describe(const Plan& p) {
  if (p.mode == Mode::kFlexibleStart) return "start " + format_utc(p.start()) + ", end " + format_utc(p.end());
  std::string s = fmt::format("{} segment{}, {} pause{}:", p.segments.size(), p.segments.size() == 1 ? "" : "s",
                              p.pauses(), p.pauses() == 1 ? "" : "s");
  for (const auto& seg : p.segments) {
    const std::string a = hm(seg.start), b = hm(seg.end);
    s += " " + a + "-" + (a.substr(0, 5) == b.substr(0, 5) ? b.substr(6) : b);
    if (seg.restart.count() > 0) s += " (restart " + format_duration(seg.restart) + ")";
  }
  return s + " UTC";
}

// A one-line bar chart of the forecast over [from, to) and a line per plan
// with its running time marked.
void chart(std::ostream& out, const intensity::IntensitySeries& s, UtcTime from, UtcTime to,
           const std::vector<Plan>& plans) {
  static const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const int64_t span = (to - from).count();
  const int64_t cols = std::min<int64_t>(72, std::max<int64_t>(1, span / (15 * 60'000)));
  std::vector<double> v(static_cast<size_t>(cols));
  double lo = 1e300, hi = -1e300;
  for (int64_t c = 0; c < cols; ++c) {
    const UtcTime a = from + Duration(span * c / cols), b = from + Duration(span * (c + 1) / cols);
    auto m = s.mean(a, b);
    v[static_cast<size_t>(c)] = m ? m->grams_per_kwh() : 0;
    lo = std::min(lo, v[static_cast<size_t>(c)]);
    hi = std::max(hi, v[static_cast<size_t>(c)]);
  }
  out << "  forecast     ";
  for (double x : v) {
    const int k = hi > lo ? static_cast<int>((x - lo) / (hi - lo) * 7.999) : 0;
    out << kBars[std::clamp(k, 0, 7)];
  }
  out << fmt::format("  {:.0f}..{:.0f} g/kWh, {} .. {} UTC\n", lo, hi, hm(from), hm(to));
  for (const Plan& p : plans) {
    out << fmt::format("  {:<13}", std::string(scheduling::to_string(p.mode)));
    for (int64_t c = 0; c < cols; ++c) {
      const UtcTime a = from + Duration(span * c / cols), b = from + Duration(span * (c + 1) / cols);
      bool run = false;
      for (const auto& seg : p.segments) run = run || (seg.start < b && seg.end > a);
      out << (run ? "█" : "·");
    }
    out << "\n";
  }
}

nlohmann::json plan_json(const Plan& p) {
  nlohmann::json j;
  j["mode"] = std::string(scheduling::to_string(p.mode));
  j["start"] = format_utc(p.start());
  j["end"] = format_utc(p.end());
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& s : p.segments)
    segs.push_back({{"start", format_utc(s.start)}, {"end", format_utc(s.end)},
                    {"restart_seconds", to_seconds(s.restart)}});
  j["segments"] = segs;
  j["pauses"] = p.pauses();
  j["emissions_g"] = p.emissions.grams();
  j["baseline_emissions_g"] = p.baseline.grams();
  j["saving_g"] = p.saving().grams();
  j["saving_percent"] = p.saving_percent();
  return j;
}

int run_plan(const Context& ctx, const PlanFlags& fl) {
  if (fl.zones.empty() && fl.regions.empty()) return fail(ctx, "plan: expected --zone Z or --region PROVIDER:REGION");
  auto dur = parse_duration(fl.duration);
  if (!dur) return fail(ctx, "--duration: " + dur.error().message);
  if (dur->count() <= 0) return fail(ctx, "--duration: expected a positive duration, got " + fl.duration);
  Result<scheduling::Job> job = make_error("");
  bool assumed_power = false;
  if (!fl.power.empty() && !fl.energy.empty()) return fail(ctx, "give --power or --energy, not both");
  if (!fl.energy.empty()) {
    auto e = parse_energy(fl.energy);
    if (!e) return fail(ctx, "--energy: " + e.error().message);
    job = scheduling::Job::with_energy(*dur, *e);
  } else {
    Power p = Power::kilowatts(1);
    assumed_power = fl.power.empty();
    if (!fl.power.empty()) {
      auto pp = parse_power(fl.power);
      if (!pp) return fail(ctx, "--power: " + pp.error().message);
      p = *pp;
    }
    job = scheduling::Job::make(*dur, scheduling::PowerProfile::constant(p));
  }
  if (!job) return fail(ctx, job.error().message);

  UtcTime from;
  if (!fl.from.empty()) {
    auto f = parse_utc(fl.from);
    if (!f) return fail(ctx, "--from: " + f.error().message);
    from = *f;
  } else {
    from = SystemClock().utc_now();
  }
  const int given = !fl.window.empty() + !fl.deadline.empty() + !fl.max_delay.empty();
  if (given > 1) return fail(ctx, "give one of --window, --deadline and --max-delay");
  UtcTime deadline = from + std::chrono::hours(24);
  if (!fl.window.empty()) {
    auto w = parse_duration(fl.window);
    if (!w) return fail(ctx, "--window: " + w.error().message);
    if (*w < *dur)
      return fail(ctx, "--window " + fl.window + " is shorter than the job (" + format_duration(*dur) + ")");
    deadline = from + *w;
  } else if (!fl.deadline.empty()) {
    auto d = parse_utc(fl.deadline);
    if (!d) return fail(ctx, "--deadline: " + d.error().message);
    if (*d <= from) return fail(ctx, "--deadline " + format_utc(*d) + " is in the past (now " + format_utc(from) + ")");
    if (*d - from < *dur)
      return fail(ctx, "cannot meet the deadline: the job needs " + format_duration(*dur) + " but only " +
                           format_duration(*d - from) + " remain before " + format_utc(*d));
    deadline = *d;
  } else if (!fl.max_delay.empty()) {
    const std::string_view m = trim(fl.max_delay);
    Duration delay{0};
    if (!m.empty() && m.back() == '%') {
      auto x = parse_number(m.substr(0, m.size() - 1));
      if (!x || *x < 0) return fail(ctx, "--max-delay: expected a duration or a percentage such as 100%");
      delay = Duration(static_cast<int64_t>(*x / 100.0 * static_cast<double>(dur->count())));
    } else {
      auto x = parse_duration(m);
      if (!x) return fail(ctx, "--max-delay: " + x.error().message);
      delay = *x;
    }
    deadline = from + *dur + delay;
  } else if (deadline - from < *dur) {
    deadline = from + *dur;
  }

  scheduling::RegionRequest req;
  req.earliest = from;
  req.deadline = deadline;
  if (iequals(fl.mode, "both")) {
    req.modes = {Mode::kFlexibleStart, Mode::kPauseResume};
  } else {
    auto m = scheduling::parse_mode(fl.mode);
    if (!m || *m == Mode::kThreshold) return fail(ctx, "--mode: expected flexible, pause-resume or both, got " + fl.mode);
    req.modes = {*m};
  }
  if (!fl.overhead.empty()) {
    auto o = parse_duration(fl.overhead);
    if (!o) return fail(ctx, "--pause-overhead: " + o.error().message);
    req.pause_resume.overhead.time = *o;
  }
  if (!fl.min_segment.empty()) {
    auto m = parse_duration(fl.min_segment);
    if (!m || m->count() < 0) return fail(ctx, "--min-segment: expected a duration such as 30m, got " + fl.min_segment);
    req.pause_resume.min_segment = *m;
  }

  const auto& cat = intensity::ZoneCatalogue::embedded();
  std::vector<Forecast> forecasts;
  auto add = [&](const std::optional<std::string>& z, const std::optional<std::string>& r) -> Status {
    auto loc = cat.resolve(z, r);
    if (!loc) return make_error(loc.error().message);
    if (!fl.forecast_provider.empty() && fl.forecast_provider != "store") {
      // A live forecast (cached in the store), with the same fallback as
      // carbon-aware `greenrun run`.
      auto spec = intensity::parse_forecast_spec(fl.forecast_provider, loc->zone);
      if (!spec) return make_error("--forecast-provider: " + spec.error().message);
      auto settings = intensity::load_provider_settings(intensity::process_environment(), std::nullopt);
      if (!settings) return make_error(settings.error().message);
      for (const auto& w : settings->warnings) *ctx.err << "greenrun: warning: " << w << "\n";
      SystemClock clock;
      auto got = intensity::obtain_live_forecast(*spec, *settings, ctx.store_path(), clock, from, deadline);
      if (!got) return make_error(got.error().message);
      for (const auto& w : got->warnings) *ctx.err << "greenrun: warning: " << w << "\n";
      forecasts.push_back(Forecast{*loc, std::move(got->series), std::move(got->label)});
      return {};
    }
    auto f = load_forecast(ctx, *loc, from, deadline);
    if (!f) return make_error(f.error().message);
    forecasts.push_back(std::move(*f));
    return {};
  };
  const bool names_place = fl.forecast_provider.find(':') != std::string::npos ||
                           fl.forecast_provider.starts_with("uk") || fl.forecast_provider.starts_with("watttime");
  if (names_place && fl.zones.size() + fl.regions.size() > 1)
    return fail(ctx, "--forecast-provider " + fl.forecast_provider +
                         " names one place; give one --zone or --region (or electricitymaps, which follows each zone)");
  for (const auto& z : fl.zones)
    if (auto s = add(z, std::nullopt); !s) return fail(ctx, s.error().message);
  for (const auto& r : fl.regions)
    if (auto s = add(std::nullopt, r); !s) return fail(ctx, s.error().message);

  std::vector<scheduling::RegionCandidate> cands;
  for (const auto& f : forecasts) cands.push_back({f.location.description, &f.series});
  auto choice = scheduling::plan_regions(cands, *job, req);
  if (!choice) return fail(ctx, choice.error().message);
  for (const auto& r : choice->regions)
    if (r.error) return fail(ctx, *r.error);

  const Power power = job->power().mean_power();
  if (fl.json) {
    nlohmann::json out;
    out["mode"] = iequals(fl.mode, "both") ? "both" : std::string(scheduling::to_string(req.modes[0]));
    out["job"] = {{"duration_seconds", to_seconds(*dur)}, {"power_w", power.watts()},
                  {"energy_kwh", job->energy().kilowatt_hours()}, {"power_assumed", assumed_power}};
    out["from"] = format_utc(from);
    out["deadline"] = format_utc(deadline);
    nlohmann::json regions = nlohmann::json::array();
    for (size_t i = 0; i < choice->regions.size(); ++i) {
      nlohmann::json r;
      r["zone"] = forecasts[i].location.zone;
      r["region"] = forecasts[i].location.cloud_region ? nlohmann::json(*forecasts[i].location.cloud_region)
                                                       : nlohmann::json(nullptr);
      r["location"] = forecasts[i].location.description;
      r["forecast"] = {{"label", forecasts[i].label},
                       {"origin", std::string(intensity::to_string(forecasts[i].series.origin()))},
                       {"signal", std::string(intensity::to_string(forecasts[i].series.signal()))},
                       {"source", forecasts[i].series.provenance().source}};
      for (const Plan& p : choice->regions[i].plans) r[std::string(scheduling::to_string(p.mode))] = plan_json(p);
      regions.push_back(r);
    }
    const auto& best_region = regions[choice->best_region];
    const Plan& best = choice->regions[choice->best_region].plans[choice->best_plan];
    out["zone"] = best_region["zone"];
    out["region"] = best_region["region"];
    out["forecast"] = best_region["forecast"];
    for (const Plan& p : choice->regions[choice->best_region].plans)
      out[std::string(scheduling::to_string(p.mode))] = plan_json(p);
    // With one mode the plan's fields are also at the top level.
    if (req.modes.size() == 1) out.update(plan_json(best));
    out["best"] = plan_json(best);
    out["best"]["zone"] = best_region["zone"];
    out["regions"] = regions;
    *ctx.out << out.dump(2) << "\n";
    return 0;
  }
  std::ostream& o = *ctx.out;
  o << fmt::format("Plan for a {} job at {:.0f} W ({:.3f} kWh{}), from {} to end by {}\n",
                   format_duration(*dur), power.watts(), job->energy().kilowatt_hours(),
                   assumed_power ? ", power assumed: pass --power or --energy" : "", format_utc(from),
                   format_utc(deadline));
  for (size_t i = 0; i < choice->regions.size(); ++i) {
    const auto& r = choice->regions[i];
    o << "\n" << forecasts[i].location.description << ": " << forecasts[i].label << "\n";
    for (const Plan& p : r.plans) {
      o << fmt::format("  {:<13} {}\n", std::string(scheduling::to_string(p.mode)), describe(p));
      o << fmt::format("  {:<13} {:.1f} g CO2e vs {:.1f} g starting now: saves {:.1f} g ({:.1f} %)\n", "",
                       p.emissions.grams(), p.baseline.grams(), p.saving().grams(), p.saving_percent());
    }
    chart(o, forecasts[i].series, from, deadline, r.plans);
  }
  if (choice->regions.size() > 1) {
    const Plan& best = choice->regions[choice->best_region].plans[choice->best_plan];
    o << fmt::format("\nBest: {} with {}: {:.1f} g CO2e\n", forecasts[choice->best_region].location.description,
                     std::string(scheduling::to_string(best.mode)), best.emissions.grams());
  }
  return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, Context& ctx, Action& action) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan", "Plan when (and where) to run a job for the least emissions");
  cmd->add_option("--zone", flags->zones, "Grid zone (repeatable), e.g. DE, GB, US-CAL-CISO");
  cmd->add_option("--region", flags->regions, "Cloud region PROVIDER:REGION (repeatable), e.g. aws:eu-west-1");
  cmd->add_option("--duration", flags->duration, "How long the job runs, e.g. 6h")->required();
  cmd->add_option("--power", flags->power, "Constant power, e.g. 300W (default 1 kW, labelled as assumed)");
  cmd->add_option("--energy", flags->energy, "Total energy, e.g. 3.1kWh");
  cmd->add_option("--window", flags->window, "The job must run within this time from --from (default 24h)");
  cmd->add_option("--deadline", flags->deadline, "The job must end by this UTC time");
  cmd->add_option("--max-delay", flags->max_delay, "Delay allowed, as a duration or % of the job (100%: may take twice as long)");
  cmd->add_option("--mode", flags->mode, "flexible, pause-resume or both (default both)");
  cmd->add_option("--pause-overhead", flags->overhead, "Time each pause costs (checkpoint + restart), e.g. 2m");
  cmd->add_option("--min-segment", flags->min_segment, "Least work between two pauses, e.g. 30m (pause-resume)");
  cmd->add_option("--forecast-provider", flags->forecast_provider,
                  "Plan on a live forecast: uk, uk:POSTCODE, watttime:REGION, electricitymaps[:ZONE] (default: the "
                  "store)");
  cmd->add_option("--from", flags->from, "Earliest start, UTC (default: now)");
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_plan(ctx, *flags); }; });
}

}  // namespace greenrun::cli
