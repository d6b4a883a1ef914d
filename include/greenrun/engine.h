// greenrun's engine: the operations every front end (the CLI, the Python
// module, the Slurm agent, the server) calls. A front end parses its input
// into the typed requests below, calls the engine, and renders the results
// and events; every policy lives here — how a forecast is chosen and
// layered, how a delay is read, the switching margin, the expected power, how
// a run is recorded.
//
//   run()   measures a command (and, with an ExecutionRequest, runs it
//           carbon-aware: Flexible Start, Pause and Resume, threshold),
//           writes run.json, timeline.jsonl and emissions.csv, records it in
//           the store.
//   plan()  the best start or run segments for a job at one or more places.
//
// The engine never prints: progress and warnings reach the Observer as
// events. It takes its clock, store, procfs root, sensors, job launcher and
// forecast source from Services, so tests drive a 24 h schedule with a fake
// clock and a simulated job in milliseconds.
//
// Errors: expected failures are Result errors with a kind (greenrun/base/result.h) —
// kUsage for a request that cannot be valid, kNotFound for a zone with no
// data, kUnavailable for a provider that cannot be reached. No exception
// crosses this API. Once the job has run, run() always returns an outcome
// (files and store row written with what was measured) and lists what
// failed as warnings.
//
// Thread-safety: one call at a time per Services; an Observer is called on
// the calling thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/accounting/emissions_report.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/providers/http_client.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/runner/job_control.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/scheduling/plan.h"

// The seams Services may replace are runner's (src/runner/): a front end
// leaves them empty; tests and the Slurm agent include those headers.
namespace greenrun::runner {
class ForecastSource;  // runner/carbon_aware_executor.h
class ScaledClock;     // runner/scaled_clock.h
struct SensorSetup;    // runner/sensor_setup.h
}  // namespace greenrun::runner

