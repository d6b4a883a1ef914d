// greenrun simulate: what would carbon-aware scheduling have saved? Repeats a
// Dodge et al. (2022) style study on the data in the store. Parsing and
// rendering only: the study is engine::run_study (greenrun/study.h), a job
// log's replay engine::replay_jobs (simulate_jobs.cc).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/job_defaults.h"
#include "greenrun/study.h"
#include "job_flags.h"
#include "simulate_jobs.h"

namespace greenrun::cli {
namespace {

using scheduling::Mode;

struct SimulateFlags {
  std::vector<std::string> zones;
  std::string presets = "all";
  std::string windows = "6h,12h,18h,24h,25%,50%,75%,100%";
  std::string algorithms = "flexible,pause-resume";
  std::string starts = "monthly:1,7,13,19,25@00:00";
  std::string from, to;
  std::string error = "0";
  unsigned repeat = 10;
  uint64_t seed = 1;
  bool json = false, csv = false, markdown = false;
  JobsFlags jobs;  // --jobs FILE: replay a job log instead
};

int usage(const Context& ctx, const std::string& m) { return report_error(ctx, Error{m, ErrorKind::kUsage}); }

nlohmann::json row_json(const scheduling::StudyRow& r) {
  return {{"zone", r.zone},
          {"preset", r.preset},
          {"algorithm", std::string(scheduling::to_string(r.algorithm))},
          {"window", r.window},
          {"starts", r.starts},
          {"skipped_starts", r.skipped},
          {"mean_reduction_percent", r.mean},
          {"median", r.median},
          {"p10", r.p10},
          {"p90", r.p90},
          {"pauses_per_hour", r.pauses_per_hour}};
}

int run_simulate(const Context& ctx, const SimulateFlags& fl) {
  if (fl.zones.empty()) return usage(ctx, "simulate: expected --zone Z (repeatable)");
  const bool schedule = fl.starts.starts_with("daily@") || fl.starts.starts_with("weekdays@") ||
                        fl.starts.starts_with("cron:");
  if (!fl.jobs.file.empty() || schedule) {
    if (fl.zones.size() != 1) return usage(ctx, "simulate --jobs: expected exactly one --zone");
    JobsFlags j = fl.jobs;
    j.zone = fl.zones.front();
    j.presets = fl.presets;
    j.starts = fl.starts;
    j.from = fl.from;
    j.to = fl.to;
    j.error = fl.error;
    j.repeat = fl.repeat;
    j.seed = fl.seed;
    j.json = fl.json;
    j.csv = fl.csv;
    j.markdown = fl.markdown;
    return run_simulate_jobs(ctx, j);
  }
  scheduling::StudyOptions o;
  auto presets = scheduling::select_presets(fl.presets);
  if (!presets) return usage(ctx, "--presets: " + presets.error().message);
  o.presets = std::move(*presets);
  for (const auto& w : split_list(fl.windows)) {
    auto ws = scheduling::parse_window(w);
    if (!ws) return usage(ctx, "--windows: " + ws.error().message);
    o.windows.push_back(*ws);
  }
  for (const auto& a : split_list(fl.algorithms)) {
    auto m = scheduling::parse_mode(a);
    if (!m || *m == Mode::kThreshold) return usage(ctx, "--algorithms: expected flexible or pause-resume, got " + a);
    o.algorithms.push_back(*m);
  }
  auto rule = scheduling::parse_start_rule(fl.starts);
  if (!rule) return usage(ctx, "--starts: " + rule.error().message);
  o.starts = *rule;
  if (!fl.from.empty()) {
    auto t = parse_utc(fl.from);
    if (!t) return usage(ctx, "--from: " + t.error().message);
    o.from = *t;
  }
  if (!fl.to.empty()) {
    auto t = parse_utc(fl.to);
    if (!t) return usage(ctx, "--to: " + t.error().message);
    o.to = *t;
  }
  if (o.from && o.to && *o.to <= *o.from) return usage(ctx, "--to must be after --from");
  auto error = parse_number(fl.error);
  if (!error || !(*error >= 0))
    return usage(ctx, "--error: expected a non-negative share, e.g. 0.05 (a list only with --jobs)");
  if (fl.repeat == 0) return usage(ctx, "--repeat: expected at least 1");
  o.error = *error;
  o.repeat = fl.repeat;
  o.seed = fl.seed;
  auto job_values = parse_job_flags(fl.jobs.job);  // --min-pause, as simulate --jobs, plan and run read it
  if (!job_values) return report_error(ctx, job_values.error());
  o.min_pause = job_values->min_pause.value_or(engine::kDefaultMinPause);

  engine::Services services;
  services.store_path = ctx.store_path();
  auto r = engine::run_study(engine::StudyRequest{fl.zones, std::move(o)}, services);
  if (!r) return report_error(ctx, r.error());

  std::ostream& out = *ctx.out;
  std::vector<const scheduling::StudyRow*> per_zone, overall;
  for (const auto& row : r->rows) (row.zone == "all" ? overall : per_zone).push_back(&row);
  if (fl.json) {
    nlohmann::json j;
    j["sampling"] = r->sampling;
    j["provenance"] = r->provenance;
    j["evaluations"] = r->evaluations;
    j["rows"] = nlohmann::json::array();
    for (const auto* row : per_zone) j["rows"].push_back(row_json(*row));
    j["overall"] = nlohmann::json::array();
    for (const auto* row : overall) j["overall"].push_back(row_json(*row));
    out << j.dump(2) << "\n";
    return 0;
  }
  if (fl.csv) {
    out << "# sampling: " << r->sampling << "\n";
    for (const auto& p : r->provenance) out << "# data: " << p << "\n";
    out << "zone,preset,algorithm,window,starts,skipped_starts,mean_reduction_percent,median,p10,p90,pauses_per_hour\n";
    for (const auto& row : r->rows)
      out << fmt::format("{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f}\n", row.zone, row.preset,
                         std::string(scheduling::to_string(row.algorithm)), row.window, row.starts,
                         row.skipped, row.mean, row.median, row.p10, row.p90, row.pauses_per_hour);
    return 0;
  }
  const bool md = fl.markdown;
  out << (md ? "Sampling: " : "sampling: ") << r->sampling << "\n";
  for (const auto& p : r->provenance) out << (md ? "- data: " : "data: ") << p << "\n";
  out << "\n";
  auto table = [&](const std::vector<const scheduling::StudyRow*>& rows) {
    if (md) {
      out << "| zone | preset | algorithm | window | starts | mean % | median % | p10 % | p90 % | pauses/h |\n"
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|\n";
      for (const auto* row : rows)
        out << fmt::format("| {} | {} | {} | {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} |\n", row->zone,
                           row->preset, std::string(scheduling::to_string(row->algorithm)), row->window,
                           row->starts, row->mean, row->median, row->p10, row->p90, row->pauses_per_hour);
    } else {
      out << fmt::format("{:<12} {:<15} {:<13} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>8}\n", "zone", "preset",
                         "algorithm", "window", "starts", "mean%", "median", "p10", "p90", "pauses/h");
      for (const auto* row : rows)
        out << fmt::format("{:<12} {:<15} {:<13} {:>6} {:>6} {:>7.1f} {:>7.1f} {:>7.1f} {:>7.1f} {:>8.2f}\n",
                           row->zone, row->preset, std::string(scheduling::to_string(row->algorithm)),
                           row->window, row->starts, row->mean, row->median, row->p10, row->p90,
                           row->pauses_per_hour);
    }
  };
  table(per_zone);
  out << "\n" << (md ? "Overall (mean of zone means; percentiles over all starts):\n\n" : "overall:\n");
  table(overall);
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, Context& ctx, Action& action) {
  auto f = std::make_shared<SimulateFlags>();
  CLI::App* cmd = app.add_subcommand("simulate", "Simulate carbon-aware scheduling over stored data (Dodge et al. 2022 protocol)");
  cmd->add_option("--zone", f->zones, "Grid zone with data in the store (repeatable)")->required();
  cmd->add_option("--presets", f->presets, "all, NAME,NAME or a jobs .csv (name,duration,energy)");
  cmd->add_option("--slack,--windows", f->windows,
                  "Slack: delay allowed beyond the job's own duration (the job ends by start + duration + "
                  "slack), hours or % of the job, e.g. 6h,24h,25%,100% (--windows is the old name)");
  cmd->add_option("--algorithms", f->algorithms, "flexible,pause-resume");
  cmd->add_option("--starts", f->starts, "every-step, hourly or monthly:1,7,13,19,25@00:00 (default); or a workload of the presets "
                  "replayed as jobs: daily@01:00, weekdays@01:00, cron:MIN HOUR DOM MON DOW (with --tz, --rules)");
  cmd->add_option("--from", f->from, "First start time (UTC; default: the data's start)");
  cmd->add_option("--to", f->to, "Start times before this (UTC; default: the data's end)");
  cmd->add_option("--error", f->error,
                  "Forecast error: sigma as a share of the mean intensity, e.g. 0.05 (with --jobs a list: 0,0.05,0.1)");
  cmd->add_option("--repeat", f->repeat, "Repetitions with forecast error (default 10)");
  cmd->add_option("--seed", f->seed, "Seed of the forecast error (default 1)");
  cmd->add_option("--jobs", f->jobs.file,
                  "Replay a job log: CSV id,submit,duration,power|energy[,earliest][,deadline|rule][,interruptible] "
                  "or a Slurm sacct --parsable2 export");
  cmd->add_option("--tz", f->jobs.tz, "With --jobs: the site's time zone for local times and rules (default UTC)");
  cmd->add_option("--policies", f->jobs.policies, "With --jobs: at-once,flexible,pause-resume,threshold");
  cmd->add_option("--rule", f->jobs.rule,
                  "With --jobs: the window of jobs with no deadline or rule: slack:6h, within:24h, around:3h, "
                  "around:2h/4h, next-workday@09:00, weekly:mon,thu@09:00 (default slack:0h)");
  cmd->add_option("--rules", f->jobs.rules, "With --jobs: a rule for every job, one setting each (repeatable)");
  cmd->add_option("--pause-overhead", f->jobs.pause_overhead, "With --jobs: time lost per pause, e.g. 2m");
  add_job_flags(*cmd, f->jobs.job, kJobMinPause);
  cmd->add_option("--threshold", f->jobs.threshold,
                  "With --jobs: the threshold policy's threshold, pNN of the last 24 h or g/kWh (default p30)");
  cmd->add_option("--node-power", f->jobs.node_power, "With a sacct log: power per node when ConsumedEnergy is absent");
  cmd->add_option("--plan-on", f->jobs.plan_on,
                  "With --jobs: plan on actual (the actual series), forecast (the stored forecast as last "
                  "stored) or issued (the forecast as known at each decision)");
  cmd->add_flag("--per-job", f->jobs.per_job, "With --jobs: one row per job and setting (text, CSV, Markdown)");
  auto* j = cmd->add_flag("--json", f->json, "JSON output");
  auto* c = cmd->add_flag("--csv", f->csv, "CSV output");
  auto* m = cmd->add_flag("--markdown", f->markdown, "Markdown output");
  j->excludes(c)->excludes(m);
  c->excludes(m);
  cmd->callback([&ctx, &action, f] { action = [&ctx, f] { return run_simulate(ctx, *f); }; });
}

}  // namespace greenrun::cli
