// `greenrun run [--zone Z|--region P:R] [--project NAME] [--phase NAME]
//  [--interval D] [--out DIR] [--pue X] [--sensors MODE] -- CMD ARGS...`
//
// Runs CMD (stdin, stdout and stderr untouched), samples its energy every
// interval into timeline.jsonl, and at the end prints a summary on stderr
// (so CMD's stdout stays clean for pipes) and writes run.json and
// emissions.csv to the run folder, and records the run in the store.
// Exits with CMD's status (128 + signal when killed; 127 when not found).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <random>

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

// CodeCarbon's world_average in private_infra/carbon_intensity_per_source.json.
constexpr double kWorldAverageGPerKwh = 475.0;

struct RunOptions {
  std::optional<std::string> zone;
  std::optional<std::string> region;
  std::string project;
  std::string phase;
  std::string interval = "1s";
  std::optional<std::string> out;
  double pue = 1.0;
  std::string sensors = "auto";
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

std::string format_mass(Mass m) {
  const double g = m.grams();
  if (g >= 1000) return fmt::format("{:.3f} kg CO2e", m.kilograms());
  if (g >= 1) return fmt::format("{:.2f} g CO2e", g);
  return fmt::format("{:.3f} mg CO2e", g * 1000);
}

// A cloud region ("aws:eu-central-1") to its grid zone, via the embedded
// zone catalogue.
Result<std::string> region_to_zone(const std::string& provider_region) {
  auto loc = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, provider_region);
  if (!loc) return std::unexpected(loc.error());
  return loc->zone;
}

// The zone's stored series around the run (empty when the store has none).
std::optional<intensity::IntensitySeries> load_series(const std::string& store_path, const std::string& zone,
                                                      intensity::Signal signal, UtcTime from, UtcTime to) {
  if (zone.empty() || !std::filesystem::exists(store_path)) return std::nullopt;
  auto store = intensity::IntensityStore::open(store_path);
  if (!store) return std::nullopt;
  auto s = store->load(intensity::SeriesKey{zone, signal, intensity::Origin::kActual}, from, to);
  if (!s || s->empty()) return std::nullopt;
  return std::move(*s);
}

void print_summary(std::ostream& err, const RunRecord& r, const std::vector<std::string>& notes,
                   const std::optional<std::string>& location_warning) {
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
  const std::string where = r.zone.empty() ? "world average" : r.zone;
  if (r.average) {
    err << fmt::format("  emissions (average signal, {}): {} for the job (whole machine about {}) at {:.0f} g/kWh{}\n",
                       where, format_mass(r.average->job),
                       format_mass(r.machine_energy() * r.pue * CarbonIntensity::grams_per_kwh(r.average->mean_g_per_kwh)),
                       r.average->mean_g_per_kwh,
                       r.average->coverage < 1 && !r.zone.empty()
                           ? fmt::format("; {:.0f} % of the energy had data for the time of the run",
                                         r.average->coverage * 100)
                           : "");
  }
  if (r.marginal) {
    err << fmt::format("  emissions (marginal signal, {}): {} at {:.0f} g/kWh\n", where, format_mass(r.marginal->job),
                       r.marginal->mean_g_per_kwh);
  } else {
    err << fmt::format("  emissions (marginal signal): no marginal data for {} in the store\n", where);
  }
  err << fmt::format("  PUE {:.2f}: included above (facility energy = job energy x PUE = {})\n", r.pue,
                     format_energy(r.job_energy() * r.pue));
  err << "  embodied: not included (no embodied-emissions data for this machine in this build)\n";
  err << fmt::format("  intensity source: {} (zone from {})\n", r.average ? r.average->source : "none", r.zone_source);
  if (location_warning) err << "  warning: " << *location_warning << "\n";
  err << "  flexible start: not computed (needs a forecast or history for the zone and the scheduling part)\n";
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
  r.interval_s = to_seconds(step);
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
  r.gpu_model = setup->gpu_model;
  r.gpu_count = setup->gpu_count;

  // Emissions from the timeline, interval by interval.
  auto file = runner::read_timeline(timeline->path());
  if (file) {
    const std::string store_path = ctx.store_path();
    const UtcTime from = r.started - std::chrono::hours(2);
    const UtcTime to = r.ended + std::chrono::hours(2);
    auto avg = load_series(store_path, r.zone, intensity::Signal::kAverageLifecycle, from, to);
    // Where the store has no data for the run's time: the zone's annual mean
    // from the embedded catalogue, else the world average; labelled either way.
    std::optional<runner::Fallback> fallback;
    if (const auto* z = r.zone.empty() ? nullptr : intensity::ZoneCatalogue::embedded().find_zone(r.zone);
        z && z->annual_mean_g_per_kwh > 0) {
      fallback = runner::Fallback{CarbonIntensity::grams_per_kwh(z->annual_mean_g_per_kwh),
                                  fmt::format("annual mean {:.0f} g/kWh for {} ({} {}, {}): no hourly data for the "
                                              "time of the run in the store",
                                              z->annual_mean_g_per_kwh, z->id, z->source,
                                              intensity::to_string(z->signal), z->year)};
    } else {
      fallback = runner::Fallback{
          CarbonIntensity::grams_per_kwh(kWorldAverageGPerKwh),
          fmt::format("world average {:.0f} g/kWh (CodeCarbon carbon_intensity_per_source.json; {})",
                      kWorldAverageGPerKwh,
                      r.zone.empty() ? std::string("no zone known") : "zone " + r.zone + " not in the catalogue")};
    }
    r.average = runner::emissions_over(file->intervals, r.pue, avg ? &*avg : nullptr, fallback, "average-lifecycle");
    if (auto marg = load_series(store_path, r.zone, intensity::Signal::kMarginal, from, to)) {
      auto m = runner::emissions_over(file->intervals, r.pue, &*marg, std::nullopt, "marginal");
      if (m.coverage > 0) r.marginal = m;
    }
  } else {
    r.warnings.push_back("cannot read the timeline back: " + file.error().message);
  }

  {
    std::ofstream json(out_dir / "run.json");
    json << (scheduled ? scheduled->add_to_run_json(runner::to_json(r)) : runner::to_json(r)) << "\n";
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
  print_summary(err, r, setup->notes, where->warning);
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
  add_execution_flags(*sub, opts->execution);
  sub->add_option("command", opts->command, "The command to run, after --")->required();
  sub->callback([&ctx, &action, opts] { action = [&ctx, opts] { return run_action(ctx, *opts); }; });
}

}  // namespace greenrun::cli