namespace greenrun::engine {

// ---------------------------------------------------------------- events

enum class EventKind {
  kWarning,   // something the user should know; the run goes on
  kPlan,      // the plan a carbon-aware run starts from
  kSchedule,  // a schedule switch: start, pause, resume, re-plan, guard ...
  kProgress,  // a status line that replaces the previous one (a TTY's)
};

struct Event {
  EventKind kind = EventKind::kWarning;
  std::string text;  // one line, no trailing newline
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_event(const Event& event) = 0;
  // Whether kProgress events are wanted (the CLI: stderr is a TTY).
  virtual bool wants_progress() const { return false; }
};

// An Observer that drops everything.
class NullObserver final : public Observer {
 public:
  void on_event(const Event&) override {}
};

// ---------------------------------------------------------------- services

// What a launched job needs; see Services::jobs.
struct JobSpec {
  std::vector<std::string> argv;
  bool scheduled = false;  // carbon-aware: may be paused, is watched by the watchdog
  runner::PauseMode pause_mode = runner::PauseMode::kStop;
  int checkpoint_signal = 0;
  Duration grace{0};
};

// Where the engine gets time, data and hardware. Every seam left empty is
// the real thing.
struct Services {
  // The clock of the run (sampling, schedule, records). Null: the system
  // clock. A carbon-aware run with a time scale runs its schedule on a
  // ScaledClock over this one.
  Clock* clock = nullptr;
  // The SQLite store of intensity data and runs. REQUIRES: not empty.
  std::string store_path;
  // Environment lookup for GREENRUN_* and the config file (provider
  // settings, location, sensors). Null: the process environment.
  std::function<std::optional<std::string>(std::string_view)> env;
  std::string procfs_root = "/proc";
  // Sensors for a run. Null: runner::set_up_sensors(SensorConfig::from_environment(mode)).
  std::function<Result<runner::SensorSetup>(const std::string& mode, SteadyTime now)> sensors;
  // The job. Null: a real process (ChildProcess for a plain run, a
  // JobController with its watchdog for a carbon-aware one). `clock` is the
  // schedule's clock; `scaled` converts it to real time (null at scale 1).
  std::function<std::unique_ptr<runner::JobControl>(const JobSpec& spec, Clock& clock,
                                                    const runner::ScaledClock* scaled)>
      jobs;
  // The HTTP client live forecasts are fetched with (the first fetch and the
  // refreshes, which run on a worker thread: it must allow that). Null:
  // libcurl with the limits for a forecast someone waits on.
  intensity::HttpClient* http = nullptr;
  // New forecasts while a carbon-aware job runs. Null: the live provider
  // (refetched) or the store (re-read), per the request.
  std::function<std::unique_ptr<runner::ForecastSource>(const intensity::IntensitySeries& current)>
      forecast_source;
};

// ---------------------------------------------------------------- requests

// A delay allowed beyond the job's own duration: a duration, or a share of
// the job (100 %: may take twice as long). One rule for plan and run.
struct Delay {
  std::optional<Duration> absolute;
  std::optional<double> percent;  // >= 0
  // REQUIRES: exactly one of absolute and percent.
  Duration of(Duration job) const;
};

// Where the forecast comes from: "" (the environment / config file, else
// the store), "store", or a provider spec ("uk", "watttime:CAISO_NORTH",
// "electricitymaps:DE", ...).
struct ForecastChoice {
  std::string provider;
  Duration refresh = std::chrono::minutes(15);  // a run refetches this often while it waits
};

struct ThresholdSpec {
  std::optional<CarbonIntensity> absolute;
  std::optional<double> percentile;  // 0..100
};

struct ExecutionRequest {
  scheduling::Mode mode = scheduling::Mode::kPauseResume;
  Duration expected_duration{0};
  std::optional<Duration> start_within;  // Flexible Start
  std::optional<UtcTime> deadline;       // Pause and Resume, threshold: one of these two
  std::optional<Delay> max_delay;
  std::optional<ThresholdSpec> threshold;
  runner::PauseMode pause_mode = runner::PauseMode::kStop;
  int checkpoint_signal = 10;  // SIGUSR1
  Duration grace = std::chrono::seconds(30);
  ForecastChoice forecast;
  std::optional<Power> expected_power;  // none: the same command's last run, else kDefaultPower (labelled)
  // Below this expected saving (percent of running at once) the job runs at
  // once and the run says why: waiting or pausing for 0.1 % is not worth it.
  double min_saving_percent = 1.0;
  // No pause shorter than this (Pause and Resume, threshold). None:
  // kDefaultMinPause (greenrun/job_defaults.h).
  std::optional<Duration> min_pause;
  double time_scale = 1.0;              // testing: schedule time runs N times faster
};

struct EmbodiedRequest {
  std::optional<std::string> instance;  // "aws:p3.2xlarge"
  std::optional<Mass> hardware;         // the hardware's total
  double share = 1.0;                   // with `hardware`
  Duration lifetime = std::chrono::hours(24 * 365 * 4);
  bool lifetime_given = false;
};

struct RunRequest {
  std::vector<std::string> command;  // REQUIRES: not empty
  std::optional<std::string> zone;
  std::optional<std::string> region;  // "aws:eu-central-1"
  std::string project;
  std::string phase;
  Duration interval = std::chrono::seconds(1);
  // The runs folder: the run writes run.json and timeline.jsonl in a folder
  // of its own, <runs folder>/<run id>/, and appends a row to the runs
  // folder's emissions.csv (CodeCarbon's columns) and greenrun_runs.csv.
  // None: <store folder>/runs.
  std::optional<std::string> out_dir;
  double pue = 1.0;
  std::string sensors = "auto";
  std::optional<EmbodiedRequest> embodied;
  std::optional<ExecutionRequest> execution;
  // The run's id, when it was chosen before the run (a detached run,
  // run_control.h: its folder may exist already). None: a new id.
  std::optional<std::string> id;
};

struct PlanRequest {
  std::vector<std::string> zones;
  std::vector<std::string> regions;
  Duration duration{0};
  std::optional<Power> power;    // none and no energy: kDefaultPower, labelled assumed
  std::optional<Energy> energy;
  std::optional<UtcTime> from;   // none: now
  std::optional<Duration> window;
  std::optional<UtcTime> deadline;
  std::optional<Delay> max_delay;
  std::vector<scheduling::Mode> modes = {scheduling::Mode::kFlexibleStart, scheduling::Mode::kPauseResume};
  std::optional<Duration> pause_overhead;
  std::optional<Duration> min_segment;
  // No pause shorter than this. None: kDefaultMinPause (greenrun/job_defaults.h).
  std::optional<Duration> min_pause;
  ForecastChoice forecast;
  // The stored series to plan on (`plan --plan-on actual|forecast`): that
  // series covering the window, or an error; none: the forecast-loading
  // policy (forecast_loader.h).
  std::optional<intensity::Origin> plan_on;
};

// ---------------------------------------------------------------- results

struct ScheduleOutcome {
  scheduling::Mode mode = scheduling::Mode::kPauseResume;
  std::string pause_mode;  // "" for Flexible Start
  size_t pauses = 0;
  Duration waited{0};
  Duration run_time{0};
  Duration time_added{0};
  bool deadline_met = true;
  std::string deadline_summary;  // "deadline met", "DEADLINE MISSED", "the job did not complete: ..."
  bool guard_engaged = false;
  Mass emissions;  // realised, on the schedule's series
  Mass at_once;    // had it run at once
  std::string forecast_label;
  double time_scale = 1.0;
};

struct RunOutcome {
  // Set when the job could not be started at all: nothing was recorded.
  std::optional<runner::SpawnError> spawn_error;
  runner::RunRecord record;
  std::optional<runner::RunEmissions> emissions;  // none: not computed (see warnings)
  accounting::ReportContext report;
  std::vector<std::string> sensor_notes;
  std::optional<std::string> location_warning;
  std::optional<ScheduleOutcome> schedule;
  // The job's own shell status (128 + signal when killed).
  int exit_status() const { return record.exit_status; }
};

// The plans as the stored actual data prices them: the same segments, with
// emissions and baseline (starting at the window's start) on the actuals.
struct PlansOnActuals {
  std::string label;                    // which stored actual series
  std::vector<scheduling::Plan> plans;  // parallel to PlannedLocation::plans
};

struct PlannedLocation {
  intensity::Location location;
  intensity::IntensitySeries forecast;
  std::string forecast_label;  // what the numbers are
  std::vector<scheduling::Plan> plans;
  // Set when the location was planned on something other than stored actual
  // data and the store has actual data covering the whole window.
  std::optional<PlansOnActuals> on_actuals;
};

struct PlanOutcome {
  Duration duration{0};
  Power power;    // the job's mean power
  Energy energy;  // the job's energy
  bool power_assumed = false;
  UtcTime from{};
  UtcTime deadline{};
  std::vector<scheduling::Mode> modes;
  std::vector<PlannedLocation> locations;
  size_t best_location = 0;
  size_t best_plan = 0;
  const scheduling::Plan& best() const { return locations[best_location].plans[best_plan]; }
};

// ---------------------------------------------------------------- operations

// Runs and measures request.command. Errors (nothing ran): an invalid
// request (kUsage), an unknown zone or region, no forecast for a
// carbon-aware run, sensors that cannot be set up, an output folder that
// cannot be made. A job that cannot be spawned gives an outcome with
// spawn_error and nothing recorded.
[[nodiscard]] Result<RunOutcome> run(const RunRequest& request, const Services& services, Observer& observer);

// Adds run records (run.json files written by run()) to the store: a run
// whose record the store could not take when it ended (a store locked by a
// long import, read-only, or of a newer schema) is never lost. Importing the
// same record again replaces it. Errors name the file (and JSON path); files
// before the bad one stay imported.
struct ImportedRuns {
  std::vector<std::string> ids;
};
[[nodiscard]] Result<ImportedRuns> import_runs(const std::vector<std::string>& run_json_paths,
                                               const Services& services);

// Plans the job at each location. Errors: an invalid request (kUsage), a
// location with no data (kNotFound), a provider that refuses (kUnavailable
// falls back with a warning event instead, as documented).
[[nodiscard]] Result<PlanOutcome> plan(const PlanRequest& request, const Services& services, Observer& observer);

}  // namespace greenrun::engine
