// greenrun plan: when (and where) to run a job. Flags are parsed here, the
// forecast comes from the store or a live provider (--forecast-provider, cached in the store), else the embedded typical profile (labelled
// "typical profile, not a forecast"), and src/scheduling does the planning.
#include <algorithm>
#include <cmath>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "commands.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/job_defaults.h"
#include "job_flags.h"
#include "plan_json.h"
#include "slurm/slurm_client.h"

namespace greenrun::cli {
namespace {

using scheduling::Mode;
using scheduling::Plan;

struct PlanFlags {
  std::vector<std::string> zones, regions;
  JobFlags job;  // --duration, --power, --energy, --min-pause (job_flags.h)
  std::string window, deadline, max_delay, mode = "both", overhead, min_segment, from;
  std::string forecast_provider;
  std::string plan_on;
  bool json = false;
  bool print_start = false;
};

std::unexpected<Error> usage(std::string m) { return make_error(ErrorKind::kUsage, std::move(m)); }

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

// The mean of `s` over each of the chart's columns on [from, to).
std::vector<double> column_means(const intensity::IntensitySeries& s, UtcTime from, UtcTime to) {
  const int64_t span = (to - from).count();
  const int64_t cols = std::min<int64_t>(72, std::max<int64_t>(1, span / (15 * 60'000)));
  std::vector<double> v(static_cast<size_t>(cols));
  for (int64_t c = 0; c < cols; ++c) {
    const UtcTime a = from + Duration(span * c / cols), b = from + Duration(span * (c + 1) / cols);
    auto m = s.mean(a, b);
    v[static_cast<size_t>(c)] = m ? m->grams_per_kwh() : 0;
  }
  return v;
}

// A one-line bar chart of the forecast over [from, to) and a line per plan
// with its running time marked. Bars are scaled to [lo, hi], which the
// caller shares between locations so their charts compare; the range is
// printed.
void chart(std::ostream& out, const intensity::IntensitySeries& s, UtcTime from, UtcTime to,
           const std::vector<Plan>& plans, double lo, double hi) {
  static const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const auto v = column_means(s, from, to);
  const int64_t span = (to - from).count();
  const auto cols = static_cast<int64_t>(v.size());
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

// The one shape of `plan --json` ("greenrun.plan/1", docs/formats.md): the
// job, the window, each location once with its plans, and `best` as a
// reference into them. Key names and suffixes as in run.json.
nlohmann::json plan_document(const engine::PlanOutcome& p) {
  nlohmann::json out;
  out["schema"] = "greenrun.plan/1";
  out["job"] = {{"duration_s", rounded(to_seconds(p.duration), 3)},
                {"power_w", rounded(p.power.watts(), 3)},
                {"energy_kwh", rounded(p.energy.kilowatt_hours(), 6)},
                {"power_assumed", p.power_assumed}};
  out["window"] = {{"from", format_utc(p.from)}, {"deadline", format_utc(p.deadline)}};
  nlohmann::json modes = nlohmann::json::array();
  for (const auto m : p.modes) modes.push_back(std::string(scheduling::to_string(m)));
  out["modes"] = modes;
  nlohmann::json locations = nlohmann::json::array();
  for (const auto& l : p.locations) {
    nlohmann::json r;
    r["zone"] = l.location.zone;
    r["region"] = l.location.cloud_region ? nlohmann::json(*l.location.cloud_region) : nlohmann::json(nullptr);
    r["location"] = l.location.description;
    r["forecast"] = {{"label", l.forecast_label},
                     {"origin", std::string(intensity::to_string(l.forecast.origin()))},
                     {"signal", std::string(intensity::to_string(l.forecast.signal()))},
                     {"source", l.forecast.provenance().source}};
    nlohmann::json plans = nlohmann::json::array();
    for (const Plan& q : l.plans) plans.push_back(plan_json(q));
    r["plans"] = plans;
    // The same plans paid on stored actual data, where it covers the window.
    if (l.on_actuals) {
      nlohmann::json paid = nlohmann::json::array();
      for (const Plan& q : l.on_actuals->plans) paid.push_back(plan_json(q));
      r["on_actuals"] = {{"label", l.on_actuals->label}, {"plans", paid}};
    } else {
      r["on_actuals"] = nullptr;
    }
    locations.push_back(r);
  }
  out["locations"] = locations;
  const Plan& best = p.best();
  out["best"] = {{"location", p.best_location},
                 {"plan", p.best_plan},
                 {"zone", p.locations[p.best_location].location.zone},
                 {"mode", std::string(scheduling::to_string(best.mode))},
                 {"emissions_g", rounded(best.emissions.grams(), 3)}};
  return out;
}

Result<engine::PlanRequest> plan_request(const PlanFlags& fl) {
  engine::PlanRequest req;
  req.zones = fl.zones;
  req.regions = fl.regions;
  auto job = parse_job_flags(fl.job);
  if (!job) return std::unexpected(job.error());
  if (!job->duration) return usage("--duration: expected how long the job runs, e.g. --duration 6h");
  req.duration = *job->duration;
  req.power = job->power;
  req.energy = job->energy;
  req.min_pause = job->min_pause;
  if (!fl.from.empty()) {
    auto f = parse_time_arg(fl.from, SystemClock().utc_now());
    if (!f) return usage("--from: " + f.error().message);
    req.from = *f;
  }
  if (!fl.window.empty()) {
    auto w = parse_duration(fl.window);
    if (!w) return usage("--window: " + w.error().message);
    req.window = *w;
  }
  if (!fl.deadline.empty()) {
    auto d = parse_time_arg(fl.deadline, SystemClock().utc_now());
    if (!d) return usage("--deadline: " + d.error().message);
    req.deadline = *d;
  }
  if (!fl.max_delay.empty()) {
    auto d = parse_delay_flag("--max-delay", fl.max_delay);
    if (!d) return std::unexpected(d.error());
    req.max_delay = *d;
  }
  if (iequals(fl.mode, "both")) {
    req.modes = {Mode::kFlexibleStart, Mode::kPauseResume};
  } else {
    auto m = scheduling::parse_mode(fl.mode);
    if (!m || *m == Mode::kThreshold) return usage("--mode: expected flexible, pause-resume or both, got " + fl.mode);
    req.modes = {*m};
  }
  if (!fl.overhead.empty()) {
    auto o = parse_duration(fl.overhead);
    if (!o) return usage("--pause-overhead: " + o.error().message);
    req.pause_overhead = *o;
  }
  if (!fl.min_segment.empty()) {
    auto m = parse_duration(fl.min_segment);
    if (!m || m->count() < 0) return usage("--min-segment: expected a duration such as 30m, got " + fl.min_segment);
    req.min_segment = *m;
  }
  req.forecast.provider = fl.forecast_provider;
  if (!fl.plan_on.empty()) {
    if (fl.plan_on == "actual") req.plan_on = intensity::Origin::kActual;
    else if (fl.plan_on == "forecast") req.plan_on = intensity::Origin::kForecast;
    else return usage("--plan-on: expected actual or forecast, got " + fl.plan_on);
  }
  return req;
}

// Warnings on stderr as they come.
class WarningObserver final : public engine::Observer {
 public:
  explicit WarningObserver(std::ostream& err) : err_(err) {}
  void on_event(const engine::Event& e) override { err_ << "greenrun: warning: " << e.text << "\n"; }

 private:
  std::ostream& err_;
};

int run_plan(const Context& ctx, const PlanFlags& fl) {
  auto req = plan_request(fl);
  if (!req) return report_error(ctx, req.error());
  engine::Services services;
  services.store_path = ctx.store_path();
  WarningObserver observer(*ctx.info);
  auto plan = engine::plan(*req, services, observer);
  if (!plan) return report_error(ctx, plan.error());
  const engine::PlanOutcome& p = *plan;
  const auto& locs = p.locations;
  if (fl.json) {
    *ctx.out << plan_document(p).dump(2) << "\n";
    return 0;
  }
  if (fl.print_start) {  // for sbatch --begin, at and cron: local time, as they read it
    *ctx.out << slurm::slurm_time(p.best().start()) << "\n";
    return 0;
  }
  std::ostream& o = *ctx.out;
  o << fmt::format("Plan for a {} job at {:.0f} W ({:.3f} kWh{}), from {} to end by {}\n", format_duration(p.duration),
                   p.power.watts(), p.energy.kilowatt_hours(), p.power_assumed ? ", assumed" : "", format_utc(p.from),
                   format_utc(p.deadline));
  o << "  "
    << engine::power_line(p.power, p.power_assumed       ? engine::PowerBasis::kDefault
                                   : fl.job.energy.empty() ? engine::PowerBasis::kGiven
                                                           : engine::PowerBasis::kFromEnergy)
    << "\n";
  // One scale for every location's chart, so their bars compare.
  double lo = 1e300, hi = -1e300;
  for (const auto& l : locs)
    for (double x : column_means(l.forecast, p.from, p.deadline)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  for (const auto& l : locs) {
    o << "\n" << l.location.description << ": " << l.forecast_label << "\n";
    for (const Plan& q : l.plans) {
      o << fmt::format("  {:<13} {}\n", std::string(scheduling::to_string(q.mode)), describe(q));
      o << fmt::format("  {:<13} {} CO2e vs {} starting now: saves {} ({:.1f} %)\n", "", format_mass(q.emissions),
                       format_mass(q.baseline), format_mass(q.saving()), q.saving_percent());
    }
    if (l.on_actuals) {
      o << "  On " << l.on_actuals->label << ":\n";
      for (const Plan& q : l.on_actuals->plans)
        o << fmt::format("  {:<13} {} CO2e vs {} starting now: saves {} ({:.1f} %)\n",
                         std::string(scheduling::to_string(q.mode)), format_mass(q.emissions),
                         format_mass(q.baseline), format_mass(q.saving()), q.saving_percent());
    }
    chart(o, l.forecast, p.from, p.deadline, l.plans, lo, hi);
  }
  if (locs.size() > 1)
    o << fmt::format("\nBest: {} with {}: {} CO2e\n", locs[p.best_location].location.description,
                     std::string(scheduling::to_string(p.best().mode)), format_mass(p.best().emissions));
  return 0;
}

}  // namespace

void add_plan_command(CLI::App& app, Context& ctx, Action& action) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan", "Plan when (and where) to run a job for the least emissions");
  cmd->add_option("--zone", flags->zones, "Grid zone (repeatable), e.g. DE, GB, US-CAL-CISO");
  cmd->add_option("--region", flags->regions, "Cloud region PROVIDER:REGION (repeatable), e.g. aws:eu-west-1");
  add_job_flags(*cmd, flags->job, kJobDuration | kJobPower | kJobEnergy | kJobMinPause)->required();
  cmd->add_option("--window", flags->window,
                  "The window holds the whole job: it must end by --from + W (default 24h); slack beyond the "
                  "job's duration is --max-delay");
  cmd->add_option("--deadline", flags->deadline, "The job must end by this UTC time");
  cmd->add_option("--max-delay", flags->max_delay, "Delay allowed, as a duration or % of the job (100%: may take twice as long)");
  cmd->add_option("--mode", flags->mode, "flexible, pause-resume or both (default both)");
  cmd->add_option("--pause-overhead", flags->overhead, "Time each pause costs (checkpoint + restart), e.g. 2m");
  cmd->add_option("--min-segment", flags->min_segment, "Least work between two pauses, e.g. 30m (pause-resume)");
  cmd->add_option("--forecast-provider", flags->forecast_provider,
                  "Plan on a live forecast: uk, uk:POSTCODE, watttime:REGION, electricitymaps[:ZONE] (default: the "
                  "store)");
  cmd->add_option("--from", flags->from, "Earliest start, UTC (default: now)");
  cmd->add_option("--plan-on", flags->plan_on,
                  "Plan on the store's actual or forecast series covering the window (default: the forecast-loading "
                  "policy); plans on a forecast are also paid on stored actuals where they cover the window");
  cmd->add_flag("--json", flags->json, "Print JSON");
  cmd->add_flag("--print-start", flags->print_start,
                "Print only the best start, local time YYYY-MM-DDTHH:MM:SS (sbatch --begin=; at -t \"$(date -d T "
                "+%Y%m%d%H%M.%S)\")");
  cmd->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_plan(ctx, *flags); }; });
}

}  // namespace greenrun::cli
