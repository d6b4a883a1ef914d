// Plan: what a planner decided — when the job runs (one segment for Flexible
// Start, several for Pause and Resume) and the expected emissions against
// starting at the earliest time and running without pause (the baseline).
//
// Emissions are operational only (energy x intensity of the interval it is
// used in); they are expectations under the forecast the planner was given.
//
// Thread-safety: plain values.
#pragma once

#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::scheduling {

enum class Mode { kFlexibleStart, kPauseResume, kThreshold };

// "flexible", "pause-resume", "threshold".
std::string_view to_string(Mode m);
[[nodiscard]] Result<Mode> parse_mode(std::string_view text);

// The job runs over [start, end). The first `restart` of a segment after a
// pause is spent restoring the checkpoint (running at the job's power, doing
// no work); the job's own work is [start + restart, end).
struct Segment {
  UtcTime start;
  UtcTime end;
  Duration restart{0};
};

struct Plan {
  Mode mode = Mode::kFlexibleStart;
  std::vector<Segment> segments;  // in time order, non-overlapping
  Mass emissions;                 // the plan, pause overheads included
  Mass baseline;                  // starting at the earliest time, no pause

  UtcTime start() const { return segments.front().start; }
  UtcTime end() const { return segments.back().end; }
  size_t pauses() const { return segments.empty() ? 0 : segments.size() - 1; }
  Mass saving() const { return baseline - emissions; }
  // 100 x (baseline - plan) / baseline; 0 when the baseline is 0.
  double saving_percent() const {
    return baseline.grams() > 0 ? 100.0 * (baseline - emissions).grams() / baseline.grams() : 0.0;
  }
};

}  // namespace greenrun::scheduling
