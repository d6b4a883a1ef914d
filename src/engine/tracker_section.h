// run.json's "tracker" section (docs/python.md) from what an engine::Tracker
// kept while it ran: its process and rank, phases (each with the job energy
// of the intervals it overlaps, shared by time), marks, epochs, the first
// prediction compared with the outcome, and the budget. The Tracker keeps
// the state and the sampling thread (tracker.cc); this is the pure part that
// turns it into the record's section, apart so it can be read and tested on
// its own.
//
// Thread-safety: pure functions over values.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/units.h"
#include "greenrun/prediction.h"
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

struct TrackerSection {
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

// The section as one line of JSON. `intervals`: the run's timeline read
// back (the phases are priced from it); `ended`: the run's end (closes open
// phases); `grams_per_job_joule`: the run's average emissions over its job
// energy (0: not priced), which prices the epochs' outcome.
std::string tracker_section_json(const TrackerSection& section, const std::vector<runner::IntervalRecord>& intervals,
                                 UtcTime ended, double grams_per_job_joule);

}  // namespace greenrun::engine
