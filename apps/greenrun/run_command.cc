// `greenrun run [--zone Z|--region P:R] [--project NAME] [--phase NAME]
//  [--interval D] [--out DIR] [--pue X] [--sensors MODE]
//  [--instance P:TYPE | --embodied-kg X [--share S]] [--lifetime 4y] -- CMD ARGS...`
//
// Runs CMD (stdin, stdout and stderr untouched), samples its energy every
// interval into timeline.jsonl, and at the end prints a summary on stderr
// (so CMD's stdout stays clean for pipes) and writes run.json and
// emissions.csv to the run folder, and records the run in the store.
// Emissions come from the accounting library (the same breakdown `greenrun
// emissions` prints), for the job's attributed energy and the whole machine;
// the flexible-start line from scheduling's Flexible Start.
// Exits with CMD's status (128 + signal when killed; 127 when not found).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.h"
#include "greenrun/accounting/embodied.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "greenrun/replay.h"  // parse_threshold
#include "greenrun/run_control.h"
#include "greenrun/runner/job_control.h"
#include "job_flags.h"

namespace greenrun::cli {
namespace {

using runner::RunRecord;
using sensors::Component;

// Carbon-aware execution flags (docs/execution.md), as typed.
struct ExecutionFlags {
  std::string start_within, deadline, max_delay;
  std::optional<std::string> threshold;  // given, even empty: the threshold mode
  JobFlags job;  // --duration, --power, --energy, --min-pause (job_flags.h)
  bool pause_resume = false;
  std::string pause_mode = "stop";
  std::string checkpoint_signal = "USR1";
  std::string grace = "30s";
  std::string forecast_provider;  // "" : GREENRUN_FORECAST_PROVIDER / config, else the store
  std::string forecast_refresh = "15m";
  std::string min_saving = "1%";
  std::optional<double> time_scale;  // none: $GREENRUN_TIME_SCALE, else 1
};

struct RunOptions {
  std::optional<std::string> zone;
  std::optional<std::string> region;
  std::string project;
  std::string phase;
  std::string interval = "1s";
  std::optional<std::string> out;
  double pue = 1.0;
  std::string sensors = "auto";
  std::optional<std::string> instance;  // embodied: "aws:p3.2xlarge"
  std::optional<double> embodied_kg;     // embodied: the hardware's total, kg CO2e
  double share = 1.0;                    // with embodied_kg: the share of that hardware used
  std::string lifetime = "4y";
  bool lifetime_given = false;
  std::vector<std::string> command;
  ExecutionFlags execution;
  bool detach = false;
};

std::unexpected<Error> usage(std::string m) { return make_error(ErrorKind::kUsage, std::move(m)); }

Result<std::optional<engine::ExecutionRequest>> execution_request(const ExecutionFlags& f) {
  const int modes = !f.start_within.empty() + f.pause_resume + f.threshold.has_value();
  if (modes == 0) return std::optional<engine::ExecutionRequest>{};
  if (modes > 1) return usage("give one of --start-within, --pause-resume and --threshold");
  engine::ExecutionRequest r;
  auto job = parse_job_flags(f.job);
  if (!job) return std::unexpected(job.error());
  if (!job->duration)
    return usage("carbon-aware execution needs --duration (alias --expected-duration): how long the job runs "
                 "without pauses");
  r.expected_duration = *job->duration;
  if (job->power) r.expected_power = *job->power;
  if (job->energy) r.expected_power = *job->energy / *job->duration;
  r.min_pause = job->min_pause;
  if (f.time_scale) {
    r.time_scale = *f.time_scale;
  } else {
    if (const char* e = std::getenv("GREENRUN_TIME_SCALE"); e && *e) {
      auto v = parse_number(e);
      if (!v) return usage("GREENRUN_TIME_SCALE: " + v.error().message);
      r.time_scale = *v;
    } else {
      r.time_scale = 1;
    }
  }
  auto pm = runner::parse_pause_mode(f.pause_mode);
  if (!pm) return usage("--pause-mode: " + pm.error().message);
  r.pause_mode = *pm;
  auto sig = runner::parse_signal(f.checkpoint_signal);
  if (!sig) return usage("--checkpoint-signal: " + sig.error().message);
  r.checkpoint_signal = *sig;
  auto grace = parse_duration(f.grace);
  if (!grace || grace->count() <= 0) return usage("--grace: expected a positive duration, got " + f.grace);
  r.grace = *grace;
  if (!f.start_within.empty()) {
    r.mode = scheduling::Mode::kFlexibleStart;
    if (!f.deadline.empty() || !f.max_delay.empty())
      return usage("--start-within sets the window itself; --deadline and --max-delay go with --pause-resume");
    auto w = parse_duration(f.start_within);
    if (!w || w->count() < 0) return usage("--start-within: expected a duration such as 12h, got " + f.start_within);
    r.start_within = *w;
  } else {
    r.mode = f.pause_resume ? scheduling::Mode::kPauseResume : scheduling::Mode::kThreshold;
    if (f.deadline.empty() == f.max_delay.empty())
      return usage(std::string(f.pause_resume ? "--pause-resume" : "--threshold") +
                   " needs one of --deadline T and --max-delay (e.g. 100%)");
    if (!f.deadline.empty()) {
      auto d = parse_time_arg(f.deadline, SystemClock().utc_now());
      if (!d) return usage("--deadline: " + d.error().message);
      r.deadline = *d;
    } else {
      auto d = parse_delay_flag("--max-delay", f.max_delay);
      if (!d) return std::unexpected(d.error());
      r.max_delay = *d;
    }
    if (r.mode == scheduling::Mode::kThreshold) {
      auto t = engine::parse_threshold(*f.threshold);  // the one reading, as simulate --jobs
      if (!t) return usage("--threshold: " + t.error().message);
      r.threshold = *t;
    }
  }
  {
    std::string_view m = trim(f.min_saving);
    if (!m.empty() && m.back() == '%') m.remove_suffix(1);
    auto v = parse_number(trim(m));
    if (!v || !(*v >= 0 && *v <= 100)) return usage("--min-saving: expected 0% to 100%, got " + f.min_saving);
    r.min_saving_percent = *v;
  }
  auto every = parse_duration(f.forecast_refresh);
  if (!every || every->count() <= 0)
    return usage("--forecast-refresh: expected a positive duration such as 15m, got " + f.forecast_refresh);
  r.forecast.refresh = *every;
  r.forecast.provider = f.forecast_provider;
  return std::optional<engine::ExecutionRequest>{std::move(r)};
}

Result<engine::RunRequest> run_request(const RunOptions& o) {
  engine::RunRequest r;
  r.command = o.command;
  r.zone = o.zone;
  r.region = o.region;
  r.project = o.project;
  r.phase = o.phase;
  auto interval = parse_duration(o.interval);
  if (!interval) return usage("--interval: " + interval.error().message);
  r.interval = *interval;
  r.out_dir = o.out;
  r.pue = o.pue;
  r.sensors = o.sensors;
  if (o.instance || o.embodied_kg) {
    engine::EmbodiedRequest e;
    e.instance = o.instance;
    if (o.embodied_kg) e.hardware = Mass::kilograms(*o.embodied_kg);  // checked by the engine, as for emissions
    e.share = o.share;
    auto lifetime = accounting::parse_lifetime(o.lifetime);
    if (!lifetime) return usage("--lifetime: " + lifetime.error().message);
    e.lifetime = *lifetime;
    e.lifetime_given = o.lifetime_given;
    r.embodied = e;
  } else if (auto lifetime = accounting::parse_lifetime(o.lifetime); !lifetime) {
    return usage("--lifetime: " + lifetime.error().message);
  }
  auto execution = execution_request(o.execution);
  if (!execution) return std::unexpected(execution.error());
  r.execution = std::move(*execution);
  return r;
}

// Renders the engine's events on stderr: warnings and schedule switches as
// lines, the progress line redrawn in place on a TTY.
class StderrObserver final : public engine::Observer {
 public:
  StderrObserver(std::ostream& err, bool status) : err_(err), tty_(status && ::isatty(STDERR_FILENO) == 1) {}
  void on_event(const engine::Event& e) override {
    switch (e.kind) {
      case engine::EventKind::kWarning:
        err_ << clear() << "greenrun: warning: " << e.text << "\n";
        break;
      case engine::EventKind::kPlan:
      case engine::EventKind::kSchedule:
        err_ << clear() << "greenrun: " << e.text << "\n";
        break;
      case engine::EventKind::kProgress:
        err_ << "\r\033[K" << e.text << std::flush;
        progress_ = !e.text.empty();
        break;
    }
  }
  bool wants_progress() const override { return tty_; }

