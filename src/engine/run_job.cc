// engine::run: spawn (or schedule), sample, price, write the run's files and
// record it — the pipeline `greenrun run` and every other front end share.
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "engine/embodied_request.h"
#include "engine/location_check.h"
#include "engine/run_recording.h"
#include "engine/scheduled_run.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/engine.h"
#include "greenrun/intensity/providers/provider_settings.h"
#include "greenrun/live_runs.h"
#include "greenrun/run_control.h"
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

Result<RunOutcome> run_unguarded(const RunRequest& req, const Services& services, Observer& observer) {
  if (req.command.empty()) return make_error(ErrorKind::kUsage, "run: expected a command after --");
  if (req.interval < runner::kMinInterval || req.interval > runner::kMaxInterval)
    return make_error(ErrorKind::kUsage, "--interval: expected 10ms to 60s, got " + format_duration(req.interval));
  if (!(req.pue >= 1.0 && req.pue < 10.0))
    return make_error(ErrorKind::kUsage,
                      fmt::format("--pue: expected a number from 1.0 (no overhead) to 10, got {}", req.pue));
  auto embodied = embodied_input(req.embodied);
  if (!embodied) return std::unexpected(embodied.error());
  auto where = locate_run(req.zone, req.region, services.store_path);
  if (!where) return std::unexpected(where.error());

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
  // A detached run (run_control.h) has its id and folder already.
  const std::string id = req.id ? *req.id : runner::make_run_id(started, rd());
  auto folders = make_run_folders(req.out_dir, services.store_path, id, req.id.has_value());
  if (!folders) return std::unexpected(folders.error());
  const std::filesystem::path& runs_root = folders->runs_root;
  const std::filesystem::path& out_dir = folders->out_dir;
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
  r.exit_status = status.shell_status();
  r.pue = req.pue;
  fill_measured(r, totals, *setup, *where, proc, step, out_dir, warnings);
  // Inside a Slurm job: its id, node and rank; the node's energy is the
  // first task's on the node (greenrun/runner/slurm_context.h).
  if (auto slurm = runner::SlurmContext::from_environment(services.env); slurm)
    r.slurm = std::move(*slurm);
  else
    r.warnings.push_back(slurm.error().message + "; the Slurm job is not recorded");
  const bool node_owner = !r.slurm || r.slurm->node_energy_owner();
  if (!node_owner)
    for (auto& c : r.components) c.machine = Energy();
  if (scheduled)
    for (const auto& w : scheduled->warnings()) r.warnings.push_back(w);
  if (totals.dropped_deadlines)
    r.warnings.push_back(fmt::format("{} sampling deadline(s) missed (intervals merged, no energy lost)",
                                     totals.dropped_deadlines));
  out.sensor_notes = setup->notes;
  out.location_warning = where->warning;

  // Emissions by the accounting library, from the timeline read back. A
  // library failure here must not lose the record: it becomes a warning.
  price_run(out, services.store_path, *timeline, *embodied, req.pue != 1.0,
            scheduled ? scheduled->start_window() : runner::kFlexibleWindow);
  if (!node_owner) r.emissions_machine.reset();
  if (scheduled) {
    if (auto schedule = scheduled->record())
      r.schedule = std::move(*schedule);
    else
      r.warnings.push_back("the schedule could not be recorded: " + schedule.error().message);
    out.schedule = scheduled->outcome();
  }
  // `greenrun runs cancel` marks the run before it signals it.
  std::error_code ec;
  if (const auto mark = cancel_marker(services.store_path, id); std::filesystem::exists(mark, ec)) {
    r.warnings.insert(r.warnings.begin(), "cancelled by `greenrun runs cancel`" +
                                              std::string(r.exit_status == 0 ? "" : " (the job was stopped)"));
    std::filesystem::remove(mark, ec);
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
