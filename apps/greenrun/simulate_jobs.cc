#include "simulate_jobs.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/job_defaults.h"
#include "greenrun/replay.h"
#include "greenrun/scheduling/presets.h"
#include "greenrun/scheduling/replay.h"
#include "plan_json.h"

namespace greenrun::cli {
namespace {


nlohmann::json totals_json(const scheduling::SettingResult& s) {
  const auto& t = s.totals;
  nlohmann::json j = {
      {"jobs", t.jobs},
      {"infeasible", t.infeasible},
      {"fell_back", t.fell_back},
      {"emissions_g", rounded(t.emissions_g, 3)},
      {"at_once_g", rounded(t.at_once_g, 3)},
      {"saving_g", rounded(t.saving_g(), 3)},
      {"saving_percent", rounded(t.saving_percent(), 2)},
      {"mean_saving_percent", rounded(t.mean_saving_percent, 2)},
      {"energy_kwh", rounded(t.energy_kwh, 6)},
      {"mean_intensity_g_per_kwh", rounded(t.mean_intensity(), 3)},
      {"at_once_intensity_g_per_kwh", rounded(t.at_once_intensity(), 3)},
      {"delay_h", rounded(t.delay_h, 3)},
      {"mean_delay_h",
       rounded(t.jobs ? t.delay_h / static_cast<double>(t.jobs) : 0, 3)},
      {"pauses", rounded(t.pauses, 2)}};
  return j;
}

std::string error_summary(const scheduling::SettingResult& s) {
  if (s.saving_by_seed.empty()) return "";
  std::string seeds;
  for (auto x : s.seeds)
    seeds += (seeds.empty() ? "" : ",") + std::to_string(x);
  std::string out = fmt::format(
      "saving {:.2f} % +- {:.2f} (sd over {} seeds: {})",
      s.totals.saving_percent(), s.saving_sd, s.seeds.size(), seeds);
  if (s.perfect_saving)
    out += fmt::format(
        "; {:.2f} % with the actuals as forecast, {:.2f} points lost to "
        "forecast error",
        *s.perfect_saving, *s.perfect_saving - s.totals.saving_percent());
  return out;
}

}  // namespace

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t c = std::min(s.find(',', pos), s.size());
    const auto item = trim(s.substr(pos, c - pos));
    if (!item.empty()) out.emplace_back(item);
    pos = c + 1;
  }
  return out;
}

