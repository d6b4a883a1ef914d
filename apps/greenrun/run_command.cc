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
#include <algorithm>
#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <random>

#include "accounting/embodied.h"
#include "accounting/emissions_report.h"
#include "base/clock.h"
#include "base/quantity_parse.h"
#include "base/time_format.h"
#include "commands.h"
#include "intensity/store.h"
#include "intensity/zone_catalogue.h"
#include "run_execution.h"
#include "runner/child_process.h"
#include "runner/location.h"
#include "runner/run_emissions.h"
#include "runner/run_record.h"
#include "runner/run_store.h"
#include "runner/sampler.h"
#include "runner/sensor_setup.h"
#include "sensors/proc_reader.h"

namespace greenrun::cli {
namespace {

using runner::RunRecord;
using sensors::Component;

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
  std::vector<std::string> command;
  ExecutionFlags execution;  // carbon-aware execution (run_execution.h)
};

std::string format_energy(Energy e) {
  const double j = e.joules();
  if (j >= 3.6e6) return fmt::format("{:.3f} kWh", e.kilowatt_hours());
  if (j >= 3600) return fmt::format("{:.2f} Wh", e.watt_hours());
  if (j >= 1) return fmt::format("{:.1f} J", j);
  return fmt::format("{:.3f} J", j);
}

// A cloud region ("aws:eu-central-1") to its grid zone, via the embedded
// zone catalogue.
Result<std::string> region_to_zone(const std::string& provider_region) {
  auto loc = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, provider_region);
  if (!loc) return std::unexpected(loc.error());
  return loc->zone;
}

// The embodied line's input from --instance or --embodied-kg/--share, and
// --lifetime; nullopt when neither is given. Errors name the flag.
Result<std::optional<accounting::EmbodiedInput>> embodied_from(const RunOptions& o) {
  auto lifetime = accounting::parse_lifetime(o.lifetime);
  if (!lifetime) return make_error("--lifetime: " + lifetime.error().message);
  std::optional<accounting::EmbodiedInput> e;
  if (o.instance) {
    auto inst = accounting::find_instance(*o.instance);
    if (!inst) return make_error("--instance: " + inst.error().message);
    e = accounting::embodied_input(**inst, *lifetime);
  } else if (o.embodied_kg) {
    if (!std::isfinite(*o.embodied_kg) || *o.embodied_kg < 0)
      return make_error("--embodied-kg: expected a non-negative number of kg CO2e");
    if (!(o.share > 0 && o.share <= 1)) return make_error("--share: expected a number in (0, 1]");
    e = accounting::EmbodiedInput{Mass::kilograms(*o.embodied_kg), o.share, *lifetime,
                                  fmt::format("--embodied-kg {:g} kg, share {:g}", *o.embodied_kg, o.share)};
  }
  if (e)
    e->source += "; lifetime " + format_duration(*lifetime) +
                 (o.lifetime == "4y" ? " (" + std::string(accounting::kLifetimeSource) + ")" : " (--lifetime)");
  return e;
}

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

std::string flexible_start_line(const runner::FlexibleStartFigure& f) {
  if (!f.computed) return "flexible start: not computed: " + f.reason;
  if (f.saving_percent <= 0.05)
    return fmt::format("flexible start: no start within the next 24 h would have emitted less ({}: {})", f.basis,
                       f.source);
  return fmt::format("flexible start: started at {} within the next 24 h it would have emitted {:.1f} % less ({}: {})",
                     format_utc(f.best_start), f.saving_percent, f.basis, f.source);
}

void print_summary(std::ostream& err, const RunRecord& r, const std::vector<std::string>& notes,
                   const std::optional<std::string>& location_warning,
                   const std::optional<runner::RunEmissions>& emissions, const accounting::ReportContext& report) {
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
                       accounting::format_energy(m.energy), accounting::format_mass(m.average.operational),
                       accounting::format_mass(m.pue_overhead),
                       m.embodied ? accounting::format_mass(m.embodied->amount) : std::string("not included"),
                       accounting::format_mass(m.total), intensity::to_string(m.average.signal),
                       m.total_marginal ? "; marginal " + accounting::format_mass(*m.total_marginal) : "");
  } else {
    err << fmt::format("  emissions: {}\n", r.average ? "0 g: " + r.average->source : "not computed (see the warnings)");
  }
  err << fmt::format("  zone: {} (from {})\n", r.zone.empty() ? "world average" : r.zone, r.zone_source);
  if (location_warning) err << "  warning: " << *location_warning << "\n";
  err << "  " << flexible_start_line(r.flexible_start) << "\n";
  for (const auto& w : r.warnings) err << "  warning: " << w << "\n";
  err << fmt::format("  files: {}/run.json, timeline.jsonl, emissions.csv\n", r.out_dir);
}

