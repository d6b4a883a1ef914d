// ScheduleSummary: the "schedule" section of run.json (docs/execution.md,
// "run.json: schedule") as typed values: what a carbon-aware run asked for,
// the forecast and plan it started from, every event with its time and
// intensity, the segments run with their energy, the emissions against "ran
// at once" on the same data and the time added. The run record keeps it
// (RunRecord::schedule); `greenrun runs show|list|summary` display it.
//
// One writer and one reader: schedule_summary_to_json writes the section
// (execution_json and run.json both go through it) and
// schedule_summary_from_json reads it back; to_json(from_json(text)) gives
// the same keys in the same order. Which optional keys appear follows the
// optional fields: `deadline` or `latest_start` (whichever is set), the
// threshold, `planned` (none for Threshold), the checkpoint settings.
//
// Thread-safety: plain value; pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::runner {

// The section's note on how its emissions were computed (kept as read; this
// is what execution_json writes).
inline constexpr std::string_view kScheduleEmissionsNote =
    "job energy x the schedule's intensity series, on the executor's clock; at_once moves each running "
    "segment's energy to when the same work would have run without waiting or pausing";

struct ScheduleSummary {
  struct Event {
    UtcTime time{};
    std::string kind;  // start, wait, pause, checkpoint, resume, restart, guard, replan, refused, interrupt, exit
    std::optional<CarbonIntensity> intensity;  // the schedule's series at `time`; none in a gap
    Duration work_done{0};                     // the job's run time so far
    std::string note;
    bool operator==(const Event&) const = default;
  };
  struct Span {
    UtcTime start{};
    UtcTime end{};
    bool operator==(const Span&) const = default;
  };
  // What was run: a running or paused stretch and the job's energy in it.
  struct Segment {
    UtcTime start{};
    UtcTime end{};
    bool running = true;  // "running" / "paused"
    Energy job_energy;
    bool operator==(const Segment&) const = default;
  };
  // The plan the run started from (Flexible Start, Pause and Resume).
  struct Planned {
    std::vector<Span> segments;
    Mass emissions;
    Mass baseline;
    // The plan's expected power and where it came from ("power: 300.0 W
    // (given)", ...); none in a record written before they were kept.
    std::optional<Power> power;
    std::optional<std::string> power_basis;
    // A plan that waited or paused for less than --min-saving, set aside.
    std::optional<double> held_back_saving_percent;
    std::optional<double> min_saving_percent;
    bool operator==(const Planned&) const = default;
  };

  std::string mode;            // "flexible", "pause-resume", "threshold"
  std::string pause_mode;      // "stop", "checkpoint"; "" for Flexible Start
  std::string checkpoint_signal;  // checkpoint mode: "SIGUSR1"
  Duration grace{0};              // checkpoint mode
  double time_scale = 1.0;        // schedule time per real time (testing)
  // The request.
  Duration expected_duration{0};
  std::optional<UtcTime> deadline;      // Pause and Resume, Threshold
  std::optional<UtcTime> latest_start;  // Flexible Start
  Duration margin{0};
  std::optional<CarbonIntensity> threshold;   // --threshold 250
  std::optional<double> threshold_percentile;  // --threshold p30
  // The forecast, as the run gave it.
  std::string forecast_label;   // "forecast from the store (...)", "typical profile, not a forecast (...)"
  std::string forecast_zone;
  std::string forecast_origin;  // "forecast", "typical", "actual", ... ("" when absent)
  std::string forecast_signal;
  std::string forecast_source;
  std::optional<Planned> planned;
  std::vector<Event> events;
  std::vector<Segment> segments;
  UtcTime began{};
  UtcTime ended{};
  Duration run_time{0};
  Duration waited{0};      // before the first start
  Duration paused{0};      // after the first start
  Duration time_added{0};  // ended - (began + run time)
  Mass emissions;          // realised, on the schedule's series
  Mass at_once;            // the same work had it started at once, same series
  std::string emissions_note{kScheduleEmissionsNote};
  double coverage = 1.0;   // share of the energy with intensity data
  bool deadline_met = true;
  bool guard_engaged = false;
  size_t replans = 0;
  bool interrupted = false;
  std::vector<std::string> warnings;

  // at_once - emissions (negative when scheduling cost emissions).
  Mass saving() const { return at_once - emissions; }
  // 100 x saving / at_once; 0 when at_once is 0.
  double saving_percent() const;
  // Pauses (stop mode) and checkpoints.
  size_t pauses() const;

  bool operator==(const ScheduleSummary&) const = default;
};

// The section as JSON text (`indent` as nlohmann's dump: -1 compact). Never
// throws: text that is not UTF-8 has its bad bytes replaced.
std::string schedule_summary_to_json(const ScheduleSummary& s, int indent = 2);

// Parses the section (a JSON object, as text). `path` names it in errors,
// which say where and what was expected:
// `$.schedule.events[2].time: expected a UTC time, got "noon"`.
[[nodiscard]] Result<ScheduleSummary> schedule_summary_from_json(std::string_view text,
                                                                 std::string_view path = "$.schedule");

}  // namespace greenrun::runner
