// greenrun slurm submit | agent: the Slurm front end. Flags are parsed here;
// src/slurm runs Slurm's commands and the engine
// (include/greenrun/batch_scheduling.h) decides (docs/slurm.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>

#include "commands.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"
#include "job_flags.h"
#include "slurm/agent.h"
#include "slurm/submit.h"

namespace greenrun::cli {
namespace {

struct SubmitFlags {
  std::string zone, expected_duration, deadline, max_delay, power, forecast_provider, checkpoint;
  bool interruptible = false, dry_run = false;
  std::vector<std::string> sbatch_args;
};

std::unexpected<Error> usage(std::string m) { return make_error(ErrorKind::kUsage, std::move(m)); }

// The cluster's zone by `greenrun run`'s lookup (--zone, GREENRUN_ZONE,
// config.toml, cloud metadata); "" when none is known.
Result<engine::BatchZone> cluster_zone(const std::string& flag, const engine::Services& services) {
  return engine::locate_batch_zone(flag.empty() ? std::nullopt : std::optional<std::string>(flag), services);
}

class StderrObserver final : public engine::Observer {
 public:
  explicit StderrObserver(std::ostream& err) : err_(err) {}
  void on_event(const engine::Event& e) override {
    err_ << (e.kind == engine::EventKind::kWarning ? "greenrun: warning: " : "greenrun: ") << e.text << "\n";
  }

