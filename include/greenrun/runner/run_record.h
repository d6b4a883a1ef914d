// RunRecord: everything greenrun keeps about one `greenrun run` — what ran,
// where, how long, energy per component with its method (machine and job),
// emissions and their intensity source, and, for a carbon-aware run, the
// schedule actually executed. Written to run.json, the store's
// `runs` table (emissions.csv: runner/codecarbon_csv.h).
// Schemas: docs/formats.md, "run.json" and "emissions.csv".
//
// run.json is versioned: "schema": "greenrun.run/1" (kRunSchema), with the
// greenrun version that wrote it. Byte strings that may not be UTF-8 (the
// command's arguments, project, phase, out_dir, host name) are recorded
// escaped when they are not (base/byte_escape.h: `\xHH`, `\\`) and listed
// under "escaped"; reading back restores the bytes exactly. No string can
// make to_json throw.
//
// Every section is typed (energies, powers and masses as units, one
// sensors::Method): to_json is the one writer of run.json and
// run_record_from_json the one reader, and a record read back equals the
// record written (tests/runner/run_record_property_test.cc).
//
// Thread-safety: plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/accounting/emissions_report.h"
#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/runner/schedule_summary.h"
#include "greenrun/runner/slurm_context.h"
#include "greenrun/runner/tracker_section.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::runner {

struct ComponentEnergy {
  sensors::Component component = sensors::Component::kCpu;
  Energy machine;  // whole machine (or whole GPU)
  Energy job;      // attributed to the job
  sensors::Method method = sensors::Method::kEstimated;
  std::vector<std::string> devices;
  bool operator==(const ComponentEnergy&) const = default;
};

struct EmissionsFigure {
  std::string signal;          // "average-lifecycle", "marginal"
  Mass job;                    // job energy x PUE x intensity, interval by interval
  CarbonIntensity mean_intensity;  // energy-weighted mean intensity used
  std::string source;          // "store: electricitymaps-csv DE", "world average (...)"
  double coverage = 1.0;       // share of the run's energy with intensity data
  bool operator==(const EmissionsFigure&) const = default;
};

// "Started at T within the next 24 h it would have emitted X % less":
// Flexible Start over the window after the run's start, for the run's own power
// profile (runner/run_emissions.h). Operational emissions only, before PUE.
// A run's emissions: of the job's attributed energy and of the whole
// machine, with the same intensity, PUE and embodied share (runner's
// run_emissions() computes them; the record keeps their figures).
struct RunEmissions {
  accounting::EmissionsBreakdown job;
  accounting::EmissionsBreakdown machine;
};

struct FlexibleStartFigure {
  bool computed = false;
  UtcTime best_start{};
  Mass emissions;               // started at best_start
  Mass baseline;                // started when it did, under the same series
  double saving_percent = 0;    // 100 x (baseline - emissions) / baseline
  std::string basis;            // "stored actual data (hindsight)", "forecast from the store",
                                // "typical profile, not a forecast"
  std::string source;           // the series' provenance
  std::string reason;           // when not computed: why, in one line
  // The starts compared: [started, started + window]. The user's own window
  // for a carbon-aware run (--start-within, or the slack before
  // --deadline / --max-delay), else 24 h.
  Duration window = std::chrono::hours(24);
  bool operator==(const FlexibleStartFigure&) const = default;
};

// The value of run.json's "schema" key this greenrun writes and reads.
inline constexpr std::string_view kRunSchema = "greenrun.run/1";

struct RunRecord {
  std::string id;  // "20261127T131500Z-1a2b3c"
  std::string project;
  std::string phase;
  std::vector<std::string> command;
  UtcTime started{};
  UtcTime ended{};
  Duration duration{0};
  int exit_status = 0;
  std::string zone;         // grid zone used for intensity ("" = world average)
  std::string zone_source;  // "--zone", "GREENRUN_ZONE", "config.toml", "aws metadata", "world average"
  std::optional<std::string> cloud_region;
  std::string sensors;      // "rapl+nvml", "estimate", "fake"
  std::vector<std::string> sensor_notes;  // why a sensor was skipped, models used
  std::vector<ComponentEnergy> components;
  double pue = 1.0;
  std::optional<EmissionsFigure> average;
  std::optional<EmissionsFigure> marginal;
  // The accounting breakdowns (schema greenrun.emissions/1, docs/formats.md)
  // of the job's attributed energy and of the whole machine; run.json keeps
  // them under "emissions": {"job", "machine"}. None when not computed (the
  // machine's is none on a rank that does not own the node's energy).
  std::optional<accounting::EmissionsReport> emissions_job;
  std::optional<accounting::EmissionsReport> emissions_machine;
  FlexibleStartFigure flexible_start;
  // A carbon-aware run (`--start-within`, `--pause-resume`, `--threshold`):
  // the "schedule" section (docs/execution.md; runner/execution_record.h
  // builds it). Absent for a run that started at once.
  std::optional<ScheduleSummary> schedule;
  // A run measured from inside its own process (engine::Tracker, the Python
  // module): its phases, marks, epochs and prediction, rank — run.json's
  // "tracker" section (docs/python.md). None otherwise.
  std::optional<TrackerSection> tracker;
  // Measured inside a Slurm job: its id, node and rank (run.json "slurm").
  std::optional<SlurmContext> slurm;
  Duration interval{1000};  // the sampling interval
  size_t intervals = 0;
  size_t dropped_deadlines = 0;
  std::vector<std::string> warnings;
  std::string out_dir;
  // Who wrote the record: the greenrun version (CMake's project version).
  // to_json writes greenrun_version() whatever this says; reading back keeps
  // the file's ("" for a record written before run.json was versioned).
  std::string greenrun_version;
  // Host facts for run.json's "host" and emissions.csv.
  std::string hostname;  // host_name() when the run was recorded
  std::string cpu_model;
  int cpu_count = 0;
  double ram_total_gb = 0;
  std::string gpu_model;
  int gpu_count = 0;

  Energy machine_energy() const;  // sum of components (platform excluded)
  Energy job_energy() const;
  // job_energy() / duration; zero for a zero duration.
  Power job_power() const;
  sensors::Method weakest_method() const;
  bool simulated() const { return weakest_method() == sensors::Method::kSimulated; }

  bool operator==(const RunRecord&) const = default;
};

// run.json. Never throws: byte strings are escaped (see the header comment),
// and any other text that is not UTF-8 (a warning quoting a path) has its bad
// bytes replaced by U+FFFD.
std::string to_json(const RunRecord& r, int indent = 2);
// Reads run.json back. Checks "schema" (a record without one, written before
// run.json was versioned, is read as greenrun.run/1). Errors name the JSON
// path and what was expected:
// `run record: $.components[1].machine_j: expected a number, got "x"`.
[[nodiscard]] Result<RunRecord> run_record_from_json(const std::string& text);

// The version of this greenrun ("0.1.0"): CMake's project version.
std::string_view greenrun_version();
// This machine's host name (gethostname); "" when it cannot be read.
std::string host_name();


// "20261127T131500Z-" + 6 hex digits.
std::string make_run_id(UtcTime t, unsigned random);

}  // namespace greenrun::runner
