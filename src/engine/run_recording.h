// The end of every measured run, shared by engine::run (a child command) and
// engine::Tracker (the calling process, include/greenrun/tracker.h): where
// the run is charged (the location policy), the record filled from the
// sampler's totals and the host, the timeline priced, and run.json,
// emissions.csv and the store row written. One copy of each, so a run
// measured from Python is recorded exactly as `greenrun run` records it.
//
// Thread-safety: plain functions; each call reads or writes only its
// arguments (and the files and store it names).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "greenrun/accounting/embodied.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/result.h"
#include "greenrun/engine.h"
#include "runner/location.h"
#include "runner/run_emissions.h"
#include "runner/sampler.h"
#include "runner/sensor_setup.h"
#include "runner/timeline_writer.h"

namespace greenrun::engine {

// The zone a run in `zone` / `region` (either may be absent: the
// environment, config.toml, cloud metadata, else the world average) is
// charged at. Error: a malformed region, or a zone greenrun does not know
// (a typo is refused before anything runs).
[[nodiscard]] Result<runner::WhereAmI> locate_run(const std::optional<std::string>& zone,
                                                  const std::optional<std::string>& region,
                                                  const std::string& store_path);

// Each run has a folder of its own under the runs folder (`out`, else
// <store folder>/runs), which keeps the CSVs every run appends to: two runs
// given the same folder never share or overwrite a timeline. Creates both.
// Error (kIo) names the folder.
struct RunFolders {
  std::filesystem::path runs_root;
  std::filesystem::path out_dir;  // runs_root / id
};
[[nodiscard]] Result<RunFolders> make_run_folders(const std::optional<std::string>& out, const std::string& store_path,
                                                  const std::string& id,
                                                 bool may_exist = false);

// Fills the record's measured part from the sampler's totals, the sensor
// set-up, the location and the host (CPU, RAM, GPU, host name); the
// warnings become `leading` then the sampler's. Id, project, phase, command,
// exit status and PUE are the caller's.
void fill_measured(runner::RunRecord& r, const runner::SamplerTotals& totals, const runner::SensorSetup& setup,
                   const runner::WhereAmI& where, const sensors::ProcReader& proc, Duration interval,
                   const std::filesystem::path& out_dir, std::vector<std::string> leading);

// Prices the timeline (read back, with the intervals a full disk kept out
// of the file) and fills out.report (from the
// record's zone and times), out.emissions and the record's figures; every failure (an exception included) becomes a record
// warning.
// `hindsight_window`: the starts the flexible-start line compares (the
// user's own window of a carbon-aware run; default 24 h).
void price_run(RunOutcome& out, const std::string& store_path, const runner::TimelineWriter& timeline,
               const std::optional<accounting::EmbodiedInput>& embodied, bool pue_given,
               Duration hindsight_window = runner::kFlexibleWindow);

// run.json in the run's folder, the store row, and a row appended to the
// runs folder's emissions.csv (CodeCarbon's columns) and greenrun_runs.csv.
// Failures are warnings: the record is written wherever it can be, run.json
// first (it is what `runs import` reads when the store could not take the
// row) and again last, so that it lists every warning.
void write_record(runner::RunRecord& r, const std::filesystem::path& out_dir, const std::filesystem::path& runs_root,
                  const std::string& store_path, Clock& clock);

}  // namespace greenrun::engine
