// The study kernels: Flexible Start and Pause and Resume evaluated for many
// start times of one regular series at once (Dodge et al. 2022 protocol,
// perfect or noisy forecast).
//
// Inputs are slot arrays: `plan` is what the planner believes (the forecast,
// perhaps noisy), `truth` what the job then emits; both in g/kWh per slot. The
// job's power cancels out of the reduction, so sums are in g/kWh x slots.
//
//  - sweep_flexible: window sums by prefix sums and a sliding-window minimum
//    (monotone deque): O(n) for all starts. Ties go to the earliest start.
//  - sweep_pause_resume: the K cleanest of the w slots after each start, by
//    a SlidingSelection (sliding_selection.h) over the slots' global ranks
//    (one sort of the series, not one per start): each slide moves the
//    threshold of the K-th smallest by at most one member of a hierarchical
//    bitset, O(log_64 n), and updates the sum and the runs (pauses) in O(1).
//    The whole year costs O(n log n) for the sort plus O(n log_64 n).
//  - sweep_pause_resume_steps: the same on the data's own steps for a job
//    that is not a whole number of steps (q steps and `part` slots of
//    1/g step), exactly equal to sweep_pause_resume on the g-times repeated
//    slots without repeating them (docs/scheduling.md gives the argument).
//  - sweep_pause_resume_min_pause: with a minimum pause, per start (below).
//  - naive_*: the straightforward per-start versions (every candidate by
//    prefix sums; copy and sort the window per start), for tests and the
//    benchmark's speed-up.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::scheduling {

struct StartOutcome {
  double baseline = 0;  // starting at once, no pause
  double optimum = 0;   // the planner's choice, evaluated on `truth`
  uint32_t pauses = 0;
  double reduction_percent() const {
    return baseline > 0 ? 100.0 * (baseline - optimum) / baseline : 0.0;
  }
};

// Buffers the kernels reuse from call to call (one per thread): with them a
// study allocates nothing per zone x job x window once they have grown. The
// overloads without one allocate their own.
struct SweepScratch {
  std::vector<double> prefix_plan, prefix_truth, planned;
  std::vector<size_t> queue;
};

// Flexible Start: the job is `full` whole slots plus `frac` (0 <= frac < 1) of
// the next; candidates t .. t + window (slots). REQUIRES: starts ascending and
// t + window + full + (frac > 0) <= n for each start t.
std::vector<StartOutcome> sweep_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts);
void sweep_flexible(std::span<const double> plan, std::span<const double> truth, size_t full,
                    double frac, size_t window, std::span<const size_t> starts,
                    SweepScratch& scratch, std::vector<StartOutcome>& out);
std::vector<StartOutcome> naive_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts);

// Ranks of the slots by (plan value, index): rank[i] in 0..n-1, and its inverse.
struct SlotRanks {
  std::vector<uint32_t> rank;
  std::vector<uint32_t> order;
};
SlotRanks rank_slots(std::span<const double> plan);

// Pause and Resume with free pauses: K of the w slots [t, t + w). `ranks`
// from rank_slots(plan). REQUIRES: starts ascending, t + w <= n, K <= w.
std::vector<StartOutcome> sweep_pause_resume(std::span<const double> truth, const SlotRanks& ranks,
                                             size_t K, size_t w, std::span<const size_t> starts);
void sweep_pause_resume(std::span<const double> truth, const SlotRanks& ranks, size_t K, size_t w,
                        std::span<const size_t> starts, SweepScratch& scratch,
                        std::vector<StartOutcome>& out);
std::vector<StartOutcome> naive_pause_resume(std::span<const double> plan,
                                             std::span<const double> truth, size_t K, size_t w,
                                             std::span<const size_t> starts);

// Pause and Resume with free pauses for a job of q whole steps and `part`
// slots of 1/g step (0 < part < g), inside a window of m whole steps
// [t, t + m) and the first `part` slots of step t + m (so w = m g + part
// slots). Sums are in slot units (a step counts g times), so the outcome
// equals sweep_pause_resume over repeat_slots(truth, g) with K = q g + part
// and the start t g. `ranks` from rank_slots(plan) over the steps. REQUIRES:
// starts ascending, q <= m, t + m < n for each start t.
std::vector<StartOutcome> sweep_pause_resume_steps(std::span<const double> truth,
                                                   const SlotRanks& ranks, size_t q, size_t part,
                                                   size_t g, size_t m,
                                                   std::span<const size_t> starts);
void sweep_pause_resume_steps(std::span<const double> truth, const SlotRanks& ranks, size_t q,
                              size_t part, size_t g, size_t m, std::span<const size_t> starts,
                              SweepScratch& scratch, std::vector<StartOutcome>& out);

// Pause and Resume with no pause shorter than P slots (P >= 2; with P <= 1
// every pause is long enough and sweep_pause_resume is exact): per start,
// the K cleanest planned slots of [t, t + w) when none of their pauses is
// shorter than P (optimal then: the constraint only removes schedules),
// else the exact dynamic programme of pause_resume.h (schedule_slots, no
// overhead, minimum pause P) on the planned slots; paid on `truth`. The
// minimum pause `plan`, `run` and `simulate --jobs` apply. O(w) per start,
// plus O(w K) where the K cleanest pause too briefly. Error: a start's
// problem too large for the dynamic programme (its message). REQUIRES:
// t + w <= n for each start t, 1 <= K <= w.
[[nodiscard]] Status sweep_pause_resume_min_pause(std::span<const double> plan, std::span<const double> truth,
                                                  size_t K, size_t w, size_t P, std::span<const size_t> starts,
                                                  std::vector<StartOutcome>& out);

// Each value repeated `factor` times (finer slots for jobs that are not a
// whole number of steps; the tests' and the benchmark's reference), and the
// ranks that go with it without a new sort.
std::vector<double> repeat_slots(std::span<const double> v, size_t factor);
SlotRanks repeat_ranks(const SlotRanks& r, size_t factor);

}  // namespace greenrun::scheduling