 private:
  std::string clear() {
    if (!progress_) return "";
    progress_ = false;
    return "\r\033[K";
  }
  std::ostream& err_;
  bool tty_;
  bool progress_ = false;
};

// Every line of `text` indented by `indent`.
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t nl = text.find('\n', i);
    const size_t end = nl == std::string::npos ? text.size() : nl;
    if (end > i) out += indent;
    out += text.substr(i, end - i) + "\n";
    i = end + 1;
  }
  return out;
}

// The hindsight line, over the run's own window (the user's, for a
// carbon-aware run; else 24 h).
std::string flexible_start_line(const runner::FlexibleStartFigure& f) {
  if (!f.computed) return "best start in hindsight: not computed: " + f.reason;
  const std::string window = format_duration(f.window);
  if (f.saving_percent <= 0.05)
    return fmt::format("best start in hindsight: no start within {} of the run's start would have emitted less ({}: {})",
                       window, f.basis, f.source);
  return fmt::format(
      "best start in hindsight: started at {}, within {} of the run's start, it would have emitted {:.1f} % less ({}: "
      "{})",
      format_utc(f.best_start), window, f.saving_percent, f.basis, f.source);
}

void print_summary(std::ostream& err, const engine::RunOutcome& out) {
  const RunRecord& r = out.record;
  const auto& notes = out.sensor_notes;
  const auto& location_warning = out.location_warning;
  const auto& emissions = out.emissions;
  const auto& report = out.report;
  const bool sim = r.simulated();
  const std::string tag = sim ? " [SIMULATED: fake sensor, not a measurement]" : "";
  err << fmt::format("greenrun: run {} finished: exit status {} after {}{}\n", r.id, r.exit_status,
                     format_duration(r.duration), tag);
  err << fmt::format("  command: {}\n", fmt::join(r.command, " "));
  err << "  energy (job / whole machine, method):\n";
  for (const auto& c : r.components) {
    err << fmt::format("    {:<9}{:>12} / {:<12} {}\n", sensors::to_string(c.component), format_energy(c.job),
                       format_energy(c.machine), sensors::to_string(c.method));
  }
  err << fmt::format("    {:<9}{:>12} / {:<12} {} (weakest part)\n", "total", format_energy(r.job_energy()),
                     format_energy(r.machine_energy()), sensors::to_string(r.weakest_method()));
  err << "    (job share: CPU and DRAM by the process tree's CPU time; platform/psys not added)\n";
  for (const auto& n : notes) err << "    note: " << n << "\n";
  if (emissions) {
    // The job's breakdown exactly as `greenrun emissions` prints it, then the
    // whole machine's lines with the same intensity, PUE and embodied share.
    err << indented(accounting::breakdown_to_text(emissions->job, report), "  ");
    const auto& m = emissions->machine;
    err << fmt::format("  Whole machine ({} IT energy): operational {} + PUE overhead {} + embodied {} = {} ({}){}\n",
                       format_energy(m.energy), format_mass(m.average.operational),
                       format_mass(m.pue_overhead),
                       m.embodied ? format_mass(m.embodied->amount) : std::string("not included"),
                       format_mass(m.total), intensity::to_string(m.average.signal),
                       m.total_marginal ? "; marginal " + format_mass(*m.total_marginal) : "");
  } else {
    err << fmt::format("  emissions: {}\n", r.average ? "0 g: " + r.average->source : "not computed (see the warnings)");
  }
  err << fmt::format("  zone: {} (from {})\n", r.zone.empty() ? "world average" : r.zone, r.zone_source);
  if (location_warning) err << "  warning: " << *location_warning << "\n";
  err << "  " << flexible_start_line(r.flexible_start) << "\n";
  for (const auto& w : r.warnings) err << "  warning: " << w << "\n";
  const auto runs_root = std::filesystem::path(r.out_dir).parent_path().string();
  err << fmt::format("  files: {}/run.json, timeline.jsonl; row appended to {}/emissions.csv\n", r.out_dir, runs_root);
}