 private:
  std::ostream& err_;
};

int run_submit(const Context& ctx, const SubmitFlags& f) {
  slurm::SubmitRequest req;
  req.sbatch_args = f.sbatch_args;
  engine::Services services;
  services.store_path = ctx.store_path();
  auto where = cluster_zone(f.zone, services);
  if (!where) return report_error(ctx, where.error());
  req.zone = where->zone;
  req.interruptible = f.interruptible;
  if (!f.checkpoint.empty()) {
    auto g = parse_duration(f.checkpoint);
    if (!g || g->count() < 0 || *g > std::chrono::hours(1))
      return report_error(ctx, usage("--checkpoint: expected the grace to checkpoint in, 0s to 1h, such as 60s, got " +
                                     f.checkpoint).error());
    req.checkpoint_grace = std::chrono::ceil<std::chrono::seconds>(*g);
  }
  req.dry_run = f.dry_run;
  req.forecast.provider = f.forecast_provider;
  if (!f.expected_duration.empty()) {
    auto d = parse_duration(f.expected_duration);
    if (!d || d->count() <= 0)
      return report_error(ctx, usage("--expected-duration: expected a positive duration such as 2h, got " +
                                     f.expected_duration).error());
    req.expected_duration = *d;
  }
  if (!f.deadline.empty()) {
    auto d = parse_time_arg(f.deadline, SystemClock().utc_now());
    if (!d) return report_error(ctx, usage("--deadline: " + d.error().message).error());
    req.deadline = *d;
  }
  if (!f.max_delay.empty()) {
    auto d = parse_delay_flag("--max-delay", f.max_delay);
    if (!d) return report_error(ctx, d.error());
    req.max_delay = *d;
  }
  if (!f.power.empty()) {
    auto p = parse_power_flag("--power", f.power);  // the units every power flag takes
    if (!p) return report_error(ctx, p.error());
    req.power = *p;
  }
  if (req.zone.empty() && (req.deadline || req.max_delay))
    return report_error(ctx, usage("--zone: expected the cluster's grid zone (or GREENRUN_ZONE, or zone = \"...\" "
                                   "in config.toml)").error());
  StderrObserver observer(*ctx.err);
  slurm::ProcessCommandRunner runner;
  slurm::SlurmClient client(runner);
  auto s = slurm::submit(req, client, services, observer);
  if (!s) return report_error(ctx, s.error());
  std::ostream& o = *ctx.out;
  if (f.dry_run) {
    o << "dry run: would run";
    for (const auto& a : s->sbatch_argv) o << " " << a;
    o << "\n";
  } else {
    o << "Submitted batch job " << s->job_id << "\n";
  }
  if (!req.zone.empty()) o << "zone " << req.zone << " (from " << where->source << ")\n";
  if (s->start.flexible) {
    o << "planned start " << format_utc(s->start.begin) << " (latest " << format_utc(s->start.latest_start)
      << ", deadline " << format_utc(*s->start.deadline) << ")\n";
    o << fmt::format("expected saving {} CO2e ({:.1f} %) vs starting now, on {}\n",
                     format_mass(s->start.plan->saving()), s->start.plan->saving_percent(), s->start.forecast_label);
  } else {
    o << "starts at once: " << s->start.reason << "\n";
  }
  if (!s->record_path.empty()) o << "plan recorded in " << s->record_path << "\n";
  return 0;
}

struct AgentFlags {
  std::string zone, interval = "15s", forecast_provider, once_text, checkpoint_signal = "USR1", requeue_delay = "121s";
  bool once = false;
};

int run_agent(const Context& ctx, const AgentFlags& f) {
  slurm::AgentOptions opts;
  engine::Services services;
  services.store_path = ctx.store_path();
  auto where = cluster_zone(f.zone, services);
  if (!where) return report_error(ctx, where.error());
  opts.zone = where->zone;
  opts.zone_source = where->zone.empty() ? std::string() : where->source;
  opts.forecast.provider = f.forecast_provider;
  auto iv = parse_duration(f.interval);
  if (!iv || *iv < std::chrono::milliseconds(100) || *iv > std::chrono::hours(1))
    return report_error(ctx, usage("--interval: expected 100ms to 1h, got " + f.interval).error());
  opts.interval = *iv;
  opts.once = f.once;
  const bool signal_ok = !f.checkpoint_signal.empty() && f.checkpoint_signal.size() <= 12 &&
                         std::all_of(f.checkpoint_signal.begin(), f.checkpoint_signal.end(),
                                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  if (!signal_ok)
    return report_error(ctx, usage("--checkpoint-signal: expected a signal name or number such as USR1, got '" +
                                   f.checkpoint_signal + "'").error());
  opts.checkpoint_signal = f.checkpoint_signal;
  auto rd = parse_duration(f.requeue_delay);
  if (!rd || rd->count() < 0 || *rd > std::chrono::hours(1))
    return report_error(ctx, usage("--requeue-delay: expected 0s to 1h, got " + f.requeue_delay).error());
  opts.requeue_delay = *rd;
  if (where->zone.empty() && where->warning)
    *ctx.err << "greenrun slurm agent: " << *where->warning
             << "; jobs whose opt-in names no zone run as if greenrun were absent" << std::endl;
  slurm::ProcessCommandRunner runner;
  slurm::SlurmClient client(runner);
  auto log = [&ctx](const std::string& line) { *ctx.err << line << std::endl; };
  auto st = slurm::run_agent(opts, client, services, log);
  if (!st) return report_error(ctx, st.error());
  return 0;
}

}  // namespace

void add_slurm_command(CLI::App& app, Context& ctx, Action& action) {
  CLI::App* slurm = app.add_subcommand("slurm", "Carbon-aware Slurm: submit jobs, run the agent (docs/slurm.md)");
  slurm->require_subcommand(1);

  auto sf = std::make_shared<SubmitFlags>();
  CLI::App* submit = slurm->add_subcommand(
      "submit", "Submit a batch job to start when the grid is cleanest before its deadline (sbatch --begin)");
  submit->add_option("--zone", sf->zone, "The cluster's grid zone (default $GREENRUN_ZONE, then config.toml, as for run)");
  submit->add_option("--expected-duration", sf->expected_duration,
                     "How long the job runs, e.g. 2h (default: its time limit, --time or #SBATCH --time)");
  submit->add_option("--deadline", sf->deadline, "The job must end by this UTC time (also passed to sbatch)");
  submit->add_option("--max-delay", sf->max_delay, "Delay allowed, as a duration or % of the job");
  submit->add_option("--power", sf->power, "The job's power, for the saving's size (default 1 kW, assumed)");
  submit->add_option("--forecast-provider", sf->forecast_provider, "Plan on a live forecast (default: the store)");
  submit->add_flag("--interruptible", sf->interruptible,
                   "The agent may suspend it while it runs (Pause and Resume, deadline kept)");
  submit->add_option("--checkpoint", sf->checkpoint,
                     "The job checkpoints on a signal: at a planned pause the agent signals it, waits this grace "
                     "(e.g. 60s), requeues it and restarts it at the next planned segment");
  submit->add_flag("--dry-run", sf->dry_run, "Plan and print the sbatch command; submit nothing");
  submit->add_option("sbatch_args", sf->sbatch_args, "sbatch's arguments, after --")->required();
  submit->callback([&ctx, &action, sf] { action = [&ctx, sf] { return run_submit(ctx, *sf); }; });

  auto af = std::make_shared<AgentFlags>();
  CLI::App* agent = slurm->add_subcommand(
      "agent", "Run beside slurmctld: start opted-in pending jobs at the planned time, suspend and resume "
               "interruptible ones, requeue checkpointing ones (until SIGTERM)");
  agent->add_option("--zone", af->zone, "The cluster's grid zone (default $GREENRUN_ZONE, then config.toml, as for run)");
  agent->add_option("--interval", af->interval, "How often to look at the queue (default 15s)");
  agent->add_option("--forecast-provider", af->forecast_provider, "Plan on a live forecast (default: the store)");
  agent->add_option("--checkpoint-signal", af->checkpoint_signal,
                    "Signal sent to a checkpointing job at a planned pause (default USR1)");
  agent->add_option("--requeue-delay", af->requeue_delay,
                    "How long Slurm keeps a requeued job from restarting on its own (cred_expire + 1 s; default 121s)");
  agent->add_flag("--once", af->once, "One pass, then exit (nothing left suspended)");
  agent->callback([&ctx, &action, af] { action = [&ctx, af] { return run_agent(ctx, *af); }; });
}

}  // namespace greenrun::cli
