// ScheduleSummary: the "schedule" section of run.json (docs/execution.md,
// "run.json: schedule") as the run record keeps it. The section itself is
// kept verbatim in `json`, so run.json and the store's `runs` table
// round-trip it key for key; the other fields are its parsed view, the facts
// `greenrun runs show|list|summary` display.
//
// The section is produced by execution_json (runner/execution_record.h);
// schedule_summary_from_json is the only way to build one, so the view and
// the text cannot disagree.
//
// Thread-safety: plain value; pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/units.h"

namespace greenrun::runner {

struct ScheduleSummary {
  struct Event {
    UtcTime time{};
    std::string kind;  // start, wait, pause, checkpoint, resume, restart, guard, replan, refused, interrupt, exit
    std::optional<double> intensity_g_per_kwh;  // the schedule's series at `time`; none in a gap
    Duration work_done{0};                      // the job's run time so far
    std::string note;
  };

  std::string mode;            // "flexible", "pause-resume", "threshold"
  std::string pause_mode;      // "stop", "checkpoint"; "" for Flexible Start
  std::string forecast_label;  // as the run gave it: "forecast from the store (...)",
                               // "typical profile, not a forecast (...)"
  std::string forecast_origin;  // "forecast", "typical", "actual", ... ("" when absent)
  std::optional<UtcTime> deadline;      // Pause and Resume, Threshold
  std::optional<UtcTime> latest_start;  // Flexible Start
  double time_scale = 1.0;              // schedule time per real time (testing)
  Duration run_time{0};
  Duration waited{0};      // before the first start
  Duration paused{0};      // after the first start
  Duration time_added{0};  // ended - (began + run time)
  Mass emissions;          // realised, on the schedule's series
  Mass at_once;            // the same work had it started at once, same series
  double coverage = 1.0;   // share of the energy with intensity data
  bool deadline_met = true;
  bool guard_engaged = false;
  bool interrupted = false;
  size_t replans = 0;
  std::vector<Event> events;
  std::string json;  // the whole section, compact

  // at_once - emissions (negative when scheduling cost emissions).
  Mass saving() const { return at_once - emissions; }
  // 100 x saving / at_once; 0 when at_once is 0.
  double saving_percent() const;
  // Pauses (stop mode) and checkpoints.
  size_t pauses() const;
};

// Parses the section (a JSON object, as text). `path` names it in errors,
// which say where and what was expected:
// `$.schedule.events[2].time: expected a UTC time, got "noon"`.
[[nodiscard]] Result<ScheduleSummary> schedule_summary_from_json(std::string_view text,
                                                                 std::string_view path = "$.schedule");

}  // namespace greenrun::runner
