// What an engine::Tracker kept while it ran (phases, marks, epochs, the
// first prediction, the budget) turned into run.json's typed "tracker"
// section (greenrun/runner/tracker_section.h) when it stops: phases priced from the
// timeline read back, open phases closed at the end, marks whose value is
// not finite left without one, the first prediction compared with the
// outcome. The Tracker keeps the state and the sampling thread
// (tracker.cc); this is its pure part, apart so it reads and tests alone.
//
// Thread-safety: pure functions over values.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/units.h"
#include "greenrun/prediction.h"
#include "greenrun/runner/tracker_section.h"
#include "greenrun/tracker.h"
#include "runner/timeline_writer.h"

namespace greenrun::engine {

// A named window of the run; no end: still open (stop() closes it).
struct PhaseWindow {
  std::string name;
  UtcTime begin{};
  std::optional<UtcTime> end;
};

struct MarkEntry {
  UtcTime at{};
  std::string name;
  std::optional<double> value;
};

// The job energy of each phase: every interval's job energy (platform left
// out, as everywhere) shared by the time it overlaps the phase (energy is
// taken as uniform within an interval); an open phase ends at `end_all`.
std::vector<Energy> phase_energy(const std::vector<runner::IntervalRecord>& intervals,
                                 const std::vector<PhaseWindow>& phases, UtcTime end_all);

struct TrackerKept {
  pid_t process = 0;
  RankInfo rank;
  std::vector<PhaseWindow> phases;
  std::vector<MarkEntry> marks;
  std::vector<EpochObservation> epochs;
  std::optional<size_t> epochs_planned;
  std::optional<PredictedRun> first_prediction;
  std::optional<Mass> budget;
  std::optional<size_t> budget_exceeded_at;
};

// The section. `intervals`: the run's timeline read back (the phases are
// priced from it); `ended`: the run's end (closes open phases);
// `grams_per_job_joule`: the run's average emissions over its job energy (0:
// not priced), which prices the epochs' outcome.
runner::TrackerSection tracker_section(const TrackerKept& kept, const std::vector<runner::IntervalRecord>& intervals,
                                       UtcTime ended, double grams_per_job_joule);

}  // namespace greenrun::engine
