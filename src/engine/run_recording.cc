// The end of every measured run (engine/run_recording.h): location, record,
// pricing, files and the store row, shared by engine::run and the Tracker.
#include "engine/run_recording.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <fstream>

#include "engine/location_check.h"
#include "intensity/store.h"
#include "runner/codecarbon_csv.h"
#include "runner/run_store.h"
#include "runner/timeline_writer.h"

namespace greenrun::engine {
namespace {

Result<std::string> region_to_zone(const std::string& provider_region) {
  auto loc = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, provider_region);
  if (!loc) return std::unexpected(loc.error());
  return loc->zone;
}

// Prices the measured timeline and fills the record's emissions; every
// failure becomes a warning (the run's files are written regardless).
void price(RunOutcome& out, const std::string& store_path, const runner::TimelineWriter& timeline,
           const std::optional<accounting::EmbodiedInput>& embodied, bool pue_given, Duration window) {
  runner::RunRecord& r = out.record;
  r.flexible_start.window = window;
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
      r.average->source = accounting::annual_mean_label(prices.fallback->source) + "; no interval was recorded";
    r.warnings.push_back("the run ended within the first millisecond: no energy interval, no emissions");
  } else if (auto e = runner::run_emissions(file->intervals, prices, options)) {
    out.emissions = std::move(*e);
    r.average = runner::emissions_figure(out.emissions->job, false, prices.fallback);
    if (out.emissions->job.marginal) r.marginal = runner::emissions_figure(out.emissions->job, true);
    r.emissions_job = accounting::EmissionsReport{report, out.emissions->job};
    accounting::ReportContext machine_report = report;
    machine_report.energy_source = "the whole machine's energy (" + timeline_path + ", joules)";
    r.emissions_machine = accounting::EmissionsReport{machine_report, out.emissions->machine};
  } else {
    r.warnings.push_back("emissions not computed: " + e.error().message);
  }
  r.flexible_start = runner::flexible_start_hindsight(sp, r.zone, file->intervals, r.started, window);
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

}  // namespace

Result<runner::WhereAmI> locate_run(const std::optional<std::string>& zone, const std::optional<std::string>& region,
                                    const std::string& store_path) {
  auto where = runner::where_am_i(runner::LocationRequest::from_environment(zone, region), region_to_zone);
  if (!where) return std::unexpected(where.error());
  // A zone greenrun does not know (a typo) is refused before anything runs,
  // whichever way it was given.
  if (!where->zone.empty() && !where->cloud_region) {
    auto known = resolve_location(where->zone, std::nullopt, store_path);
    if (!known) return std::unexpected(Error{where->source + ": " + known.error().message, known.error().kind});
  }
  return where;
}

Result<RunFolders> make_run_folders(const std::optional<std::string>& out, const std::string& store_path,
                                   const std::string& id, bool may_exist) {
  RunFolders f;
  f.runs_root = out ? std::filesystem::path(*out) : std::filesystem::path(store_path).parent_path() / "runs";
  f.out_dir = f.runs_root / id;
  std::error_code ec;
  std::filesystem::create_directories(f.runs_root, ec);
  if (ec) return make_error(ErrorKind::kIo, "--out " + f.runs_root.string() + ": cannot create: " + ec.message());
  if (may_exist && std::filesystem::is_directory(f.out_dir, ec)) return f;
  if (!std::filesystem::create_directory(f.out_dir, ec) || ec)
    return make_error(ErrorKind::kIo, f.out_dir.string() + ": cannot create the run's folder" +
                                          (ec ? ": " + ec.message() : std::string(" (it exists already)")));
  return f;
}

void fill_measured(runner::RunRecord& r, const runner::SamplerTotals& totals, const runner::SensorSetup& setup,
                   const runner::WhereAmI& where, const sensors::ProcReader& proc, Duration interval,
                   const std::filesystem::path& out_dir, std::vector<std::string> leading) {
  r.started = totals.start;
  r.ended = totals.end;
  r.duration = totals.steady_duration;
  r.zone = where.zone;
  r.zone_source = where.source;
  r.cloud_region = where.cloud_region;
  r.sensors = setup.label;
  r.sensor_notes = setup.notes;
  for (const auto& [c, t] : totals.components) r.components.push_back({c, t.machine, t.job, t.method, t.devices});
  r.interval = interval;
  r.intervals = totals.intervals;
  r.dropped_deadlines = totals.dropped_deadlines;
  r.warnings = std::move(leading);
  for (const auto& w : totals.warnings) r.warnings.push_back(w);
  r.out_dir = std::filesystem::absolute(out_dir).lexically_normal().string();
  if (auto ci = proc.cpu_info()) {
    r.cpu_model = ci->model_name;
    r.cpu_count = ci->logical_cpus;
  }
  if (auto mem = proc.memory_total_bytes()) r.ram_total_gb = static_cast<double>(*mem) / 1e9;
  r.hostname = runner::host_name();
  r.gpu_model = setup.gpu_model;
  r.gpu_count = setup.gpu_count;
}

void price_run(RunOutcome& out, const std::string& store_path, const runner::TimelineWriter& timeline,
               const std::optional<accounting::EmbodiedInput>& embodied, bool pue_given, Duration hindsight_window) {
  const std::string& timeline_path = timeline.path();
  const runner::RunRecord& r = out.record;
  accounting::ReportContext& report = out.report;
  report.zone = r.zone;
  report.region = r.cloud_region.value_or("");
  report.description = r.zone.empty() ? "world average (no zone known)" : r.zone + " (from " + r.zone_source + ")";
  report.energy_source = "the job's attributed energy (" + timeline_path + ", job_joules)";
  report.start = r.started;
  report.end = r.ended;
  try {
    price(out, store_path, timeline, embodied, pue_given, hindsight_window);
  } catch (const std::exception& e) {
    out.emissions.reset();
    out.record.warnings.push_back(std::string("emissions not computed: ") + e.what());
  }
}

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


}  // namespace greenrun::engine