int run_action(Context& ctx, const RunOptions& o) {
  std::ostream& err = *ctx.err;
  auto interval = parse_duration(o.interval);
  if (!interval) {
    err << "greenrun: --interval: " << interval.error().message << "\n";
    return 2;
  }
  if (*interval < runner::kMinInterval || *interval > runner::kMaxInterval) {
    err << "greenrun: --interval: expected 10ms to 60s, got " << o.interval << "\n";
    return 2;
  }
  if (!(o.pue >= 1.0 && o.pue < 10.0)) {
    err << "greenrun: --pue: expected a number from 1.0 (no overhead) to 10, got " << o.pue << "\n";
    return 2;
  }
  auto embodied = embodied_from(o);
  if (!embodied) {
    err << "greenrun: " << embodied.error().message << "\n";
    return 2;
  }
  auto where = runner::where_am_i(runner::LocationRequest::from_environment(o.zone, o.region), region_to_zone);
  if (!where) {
    err << "greenrun: " << where.error().message << "\n";
    return 1;
  }

  // Carbon-aware execution: validate and plan before anything runs.
  std::unique_ptr<ScheduledRun> scheduled;
  if (execution_requested(o.execution)) {
    auto prepared = ScheduledRun::prepare(ctx, o.execution, where->zone, o.command);
    if (!prepared) {
      err << "greenrun: " << prepared.error().message << "\n";
      return prepared.error().exit_status;
    }
    scheduled = std::move(*prepared);
  }

  SystemClock clock;
  sensors::ProcReader proc("/proc");
  auto setup = runner::set_up_sensors(runner::SensorConfig::from_environment(o.sensors), proc, clock.steady_now());
  if (!setup) {
    err << "greenrun: " << setup.error().message << "\n";
    return 1;
  }
  std::vector<std::string> warnings;
  Duration step = *interval;
  if (setup->max_interval && step > *setup->max_interval) {
    warnings.push_back(fmt::format("interval shortened from {} to {} so no RAPL counter wrap is missed",
                                   format_duration(step), format_duration(*setup->max_interval)));
    step = std::max(runner::kMinInterval, *setup->max_interval);
  }

  const UtcTime started = clock.utc_now();
  std::random_device rd;
  const std::string id = runner::make_run_id(started, rd());
  const std::filesystem::path out_dir =
      o.out ? std::filesystem::path(*o.out)
            : std::filesystem::path(ctx.store_path()).parent_path() / "runs" / id;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    err << "greenrun: " << out_dir.string() << ": cannot create: " << ec.message() << "\n";
    return 1;
  }
  auto timeline = runner::TimelineWriter::create((out_dir / "timeline.jsonl").string());
  if (!timeline) {
    err << "greenrun: " << timeline.error().message << "\n";
    return 1;
  }

  std::optional<runner::ChildProcess> child;
  if (!scheduled) {
    auto spawned = runner::ChildProcess::spawn(o.command);
    if (!spawned) {
      err << "greenrun: " << spawned.error().message << "\n";
      return spawned.error().exit_status;
    }
    child.emplace(std::move(*spawned));
  }
  runner::Sampler sampler(clock, std::move(setup->sensors), proc, &*timeline, step);
  runner::ExitStatus status;
  if (scheduled) {
    auto st = scheduled->run(sampler, err);
    if (!st) {
      err << "greenrun: " << st.error().message << "\n";
      return st.error().exit_status;
    }
    status = *st;
  } else {
    sampler.start(child->pid());
  }
  for (; !scheduled;) {
    auto done = child->wait_until(sampler.next_deadline());
    if (done) {
      status = *done;
      if (auto s = sampler.sample(status.cpu_ticks()); !s) warnings.push_back(s.error().message);
      break;
    }
    if (auto s = sampler.sample(); !s) warnings.push_back(s.error().message);
  }
  const auto& totals = sampler.totals();

  RunRecord r;
  r.id = id;
  r.project = o.project;
  r.phase = o.phase;
  r.command = o.command;
  r.started = totals.start;
  r.ended = totals.end;
  r.duration = totals.steady_duration;
  r.exit_status = status.shell_status();
  r.zone = where->zone;
  r.zone_source = where->source;
  r.cloud_region = where->cloud_region;
  r.sensors = setup->label;
  r.sensor_notes = setup->notes;
  for (const auto& [c, t] : totals.components) r.components.push_back({c, t.machine, t.job, t.method, t.devices});
  r.pue = o.pue;
  r.interval = step;
  r.intervals = totals.intervals;
  r.dropped_deadlines = totals.dropped_deadlines;
  r.warnings = warnings;
  for (const auto& w : totals.warnings) r.warnings.push_back(w);
  if (scheduled)
    for (const auto& w : scheduled->warnings()) r.warnings.push_back(w);
  if (totals.dropped_deadlines)
    r.warnings.push_back(fmt::format("{} sampling deadline(s) missed (intervals merged, no energy lost)",
                                     totals.dropped_deadlines));
  r.out_dir = out_dir.string();
  if (auto ci = proc.cpu_info()) {
    r.cpu_model = ci->model_name;
    r.cpu_count = ci->logical_cpus;
  }
  if (auto mem = proc.memory_total_bytes()) r.ram_total_gb = static_cast<double>(*mem) / 1e9;
  r.hostname = runner::host_name();
  r.gpu_model = setup->gpu_model;
  r.gpu_count = setup->gpu_count;

  // Emissions by the accounting library, from the timeline read back.
  std::optional<runner::RunEmissions> emissions;
  accounting::ReportContext report;
  report.zone = r.zone;
  report.region = r.cloud_region.value_or("");
  report.description = r.zone.empty() ? "world average (no zone known)" : r.zone + " (from " + r.zone_source + ")";
  report.energy_source = "the job's attributed energy (" + timeline->path() + ", job_joules)";
  report.start = r.started;
  report.end = r.ended;
  if (auto file = runner::read_timeline(timeline->path())) {
    std::optional<intensity::IntensityStore> store;
    if (std::filesystem::exists(ctx.store_path())) {
      if (auto s = intensity::IntensityStore::open(ctx.store_path())) store = std::move(*s);
      else r.warnings.push_back(s.error().message);
    }
    const intensity::IntensityStore* sp = store ? &*store : nullptr;
    if (!file->intervals.empty()) {
      report.start = file->intervals.front().start;
      report.end = file->intervals.back().end;
    }
    accounting::EmissionsOptions options;
    options.pue = r.pue;
    if (o.pue != 1.0) options.pue_source = "--pue";
    options.embodied = *embodied;
    const auto prices =
        runner::load_run_intensity(sp, r.zone, report.start, std::max(report.end, report.start + Duration(1)));
    const bool any_time = std::any_of(file->intervals.begin(), file->intervals.end(),
                                      [](const runner::IntervalRecord& iv) { return iv.end > iv.start; });
    if (!any_time) {
      // Ended within the first millisecond: nothing to price, said so.
      r.average = runner::EmissionsFigure{"average-lifecycle", Mass(), CarbonIntensity(), "none: no interval was recorded", 0};
      if (prices.fallback)
        r.average->source = prices.fallback->source + ", annual mean, not time-resolved (no interval was recorded)";
      r.warnings.push_back("the run ended within the first millisecond: no energy interval, no emissions");
    } else if (auto e = runner::run_emissions(file->intervals, prices, options)) {
      emissions = std::move(*e);
      r.average = runner::emissions_figure(emissions->job, false, prices.fallback);
      if (emissions->job.marginal) r.marginal = runner::emissions_figure(emissions->job, true);
      r.emissions_job_json = accounting::breakdown_to_json(emissions->job, report);
      accounting::ReportContext machine_report = report;
      machine_report.energy_source = "the whole machine's energy (" + timeline->path() + ", joules)";
      r.emissions_machine_json = accounting::breakdown_to_json(emissions->machine, machine_report);
    } else {
      r.warnings.push_back("emissions not computed: " + e.error().message);
    }
    r.flexible_start = runner::flexible_start_hindsight(sp, r.zone, file->intervals, r.started);
  } else {
    r.warnings.push_back("cannot read the timeline back: " + file.error().message);
    r.flexible_start.reason = "the timeline could not be read back";
  }

  if (scheduled) {
    if (auto schedule = scheduled->schedule_record())
      r.schedule = std::move(*schedule);
    else
      r.warnings.push_back("the schedule could not be recorded: " + schedule.error().message);
  }
  {
    std::ofstream json(out_dir / "run.json");
    json << runner::to_json(r) << "\n";
    if (!json) r.warnings.push_back((out_dir / "run.json").string() + ": write failed");
  }
  {
    const auto csv_path = out_dir / "emissions.csv";
    const bool fresh = !std::filesystem::exists(csv_path);
    std::ofstream csv(csv_path, std::ios::app);
    if (fresh) csv << runner::emissions_csv_header() << "\n";
    csv << runner::emissions_csv_row(r) << "\n";
  }
  if (auto store = runner::RunStore::open(ctx.store_path())) {
    if (auto s = store->insert(r); !s) r.warnings.push_back(s.error().message);
  } else {
    r.warnings.push_back(store.error().message);
  }
  print_summary(err, r, setup->notes, where->warning, emissions, report);
  if (scheduled) scheduled->print_summary(err);
  return r.exit_status;
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
  sub->add_option("--out", opts->out, "Folder for run.json, timeline.jsonl, emissions.csv");
  sub->add_option("--pue", opts->pue, "Datacenter power usage effectiveness (default 1.0)");
  sub->add_option("--sensors", opts->sensors, "auto, rapl, nvml, estimate or fake (default auto)");
  auto* instance = sub->add_option("--instance", opts->instance,
                                   "Cloud instance for the embodied line, provider:type (aws:p3.2xlarge)");
  auto* kg = sub->add_option("--embodied-kg", opts->embodied_kg, "Embodied carbon of the hardware, kg CO2e");
  instance->excludes(kg);
  sub->add_option("--share", opts->share, "With --embodied-kg: the share of that hardware used, in (0, 1]")->needs(kg);
  sub->add_option("--lifetime", opts->lifetime, "Hardware lifetime for the embodied line (default 4y)");
  add_execution_flags(*sub, opts->execution);
  sub->add_option("command", opts->command, "The command to run, after --")->required();
  sub->callback([&ctx, &action, opts] { action = [&ctx, opts] { return run_action(ctx, *opts); }; });
}

}  // namespace greenrun::cli
