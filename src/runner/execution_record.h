// The "schedule" section of run.json: what a carbon-aware run asked for, the
// plan it started from, every start / pause / resume / checkpoint / guard /
// re-plan with its time and intensity, the segments run with their energy,
// the emissions against "ran at once" on the same data, and the time added.
// Schema: docs/execution.md ("run.json: schedule").
//
// The run record keeps it as RunRecord::schedule (greenrun/runner/schedule_summary.h):
// the CLI puts execution_record(...) there before run.json is written.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "greenrun/base/result.h"
#include "greenrun/runner/schedule_summary.h"
#include "runner/carbon_aware_executor.h"

namespace greenrun::runner {

struct ExecutionSettings {
  std::string pause_mode;         // "stop", "checkpoint" ("" for Flexible Start)
  std::string checkpoint_signal;  // "SIGUSR1" (checkpoint mode)
  Duration grace{0};
  double time_scale = 1.0;
  std::string forecast_label;  // "forecast from the store (...)", "typical profile, not a forecast (...)"
  std::string power_basis;     // what the plan's expected power is: "power: 300.0 W (given)", "power: 300.0 W (default: assumed ...)", ...
};

// The section as JSON text: schedule_summary_to_json(execution_record(...)).
std::string execution_json(const ExecutionReport& report, const ExecutionSchedule& schedule,
                           const ExecutionSettings& settings, int indent = 2);

// The section as the run record keeps it (typed; run.json writes it with
// schedule_summary_to_json, so the record and the text are one).
ScheduleSummary execution_record(const ExecutionReport& report, const ExecutionSchedule& schedule,
                                 const ExecutionSettings& settings);

}  // namespace greenrun::runner
