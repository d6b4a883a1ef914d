// The K smallest-ranked slots of a sliding window [begin, end) of slots, with
// the sum of their values and the number of runs (maximal blocks of adjacent
// selected slots) they form. The study's Pause and Resume kernel slides it one
// slot at a time over a year.
//
// Ranks are global, computed once per series by one sort of (plan value,
// index) (rank_slots in study_sweep.h), so ties go to the earlier slot, as in
// the planners. The window's ranks live in a RankSet; the selection is every
// member rank <= a threshold (the K-th smallest member). Adding or removing a
// slot moves the threshold by at most one member, found by next/previous in
// the RankSet in O(log_64 n); the sum and the count of adjacent selected pairs
// are updated in O(1) from the slot that enters or leaves the selection and
// its two neighbours (runs = selected - adjacent selected pairs). So one slide
// costs O(log_64 n) with no sort, no tree of pointers and no allocation.
//
// `value` need not be the plan: with a noisy forecast the ranks come from the
// forecast and the values are the actual intensities (plan on the forecast,
// pay on the truth).
//
// Thread-safety: a value type; one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "scheduling/rank_set.h"

namespace greenrun::scheduling {

class SlidingSelection {
 public:
  static constexpr size_t kNone = RankSet::kNone;

  // rank[i] and order (its inverse) over n slots; value[i] the slot's value.
  // REQUIRES: rank is a permutation of 0..n-1 and order its inverse.
  SlidingSelection(std::span<const uint32_t> rank, std::span<const uint32_t> order,
                   std::span<const double> value, size_t k)
      : rank_(rank), order_(order), value_(value), k_(k), set_(rank.size()) {}

  size_t begin() const { return begin_; }
  size_t end() const { return end_; }
  size_t selected() const { return count_; }  // min(K, window size)
  double sum() const { return sum_; }         // of the selected slots' values
  size_t runs() const { return count_ - pairs_; }
  // The largest selected rank (the K-th smallest in the window), or kNone.
  size_t threshold() const { return threshold_; }
  // The smallest unselected rank in the window (the (K+1)-th), or kNone.
  size_t next_rank() const { return set_.next_after(threshold_); }
  bool is_selected(size_t slot) const {
    return slot >= begin_ && slot < end_ && threshold_ != kNone && rank_[slot] <= threshold_;
  }

  // Empties the window and moves it to [at, at). Cost O(window size).
  void reset(size_t at) {
    for (size_t i = begin_; i < end_; ++i) set_.erase(rank_[i]);
    begin_ = end_ = at;
    count_ = pairs_ = 0;
    sum_ = 0;
    threshold_ = kNone;
  }

  // Adds slot end() to the window. REQUIRES: end() < n.
  void push_back() {
    const size_t j = end_++;
    const size_t r = rank_[j];
    set_.insert(r);
    if (count_ < k_) {
      select(j);
      if (threshold_ == kNone || r > threshold_) threshold_ = r;
    } else if (threshold_ != kNone && r < threshold_) {
      select(j);
      deselect(order_[threshold_]);
      threshold_ = set_.prev_before(threshold_);
    }
  }

  // Removes slot begin() from the window. REQUIRES: begin() < end().
  void pop_front() {
    const size_t j = begin_;
    const size_t r = rank_[j];
    const bool was_selected = threshold_ != kNone && r <= threshold_;
    if (was_selected) deselect(j);
    ++begin_;
    set_.erase(r);
    if (!was_selected) return;
    const size_t next = set_.next_after(threshold_);
    if (next != kNone) {
      select(order_[next]);  // its neighbours' status is still that of the old threshold
      threshold_ = next;
    } else if (r == threshold_) {  // fewer than K slots left: all are selected
      threshold_ = set_.prev_before(r);
    }
  }

 private:
  // Both use the current threshold for the neighbours' status.
  void select(size_t slot) {
    ++count_;
    sum_ += value_[slot];
    pairs_ += static_cast<size_t>(is_selected(slot - 1)) + static_cast<size_t>(is_selected(slot + 1));
  }
  void deselect(size_t slot) {
    --count_;
    sum_ -= value_[slot];
    pairs_ -= static_cast<size_t>(is_selected(slot - 1)) + static_cast<size_t>(is_selected(slot + 1));
  }

  std::span<const uint32_t> rank_, order_;
  std::span<const double> value_;
  size_t k_;
  RankSet set_;
  size_t begin_ = 0, end_ = 0;
  size_t count_ = 0, pairs_ = 0;
  double sum_ = 0;
  size_t threshold_ = kNone;
};

}  // namespace greenrun::scheduling
