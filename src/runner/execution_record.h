// The "schedule" section of run.json: what a carbon-aware run asked for, the
// plan it started from, every start / pause / resume / checkpoint / guard /
// re-plan with its time and intensity, the segments run with their energy,
// the emissions against "ran at once" on the same data, and the time added.
// Schema: docs/execution.md ("run.json: schedule").
//
// run_record.h (owned by the measurement part) has no field for it yet, so
// the section is added to the JSON text that to_json(RunRecord) produced.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "base/result.h"
#include "runner/carbon_aware_executor.h"

namespace greenrun::runner {

struct ExecutionSettings {
  std::string pause_mode;         // "stop", "checkpoint" ("" for Flexible Start)
  std::string checkpoint_signal;  // "SIGUSR1" (checkpoint mode)
  Duration grace{0};
  double time_scale = 1.0;
  std::string forecast_label;  // "forecast from the store (...)", "typical profile, not a forecast (...)"
};

// The section as JSON text.
std::string execution_json(const ExecutionReport& report, const ExecutionSchedule& schedule,
                           const ExecutionSettings& settings, int indent = 2);

// `run_json` (an object) with "schedule" added. Error when it is not a JSON
// object.
[[nodiscard]] Result<std::string> add_execution_to_run_json(const std::string& run_json,
                                                            const ExecutionReport& report,
                                                            const ExecutionSchedule& schedule,
                                                            const ExecutionSettings& settings, int indent = 2);

}  // namespace greenrun::runner
