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
//    an order-statistic Fenwick tree over the slots' ranks (one sort of the
//    series, not one per start): each slide adds and removes a slot in
//    O(log n) and a descent finds the K-th smallest and the sum below it in
//    O(log n). Pauses come from a second Fenwick tree over adjacent slot pairs
//    (a pair is inside one run when both its ranks are selected), so the
//    whole year costs O(n log n).
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

namespace greenrun::scheduling {

struct StartOutcome {
  double baseline = 0;  // starting at once, no pause
  double optimum = 0;   // the planner's choice, evaluated on `truth`
  uint32_t pauses = 0;
  double reduction_percent() const {
    return baseline > 0 ? 100.0 * (baseline - optimum) / baseline : 0.0;
  }
};

// Flexible Start: the job is `full` whole slots plus `frac` (0 <= frac < 1) of
// the next; candidates t .. t + window (slots). REQUIRES: starts ascending and
// t + window + full + (frac > 0) <= n for each start t.
std::vector<StartOutcome> sweep_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts);
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
std::vector<StartOutcome> naive_pause_resume(std::span<const double> plan,
                                             std::span<const double> truth, size_t K, size_t w,
                                             std::span<const size_t> starts);

// Each value repeated `factor` times (finer slots for jobs that are not a
// whole number of steps), and the ranks that go with it without a new sort.
std::vector<double> repeat_slots(std::span<const double> v, size_t factor);
SlotRanks repeat_ranks(const SlotRanks& r, size_t factor);

}  // namespace greenrun::scheduling