void print_schedule(std::ostream& err, const engine::ScheduleOutcome& s) {
  err << fmt::format("  schedule: {}{}: {} pause{}, waited {} before the start, run time {}, time added {}{}\n",
                     scheduling::to_string(s.mode), s.pause_mode.empty() ? "" : " (" + s.pause_mode + ")", s.pauses,
                     s.pauses == 1 ? "" : "s", format_duration(s.waited), format_duration(s.run_time),
                     format_duration(s.time_added), "; " + s.deadline_summary);
  const double pct =
      s.at_once.grams() > 0 ? 100.0 * (s.at_once - s.emissions).grams() / s.at_once.grams() : 0;
  err << fmt::format("  schedule emissions ({}): {} CO2e against {} CO2e had it run at once ({:.1f} % {})\n",
                     s.forecast_label, format_mass(s.emissions), format_mass(s.at_once), std::abs(pct),
                     pct >= 0 ? "less" : "more");
  if (s.guard_engaged) err << "  note: the deadline guard ran the job regardless of intensity at some point\n";
  if (s.time_scale != 1.0)
    err << fmt::format("  note: time scale {} (schedule time runs {}x real time)\n", s.time_scale, s.time_scale);
}

int run_action(Context& ctx, const RunOptions& o) {
  auto request = run_request(o);
  if (!request) return report_error(ctx, request.error());
  engine::Services services;
  services.store_path = ctx.store_path();
  if (o.detach) {
    ctx.out->flush();
    ctx.err->flush();
    auto detached = engine::detach_run(*request, services);
    if (!detached) return report_error(ctx, detached.error());
    if (*detached) {
      const engine::DetachedRun& d = **detached;
      *ctx.out << d.id << "\n";
      *ctx.info << fmt::format(
          "greenrun: run {} detached (supervisor pid {}); log: {}\n  see `greenrun runs status {}`; stop it with "
          "`greenrun runs cancel {}`\n",
          d.id, d.pid, d.log.string(), d.id, d.id);
      return 0;
    }
    // The supervisor: stdout and stderr are the run's log from here on.
  }
  StderrObserver observer(*ctx.info, !ctx.quiet);
  // A detached supervisor's failure is kept for `runs status` too.
  auto out = o.detach ? engine::run_detached(*request, services, observer) : engine::run(*request, services, observer);
  if (!out) return report_error(ctx, out.error());
  if (out->spawn_error) {
    *ctx.err << "greenrun: " << out->spawn_error->message << "\n";
    return out->spawn_error->exit_status;
  }
  print_summary(*ctx.info, *out);
  if (out->schedule) print_schedule(*ctx.info, *out->schedule);
  return out->exit_status();
}