int run_simulate_jobs(const Context& ctx, const JobsFlags& fl) {
  auto usage = [&](const std::string& m) {
    return report_error(ctx, Error{m, ErrorKind::kUsage});
  };
  if (fl.zone.empty()) return usage("simulate --jobs: expected one --zone");
  engine::ReplayRequest q;
  q.zone = fl.zone;
  auto tz = TimeZone::load(fl.tz);
  if (!tz) return usage("--tz: " + tz.error().message);
  q.tz = *tz;
  auto rule = scheduling::parse_job_rule(fl.rule, q.tz);
  if (!rule) return usage("--rule: " + rule.error().message);
  q.default_rule = *rule;
  for (const auto& r : fl.rules) {
    auto x = scheduling::parse_job_rule(r, q.tz);
    if (!x) return usage("--rules: " + x.error().message);
    q.rules.push_back(*x);
  }
  q.errors.clear();
  for (const auto& e : split_list(fl.error)) {
    auto v = parse_number(e);
    if (!v || *v < 0)
      return usage(
          "--error: expected non-negative shares such as 0,0.05,0.1, got \"" +
          e + "\"");
    q.errors.push_back(*v);
  }
  if (fl.repeat == 0) return usage("--repeat: expected at least 1");
  q.repeat = fl.repeat;
  q.seed = fl.seed;
  if (!fl.pause_overhead.empty()) {
    auto d = parse_duration(fl.pause_overhead);
    if (!d) return usage("--pause-overhead: " + d.error().message);
    q.overhead.time = *d;
  }
  auto job_values = parse_job_flags(fl.job);
  if (!job_values) return report_error(ctx, job_values.error());
  q.min_pause = job_values->min_pause.value_or(engine::kDefaultMinPause);
  auto threshold = engine::parse_threshold(fl.threshold);
  if (!threshold) return usage("--threshold: " + threshold.error().message);
  q.threshold = *threshold;
  q.policies.clear();
  for (const auto& p : split_list(fl.policies)) {
    auto pol = scheduling::parse_policy(p);
    if (!pol) return usage("--policies: " + pol.error().message);
    q.policies.push_back(*pol);
  }
  if (auto settings = engine::replay_settings(q); !settings)
    return report_error(ctx, settings.error());
  auto plan_on = engine::parse_plan_on(fl.plan_on);
  if (!plan_on) return usage("--plan-on: " + plan_on.error().message);
  q.plan_on = *plan_on;
  auto node_power = parse_power_flag("--node-power", fl.node_power);  // as every power flag (job_flags.h)
  if (!node_power) return report_error(ctx, node_power.error());
  q.node_power = *node_power;

  // The log: a file, or presets started by a schedule.
  if (!fl.file.empty()) {
    q.log_file = fl.file;
  } else {
    engine::SyntheticJobs syn;
    auto sched = scheduling::parse_start_schedule(fl.starts);
    if (!sched) return usage("--starts: " + sched.error().message);
    syn.starts = *sched;
    syn.starts_text = fl.starts;
    auto presets = scheduling::select_presets(fl.presets);
    if (!presets) return usage("--presets: " + presets.error().message);
    syn.presets = std::move(*presets);
    if (fl.from.empty() || fl.to.empty())
      return usage("--starts " + fl.starts +
                   ": expected --from and --to (the span of nominal start times)");
    auto from = parse_local(fl.from, q.tz);
    if (!from) return usage("--from: " + from.error().message);
    auto to = parse_local(fl.to, q.tz);
    if (!to) return usage("--to: " + to.error().message);
    if (*to <= *from) return usage("--to must be after --from");
    syn.from = *from;
    syn.to = *to;
    q.synthetic = std::move(syn);
  }
  engine::Services services;
  services.store_path = ctx.store_path();
  auto replay = engine::replay_jobs(q, services);
  if (!replay) return report_error(ctx, replay.error());
  const scheduling::ReplayResult* r = &replay->result;
  const scheduling::JobLog* log = &replay->log;
  const std::string& source = replay->source;
  const TimeZone& tz_used = q.tz;

  // ---- rendering
  std::ostream& out = *ctx.out;
  const std::string& data = replay->data;
  const std::string& planned_on = replay->planned_on;
  for (const auto& x : r->excluded)
    *ctx.err << "warning: " << source << ":" << x.line << ": job " << x.id
             << " excluded: " << x.reason << "\n";
  if (fl.json) {
    nlohmann::json j;
    j["schema"] = "greenrun.replay/1";
    j["log"] = {{"file", source},
                {"format", log->format},
                {"jobs", log->jobs.size()},
                {"steps_ignored", log->steps_ignored}};
    j["tz"] = tz_used.name();
    j["data"] = data;
    j["planned_on"] = planned_on;
    j["plans"] = r->plans;
    j["excluded"] = nlohmann::json::array();
    for (const auto& x : r->excluded)
      j["excluded"].push_back(
          {{"id", x.id}, {"line", x.line}, {"reason", x.reason}});
    j["settings"] = nlohmann::json::array();
    for (const auto& s : r->settings) {
      nlohmann::json sj;
      sj["label"] = s.setting.label();
      sj["policy"] = std::string(scheduling::to_string(s.setting.policy));
      sj["rule"] = s.setting.rule ? nlohmann::json(s.setting.rule->text)
                                  : nlohmann::json(nullptr);
      sj["error"] = s.setting.error;
      sj["totals"] = totals_json(s);
      if (!s.seeds.empty()) {
        sj["seeds"] = s.seeds;
        nlohmann::json by = nlohmann::json::array();
        for (double x : s.saving_by_seed) by.push_back(rounded(x, 2));
        sj["saving_percent_by_seed"] = by;
        sj["saving_percent_sd"] = rounded(s.saving_sd, 2);
      }
      if (s.perfect_saving) {  // noisy, stored or issued forecasts
        sj["perfect_saving_percent"] = rounded(*s.perfect_saving, 2);
        sj["lost_to_error_percent"] =
            rounded(*s.perfect_saving - s.totals.saving_percent(), 2);
      }
      nlohmann::json jobs = nlohmann::json::array();
      for (const auto& jo : s.jobs) {
        nlohmann::json x = plan_json(jo.plan);
        x["id"] = log->jobs[jo.job].id;
        x["delay_s"] = rounded(to_seconds(jo.delay), 3);
        x["feasible"] = jo.feasible;
        x["fell_back"] = jo.fell_back;
        jobs.push_back(std::move(x));
      }
      sj["jobs"] = std::move(jobs);
      j["settings"].push_back(std::move(sj));
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  const bool md = fl.markdown, csv = fl.csv;
  const std::string pre = csv ? "# " : md ? "- " : "";
  out << pre << "log: " << source << " (" << log->format << ", "
      << log->jobs.size() << " jobs"
      << (log->steps_ignored
              ? ", " + std::to_string(log->steps_ignored) + " job steps ignored"
              : "")
      << "), time zone " << tz_used.name() << "\n";
  out << pre << "data: " << data << "\n"
      << pre << "planned on: " << planned_on << "\n";
  out << pre << "excluded: " << r->excluded.size() << " jobs";
  for (const auto& x : r->excluded)
    out << "; " << x.id << " (line " << x.line << "): " << x.reason;
  out << "\n";
  for (const auto& s : r->settings)
    if (!s.seeds.empty())
      out << pre << s.setting.label() << ": " << error_summary(s) << "\n";
  if (md) out << "\n";
  if (fl.per_job) {
    if (csv)
      out << "setting,id,mode,start,end,segments,pauses,emissions_g,at_once_g,"
             "saving_g,saving_percent,delay_s,feasible\n";
    else if (md)
      out << "| setting | id | mode | start | end | segments | pauses | g CO2e "
             "| at once g | saving g | saving % | delay h | feasible "
             "|\n|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
             "\n";
    for (const auto& s : r->settings)
      for (const auto& jo : s.jobs) {
        const auto& pl = jo.plan;
        const std::string id = log->jobs[jo.job].id;
        if (csv)
          out << fmt::format(
              "\"{}\",{},{},{},{},{},{},{:.3f},{:.3f},{:.3f},{:.2f},{:.0f},{}"
              "\n",
              s.setting.label(), id, scheduling::to_string(pl.mode),
              format_utc(pl.start()), format_utc(pl.end()), pl.segments.size(),
              pl.pauses(), pl.emissions.grams(), pl.baseline.grams(),
              pl.saving().grams(), pl.saving_percent(), to_seconds(jo.delay),
              jo.feasible);
        else
          out << fmt::format(
              fmt::runtime(
                  md ? "| {} | {} | {} | {} | {} | {} | {} | {:.1f} | {:.1f} | "
                       "{:.1f} | {:.1f} | {:.2f} | {} |\n"
                     : "{:<28} {:<10} {:<13} {} {} {:>3} {:>3} {:>10.1f} "
                       "{:>10.1f} {:>9.1f} {:>6.1f}% {:>6.2f}h {}\n"),
              s.setting.label(), id, scheduling::to_string(pl.mode),
              format_utc(pl.start()), format_utc(pl.end()), pl.segments.size(),
              pl.pauses(), pl.emissions.grams(), pl.baseline.grams(),
              pl.saving().grams(), pl.saving_percent(), to_hours(jo.delay),
              jo.feasible ? "yes" : "no (at once)");
      }
    return 0;
  }
  if (csv)
    out << "setting,policy,rule,error,jobs,infeasible,fell_back,emissions_g,at_"
           "once_g,saving_g,saving_percent,"
           "mean_saving_percent,saving_percent_sd,lost_to_error_percent,mean_"
           "intensity_g_per_kwh,mean_delay_h,pauses\n";
  else if (md)
    out << "| setting | jobs | infeasible | g CO2e | at once g | saving g | "
           "saving % (of totals) | mean of per-job % | "
           "sd over seeds | lost to error | g/kWh | mean delay h | pauses |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
           "\n";
  else
    out << fmt::format(
        "\n{:<36} {:>5} {:>5} {:>12} {:>12} {:>8} {:>8} {:>7} {:>7} {:>8} "
        "{:>7}\n",
        "setting", "jobs", "infs", "g CO2e", "at once g", "saving%", "mean%",
        "sd", "lost", "g/kWh", "delay h");
  for (const auto& s : r->settings) {
    const auto& t = s.totals;
    const double mean_delay =
        t.jobs ? t.delay_h / static_cast<double>(t.jobs) : 0;
    const std::string sd =
        s.seeds.empty() ? "" : fmt::format("{:.2f}", s.saving_sd);
    const std::string lost =
        s.perfect_saving
            ? fmt::format("{:.2f}", *s.perfect_saving - t.saving_percent())
            : "";
    if (csv)
      out << fmt::format(
          "\"{}\",{},{},{},{},{},{},{:.3f},{:.3f},{:.3f},{:.4f},{:.4f},{},{},{:"
          ".3f},{:.3f},{:.0f}\n",
          s.setting.label(), scheduling::to_string(s.setting.policy),
          s.setting.rule ? s.setting.rule->text : "", s.setting.error, t.jobs,
          t.infeasible, t.fell_back, t.emissions_g, t.at_once_g, t.saving_g(),
          t.saving_percent(), t.mean_saving_percent, sd, lost,
          t.mean_intensity(), mean_delay, t.pauses);
    else if (md)
      out << fmt::format(
          "| {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.2f} | {:.2f} | {} | "
          "{} | {:.1f} | {:.2f} | {:.0f} |\n",
          s.setting.label(), t.jobs, t.infeasible, t.emissions_g, t.at_once_g,
          t.saving_g(), t.saving_percent(), t.mean_saving_percent, sd, lost,
          t.mean_intensity(), mean_delay, t.pauses);
    else
      out << fmt::format(
          "{:<36} {:>5} {:>5} {:>12.0f} {:>12.0f} {:>8.2f} {:>8.2f} {:>7} "
          "{:>7} {:>8.1f} {:>7.2f}\n",
          s.setting.label(), t.jobs, t.infeasible, t.emissions_g, t.at_once_g,
          t.saving_percent(), t.mean_saving_percent, sd, lost,
          t.mean_intensity(), mean_delay);
  }
  return 0;
}

}  // namespace greenrun::cli
