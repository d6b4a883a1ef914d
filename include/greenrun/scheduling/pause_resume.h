// Pause and Resume (Dodge et al. 2022, with switching costs): run the job in
// the slots of [earliest, deadline) with the least emissions that add up to
// its duration.
//
// The window is cut into slots of gcd(slot, duration), where slot defaults to
// the forecast step at `earliest`, so that the job is a whole number K of
// slots and nothing is rounded. Each slot costs its time-weighted mean
// intensity x the job's mean power x slot length (a per-interval profile is
// reduced to its mean power here: the order of work is not modelled).
//
//  - No overhead and no minimum segment: the K cleanest slots (ties to the
//    earlier slot), O(n) by selection.
//  - Otherwise an exact dynamic programme over (slot, work done, running?):
//    each resume after a pause first spends ceil(overhead.time / slot) slots
//    restoring the checkpoint (at the job's power, doing no work) and
//    overhead.energy charged at the intensity of the first of them; each
//    segment does at least ceil(min_segment / slot) slots of work (or the
//    whole job when it is shorter), and each pause (the gap between two
//    segments) lasts at least ceil(min_pause / slot) slots. O(n x K) time,
//    O(n x K) bytes for the back-pointers. Greedy merging is not optimal,
//    this is.
//
// The deadline is hard: no segment ends after it.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/job.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::scheduling {

struct PauseOverhead {
  Duration time{0};  // checkpoint + restart, spent running at the job's power
  Energy energy;     // extra energy per pause (e.g. writing the checkpoint)
  bool none() const { return time.count() == 0 && energy.joules() == 0; }
};

struct PauseResumeOptions {
  PauseOverhead overhead;
  Duration min_segment{0};        // least work per segment
  // No pause shorter than this: stopping a job for a few minutes saves
  // next to nothing and costs a switch. 0: any pause. The engine's default
  // is engine::kDefaultMinPause.
  Duration min_pause{0};
  std::optional<Duration> slot;   // planning resolution; default forecast step
};

// Errors (one line): deadline not after earliest; the job does not fit before
// the deadline ("cannot meet the deadline ..."); forecast does not cover
// [earliest, deadline); a negative overhead, minimum segment or minimum pause; a problem too
// large for the dynamic programme at this resolution.
[[nodiscard]] Result<Plan> plan_pause_resume(const intensity::IntensitySeries& forecast,
                                             const Job& job, UtcTime earliest, UtcTime deadline,
                                             const PauseResumeOptions& options = {});

// ---- The slot-level algorithms (exposed for tests and the study) ----

// Slots [begin, end); the first `restart` of them restore a checkpoint.
struct SlotSegment {
  size_t begin = 0;
  size_t end = 0;
  size_t restart = 0;
};

struct SlotSchedule {
  std::vector<SlotSegment> segments;
  double cost = 0;  // grams
};

// Indices of the k smallest values (ties to the smaller index), ascending.
// REQUIRES: k <= v.size().
std::vector<size_t> cleanest_slots(std::span<const double> v, size_t k);

struct SlotProblem {
  size_t work_slots = 0;      // K
  double slot_kwh = 0;        // energy of one running slot
  double overhead_kwh = 0;    // extra energy per resume
  size_t restart_slots = 0;   // R
  size_t min_work_slots = 1;  // L (capped at K)
  size_t min_pause_slots = 0;  // P: least idle slots between two segments
};

// The optimal schedule by dynamic programming. Error when K > n, or K = 0.
[[nodiscard]] Result<SlotSchedule> schedule_slots(std::span<const double> v,
                                                  const SlotProblem& problem);

}  // namespace greenrun::scheduling
