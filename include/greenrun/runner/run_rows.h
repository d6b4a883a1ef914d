// The runs table as values: a row as `runs list` shows it, totals per project
// or phase, and which runs a read covers. The store itself (SQLite) is
// runner's RunStore (src/runner/run_store.h).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "greenrun/base/units.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::runner {

// One row of the table as `runs list` shows it, read from typed columns.
struct RunRow {
  std::string id;
  UtcTime started{};
  std::string project;
  std::string phase;
  Duration duration{0};
  int exit_status = 0;
  std::string zone;
  Energy job_energy;
  Energy machine_energy;
  sensors::Method method = sensors::Method::kMeasured;  // the weakest part's
  std::optional<Mass> emissions;                        // average signal, when known
  // A carbon-aware run: its mode ("flexible", "pause-resume", "threshold")
  // and, on the schedule's own series, realised and at-once emissions.
  std::optional<std::string> schedule_mode;
  Mass schedule_emissions;
  Mass schedule_at_once;

  Mass schedule_saving() const { return schedule_at_once - schedule_emissions; }
  // 100 x saving / at_once; 0 when at_once is 0 (as ScheduleSummary).
  double schedule_saving_percent() const;
};

struct RunTotals {
  std::string key;  // project or phase ("" when unnamed)
  size_t runs = 0;
  Energy job_energy;
  Energy machine_energy;
  Mass emissions;            // average signal, where known
  size_t runs_without_emissions = 0;
  Duration duration{0};
  sensors::Method weakest_method = sensors::Method::kMeasured;
  // Carbon-aware runs (RunRecord::schedule) and the sum of their at_once -
  // realised emissions, on the series each schedule used.
  size_t scheduled_runs = 0;
  Mass scheduling_avoided;
};

// Which runs a read covers. Dates compare the run's start (SQLite's
// julianday, so "…:00Z" and "…:00.500Z" order by time, not by text).
struct RunQuery {
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<UtcTime> since;  // started at or after
  std::optional<UtcTime> until;  // started before
  size_t limit = 1000;           // rows / list only; newest first
  std::optional<std::pair<std::string, std::string>> tag;  // KEY=VALUE (`runs tag`)
};

}  // namespace greenrun::runner