void add_execution_flags(CLI::App& run, ExecutionFlags& f) {
  const std::string g = "Carbon-aware execution (docs/execution.md)";
  run.add_option("--start-within", f.start_within, "Flexible Start: start at the cleanest time within this delay")
      ->group(g);
  run.add_flag("--pause-resume", f.pause_resume, "Pause and Resume: run in the cleanest hours before the deadline")
      ->group(g);
  run.add_option("--deadline", f.deadline, "The job must end by this UTC time")->group(g);
  run.add_option("--max-delay", f.max_delay, "Delay allowed, as a duration or % of the job (100%: twice as long)")
      ->group(g);
  run.add_option("--threshold", f.threshold, "Run while intensity <= this: g/kWh (200) or a percentile (p30)")
      ->group(g);
  run.add_option("--pause-mode", f.pause_mode, "stop (SIGSTOP/SIGCONT) or checkpoint (signal, exit, rerun)")
      ->group(g);
  run.add_option("--checkpoint-signal", f.checkpoint_signal, "Signal asking the job to checkpoint (default USR1)")
      ->group(g);
  run.add_option("--grace", f.grace, "Time the job has to exit after the checkpoint signal (default 30s)")->group(g);
  run.add_option("--forecast-provider", f.forecast_provider,
                 "Live forecasts: uk, uk:POSTCODE, watttime:REGION|LAT,LON, electricitymaps[:ZONE|LAT,LON], or store "
                 "(default: GREENRUN_FORECAST_PROVIDER or [forecast] provider in config.toml, else the store)")
      ->group(g);
  run.add_option("--forecast-refresh", f.forecast_refresh,
                 "Fetch the live forecast again this often while the job waits (default 15m)")
      ->group(g);
  add_job_flags(run, f.job, kJobDuration | kJobPower | kJobEnergy | kJobMinPause, g);
  run.add_option("--min-saving", f.min_saving,
                 "Run at once when the plan would save less than this against running at once (default 1%)")
      ->group(g);
  run.add_option("--time-scale", f.time_scale, "Testing: schedule time runs N times faster")->group("");
}

}  // namespace

