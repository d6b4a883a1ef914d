// engine::run: spawn (or schedule), sample, price, write the run's files and
// record it — the pipeline `greenrun run` and every other front end share.
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "accounting/embodied.h"
#include "base/quantity_format.h"
#include "base/quantity_parse.h"
#include "base/time_format.h"
#include "engine/location_check.h"
#include "engine/scheduled_run.h"
#include "greenrun/engine.h"
#include "greenrun/live_runs.h"
#include "intensity/providers/provider_settings.h"
#include "intensity/store.h"
#include "runner/child_process.h"
#include "runner/codecarbon_csv.h"
#include "runner/location.h"
#include "runner/run_store.h"
#include "runner/sampler.h"
#include "runner/timeline_writer.h"
#include "sensors/proc_reader.h"

namespace greenrun::engine {
namespace {

// A plain (not carbon-aware) job: a child process, its signals forwarded.
// It is never paused.
class PlainJob final : public runner::JobControl {
 public:
  explicit PlainJob(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  std::optional<runner::SpawnError> start() override {
    auto spawned = runner::ChildProcess::spawn(argv_);
    if (!spawned) return spawned.error();
    child_.emplace(std::move(*spawned));
    return std::nullopt;
  }
  runner::PauseResult pause() override { return {runner::PauseOutcome::kRefused, std::nullopt, "not pausable"}; }
  std::optional<runner::SpawnError> resume() override { return std::nullopt; }
  std::optional<runner::ExitStatus> wait_until(SteadyTime t) override { return child_->wait_until(t); }
  bool interrupted() const override { return false; }
  bool has_process() const override { return child_.has_value(); }
  pid_t measured_root() const override { return child_ ? child_->pid() : 0; }
  runner::PauseMode mode() const override { return runner::PauseMode::kStop; }

 private:
  std::vector<std::string> argv_;
  std::optional<runner::ChildProcess> child_;
};

Result<std::optional<accounting::EmbodiedInput>> embodied_input(const std::optional<EmbodiedRequest>& r) {
  if (!r) return std::optional<accounting::EmbodiedInput>{};
  std::optional<accounting::EmbodiedInput> e;
  if (r->lifetime.count() <= 0) return make_error(ErrorKind::kUsage, "--lifetime: expected a positive duration");
  if (r->instance) {
    auto inst = accounting::find_instance(*r->instance);
    if (!inst) return make_error(ErrorKind::kUsage, "--instance: " + inst.error().message);
    e = accounting::embodied_input(**inst, r->lifetime);
  } else if (r->hardware) {
    const double kg = r->hardware->kilograms();
    if (!std::isfinite(kg) || kg < 0)
      return make_error(ErrorKind::kUsage, "--embodied-kg: expected a non-negative number of kg CO2e");
    if (!(r->share > 0 && r->share <= 1)) return make_error(ErrorKind::kUsage, "--share: expected a number in (0, 1]");
    e = accounting::EmbodiedInput{*r->hardware, r->share, r->lifetime,
                                  fmt::format("--embodied-kg {:g} kg, share {:g}", kg, r->share)};
  }
  if (e)
    e->source += "; lifetime " + format_duration(r->lifetime) +
                 (r->lifetime_given ? " (--lifetime)" : " (" + std::string(accounting::kLifetimeSource) + ")");
  return e;
}

Result<std::string> region_to_zone(const std::string& provider_region) {
  auto loc = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, provider_region);
  if (!loc) return std::unexpected(loc.error());
  return loc->zone;
}

// Prices the measured timeline and fills the record's emissions; every
// failure becomes a warning (the run's files are written regardless).
void price(RunOutcome& out, const std::string& store_path, const runner::TimelineWriter& timeline,
           const std::optional<accounting::EmbodiedInput>& embodied, bool pue_given) {
  runner::RunRecord& r = out.record;
  accounting::ReportContext& report = out.report;
  const std::string& timeline_path = timeline.path();
  auto file = runner::read_timeline(timeline_path);
  if (!file) {
    r.warnings.push_back("cannot read the timeline back: " + file.error().message +
                         "; the run's emissions are unknown (not 0)");
    r.flexible_start.reason = "the timeline could not be read back";
    return;
  }
  // Intervals a full disk kept out of the file were kept in memory.
  for (const auto& iv : timeline.unwritten()) file->intervals.push_back(iv);
  std::optional<intensity::IntensityStore> store;
  if (std::filesystem::exists(store_path)) {
    if (auto s = intensity::IntensityStore::open(store_path)) store = std::move(*s);
    else r.warnings.push_back(s.error().message);
  }
  const intensity::IntensityStore* sp = store ? &*store : nullptr;
  if (!file->intervals.empty()) {
    report.start = file->intervals.front().start;
    report.end = file->intervals.back().end;
  }
  accounting::EmissionsOptions options;
  options.pue = r.pue;
  if (pue_given) options.pue_source = "--pue";
  options.embodied = embodied;
  const auto prices =
      runner::load_run_intensity(sp, r.zone, report.start, std::max(report.end, report.start + Duration(1)));
  const bool any_time = std::any_of(file->intervals.begin(), file->intervals.end(),
                                    [](const runner::IntervalRecord& iv) { return iv.end > iv.start; });
  if (!any_time && r.job_energy().joules() > 0) {
    // Energy was measured but no interval reached the pricing: unknown, never 0 g.
    r.warnings.push_back("the run's energy has no recorded interval to price: its emissions are unknown (not 0)");
    r.flexible_start.reason = "no interval was recorded";
    return;
  }
  if (!any_time) {
    // Ended within the first millisecond: nothing to price, said so.
    r.average = runner::EmissionsFigure{"average-lifecycle", Mass(), CarbonIntensity(), "none: no interval was recorded",
                                         0};
    if (prices.fallback)
      r.average->source = prices.fallback->source + ", annual mean, not time-resolved (no interval was recorded)";
    r.warnings.push_back("the run ended within the first millisecond: no energy interval, no emissions");
  } else if (auto e = runner::run_emissions(file->intervals, prices, options)) {
    out.emissions = std::move(*e);
    r.average = runner::emissions_figure(out.emissions->job, false, prices.fallback);
    if (out.emissions->job.marginal) r.marginal = runner::emissions_figure(out.emissions->job, true);
    r.emissions_job_json = accounting::breakdown_to_json(out.emissions->job, report);
    accounting::ReportContext machine_report = report;
    machine_report.energy_source = "the whole machine's energy (" + timeline_path + ", joules)";
    r.emissions_machine_json = accounting::breakdown_to_json(out.emissions->machine, machine_report);
  } else {
    r.warnings.push_back("emissions not computed: " + e.error().message);
  }
  r.flexible_start = runner::flexible_start_hindsight(sp, r.zone, file->intervals, r.started);
}

// One part of the record written; an exception from a library (a bug) is a
// warning naming the part, so one broken part never loses the others.
template <typename F>
void guarded(runner::RunRecord& r, const std::string& what, F&& write) {
  try {
    write();
  } catch (const std::exception& e) {
    r.warnings.push_back(what + ": not written: " + e.what());
  }
}

// The store row, retried while the store is busy (a long import holds it
// for seconds); a record the store cannot take stays in run.json and the
// warning says how to add it later.
void insert_record(runner::RunRecord& r, const std::filesystem::path& json_path, const std::string& store_path,
                   Clock& clock) {
  constexpr int kAttempts = 3;
  std::string why;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    auto store = runner::RunStore::open(store_path);
    if (store) {
      auto s = store->insert(r);
      if (s) return;
      why = s.error().message;
    } else {
      why = store.error().message;
    }
    const bool busy = why.find("locked") != std::string::npos || why.find("busy") != std::string::npos;
    if (!busy || attempt == kAttempts) break;
    clock.sleep_until(clock.steady_now() + std::chrono::seconds(attempt));
  }
  r.warnings.push_back("the store did not take the run record (" + why + "); it is kept in " +
                       json_path.string() + ": add it with `greenrun runs import " + json_path.string() + "`");
}

// run.json, emissions.csv and the store row. Failures are warnings: the
// record is written wherever it can be, run.json first (it is what `runs
// import` reads when the store could not take the row) and again last, so
// that it lists every warning.
void write_record(runner::RunRecord& r, const std::filesystem::path& out_dir, const std::filesystem::path& runs_root,
                  const std::string& store_path, Clock& clock) {
  const auto json_path = std::filesystem::absolute(out_dir / "run.json");
  const auto write_json = [&] {
    guarded(r, json_path.string(), [&] {
      const std::string text = runner::to_json(r);
      std::ofstream json(json_path);
      json << text << "\n";
      if (!json) r.warnings.push_back(json_path.string() + ": write failed");
    });
  };
  write_json();
  guarded(r, "the store's run record", [&] { insert_record(r, json_path, store_path, clock); });
  // CodeCarbon's emissions.csv and greenrun's own columns, one row per run,
  // appended in the runs folder.
  const auto append = [&](const std::filesystem::path& path, const std::string& header, const std::string& row) {
    guarded(r, path.string(), [&] {
      auto done = runner::append_csv_row(path, header, row);
      if (!done)
        r.warnings.push_back(done.error().message);
      else if (*done)
        r.warnings.push_back(**done);
    });
  };
  append(runs_root / "emissions.csv", runner::codecarbon_header(), runner::codecarbon_row(r));
  append(runs_root / "greenrun_runs.csv", runner::greenrun_runs_header(), runner::greenrun_runs_row(r));
  write_json();
}

Result<RunOutcome> run_unguarded(const RunRequest& req, const Services& services, Observer& observer) {
  if (req.command.empty()) return make_error(ErrorKind::kUsage, "run: expected a command after --");
  if (req.interval < runner::kMinInterval || req.interval > runner::kMaxInterval)
    return make_error(ErrorKind::kUsage, "--interval: expected 10ms to 60s, got " + format_duration(req.interval));
  if (!(req.pue >= 1.0 && req.pue < 10.0))
    return make_error(ErrorKind::kUsage,
                      fmt::format("--pue: expected a number from 1.0 (no overhead) to 10, got {}", req.pue));
  auto embodied = embodied_input(req.embodied);
  if (!embodied) return std::unexpected(embodied.error());
  auto where = runner::where_am_i(runner::LocationRequest::from_environment(req.zone, req.region), region_to_zone);
  if (!where) return std::unexpected(where.error());
  // A zone greenrun does not know (a typo) is refused before anything runs,
  // whichever way it was given.
  if (!where->zone.empty() && !where->cloud_region) {
    auto known = resolve_location(where->zone, std::nullopt, services.store_path);
    if (!known) return std::unexpected(Error{where->source + ": " + known.error().message, known.error().kind});
  }

  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;

  // Carbon-aware execution: validate and plan before anything runs.
  std::unique_ptr<ScheduledRun> scheduled;
  if (req.execution) {
    auto prepared = ScheduledRun::prepare(*req.execution, req.command, where->zone, services, clock, observer);
    if (!prepared) return std::unexpected(prepared.error());
    scheduled = std::move(*prepared);
  }

  sensors::ProcReader proc(services.procfs_root);
  auto setup = services.sensors ? services.sensors(req.sensors, clock.steady_now())
                                : runner::set_up_sensors(runner::SensorConfig::from_environment(req.sensors), proc,
                                                         clock.steady_now());
  if (!setup) return std::unexpected(setup.error());
  std::vector<std::string> warnings;
  Duration step = req.interval;
  if (setup->max_interval && step > *setup->max_interval) {
    warnings.push_back(fmt::format("interval shortened from {} to {} so no RAPL counter wrap is missed",
                                   format_duration(step), format_duration(*setup->max_interval)));
    step = std::max(runner::kMinInterval, *setup->max_interval);
  }

  const UtcTime started = clock.utc_now();
  std::random_device rd;
  const std::string id = runner::make_run_id(started, rd());
  // Each run has a folder of its own under the runs folder (--out, else
  // <store folder>/runs), which keeps the CSVs every run appends to: two runs
  // given the same --out never share or overwrite a timeline.
  const std::filesystem::path runs_root =
      req.out_dir ? std::filesystem::path(*req.out_dir) : std::filesystem::path(services.store_path).parent_path() / "runs";
  const std::filesystem::path out_dir = runs_root / id;
  std::error_code ec;
  std::filesystem::create_directories(runs_root, ec);
  if (ec) return make_error(ErrorKind::kIo, "--out " + runs_root.string() + ": cannot create: " + ec.message());
  if (!std::filesystem::create_directory(out_dir, ec) || ec)
    return make_error(ErrorKind::kIo, out_dir.string() + ": cannot create the run's folder" +
                                          (ec ? ": " + ec.message() : std::string(" (it exists already)")));
  auto timeline = runner::TimelineWriter::create((out_dir / "timeline.jsonl").string());
  if (!timeline) return make_error(ErrorKind::kIo, timeline.error().message);

  RunOutcome out;
  runner::Sampler sampler(clock, std::move(setup->sensors), proc, &*timeline, step);
  // Other processes (greenrun serve) see the run while it runs; the file goes when it ends.
  LiveRun live_run;
  live_run.id = id;
  live_run.pid = ::getpid();
  live_run.project = req.project;
  live_run.phase = req.phase;
  live_run.zone = where->zone;
  live_run.started = live_run.updated = started;
  live_run.mode = req.execution ? std::string(scheduling::to_string(req.execution->mode)) : "";
  live_run.state = req.execution ? "waiting" : "running";
  LiveStatusFile live(services.store_path, std::move(live_run));
  runner::ExitStatus status;
  if (scheduled) {
    auto st = scheduled->run(sampler, clock, services, observer, &live);
    if (!st) {
      out.spawn_error = st.error();
      return out;
    }
    status = *st;
  } else {
    JobSpec spec{req.command, false, runner::PauseMode::kStop, 0, Duration(0)};
    std::unique_ptr<runner::JobControl> job =
        services.jobs ? services.jobs(spec, clock, nullptr) : std::make_unique<PlainJob>(req.command);
    if (auto e = job->start()) {
      out.spawn_error = *e;
      return out;
    }
    sampler.start(job->measured_root());
    for (;;) {
      auto done = job->wait_until(sampler.next_deadline());
      if (done) {
        status = *done;
        if (auto s = sampler.sample(status.cpu_ticks()); !s) warnings.push_back(s.error().message);
        break;
      }
      if (auto s = sampler.sample(); !s) warnings.push_back(s.error().message);
      live.sampled(sampler.totals(), clock.utc_now());
    }
  }
  for (const auto& w : live.warnings()) warnings.push_back(w);
  const auto& totals = sampler.totals();

  runner::RunRecord& r = out.record;
  r.id = id;
  r.project = req.project;
  r.phase = req.phase;
  r.command = req.command;
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
  r.pue = req.pue;
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
  r.out_dir = std::filesystem::absolute(out_dir).lexically_normal().string();
  if (auto ci = proc.cpu_info()) {
    r.cpu_model = ci->model_name;
    r.cpu_count = ci->logical_cpus;
  }
  if (auto mem = proc.memory_total_bytes()) r.ram_total_gb = static_cast<double>(*mem) / 1e9;
  r.hostname = runner::host_name();
  r.gpu_model = setup->gpu_model;
  r.gpu_count = setup->gpu_count;
  out.sensor_notes = setup->notes;
  out.location_warning = where->warning;

  // Emissions by the accounting library, from the timeline read back. A
  // library failure here must not lose the record: it becomes a warning.
  accounting::ReportContext& report = out.report;
  report.zone = r.zone;
  report.region = r.cloud_region.value_or("");
  report.description = r.zone.empty() ? "world average (no zone known)" : r.zone + " (from " + r.zone_source + ")";
  report.energy_source = "the job's attributed energy (" + timeline->path() + ", job_joules)";
  report.start = r.started;
  report.end = r.ended;
  try {
    price(out, services.store_path, *timeline, *embodied, req.pue != 1.0);
  } catch (const std::exception& e) {
    out.emissions.reset();
    r.warnings.push_back(std::string("emissions not computed: ") + e.what());
  }
  if (scheduled) {
    if (auto schedule = scheduled->record())
      r.schedule = std::move(*schedule);
    else
      r.warnings.push_back("the schedule could not be recorded: " + schedule.error().message);
    out.schedule = scheduled->outcome();
  }
  write_record(r, out_dir, runs_root, services.store_path, clock);
  return out;
}

}  // namespace

Duration Delay::of(Duration job) const {
  if (absolute) return *absolute;
  return std::chrono::duration_cast<Duration>(job * (percent.value_or(0) / 100.0));
}

Result<ImportedRuns> import_runs(const std::vector<std::string>& paths, const Services& services) {
  if (paths.empty()) return make_error(ErrorKind::kUsage, "runs import: expected one or more run.json files");
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return make_error(ErrorKind::kIo, store.error().message);
  ImportedRuns out;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorKind::kNotFound, path + ": cannot be read");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto record = runner::run_record_from_json(text);
    if (!record) return make_error(ErrorKind::kBadData, path + ": " + record.error().message);
    if (auto s = store->insert(*record); !s) return make_error(ErrorKind::kIo, path + ": " + s.error().message);
    out.ids.push_back(record->id);
  }
  return out;
}

Result<RunOutcome> run(const RunRequest& request, const Services& services, Observer& observer) {
  try {
    return run_unguarded(request, services, observer);
  } catch (const std::exception& e) {
    return make_error(ErrorKind::kFailure, std::string("run: ") + e.what());
  }
}

}  // namespace greenrun::engine