void add_run_command(CLI::App& app, Context& ctx, Action& action) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand("run", "Run a command and measure its energy and emissions");
  sub->add_option("--zone", opts->zone, "Grid zone (DE, US-CAL-CISO, ...)");
  sub->add_option("--region", opts->region, "Cloud region as provider:region (aws:eu-central-1)");
  sub->add_option("--project", opts->project, "Project name, for `greenrun runs summary`");
  sub->add_option("--phase", opts->phase, "Phase (model-selection, training, inference, ...)");
  sub->add_option("--interval", opts->interval, "Sampling interval, 10ms to 60s (default 1s)");
  sub->add_option("--out", opts->out, "Runs folder: the run's files go to DIR/<run id>/ (run.json, timeline.jsonl) and a row is appended to DIR/emissions.csv (CodeCarbon's columns) and DIR/greenrun_runs.csv (default: runs/ beside the store)");
  sub->add_option("--pue", opts->pue, "Datacenter power usage effectiveness (default 1.0)");
  sub->add_option("--sensors", opts->sensors, "auto, rapl, nvml, estimate or fake (default auto)");
  auto* instance = sub->add_option("--instance", opts->instance,
                                   "Cloud instance for the embodied line, provider:type (aws:p3.2xlarge)");
  auto* kg = sub->add_option("--embodied-kg", opts->embodied_kg, "Embodied carbon of the hardware, kg CO2e");
  instance->excludes(kg);
  sub->add_option("--share", opts->share, "With --embodied-kg: the share of that hardware used, in (0, 1]")->needs(kg);
  sub->add_option("--lifetime", opts->lifetime, "Hardware lifetime for the embodied line (default 4y)");
  add_execution_flags(*sub, opts->execution);
  sub->add_flag("--detach", opts->detach,
                "Run in the background (a carbon-aware run that waits for hours): print the run id and exit 0; the "
                "run's output goes to greenrun.log in its folder; see `greenrun runs status|cancel ID`");
  sub->add_option("command", opts->command, "The command to run, after --")->required();
  sub->callback([&ctx, &action, opts, sub] {
    opts->lifetime_given = sub->count("--lifetime") > 0;
    action = [&ctx, opts] { return run_action(ctx, *opts); };
  });
}

}  // namespace greenrun::cli
