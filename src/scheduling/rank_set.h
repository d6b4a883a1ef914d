// A set of ranks 0..n-1 as a hierarchical bitset (64-way tree of words):
// insert, erase, and the next or previous member of any rank in
// O(log_64 n) word operations (3 levels for a year of 5-minute slots, 4 up to
// 16.7 M). The study kernels use it to walk the threshold of the K cleanest
// slots of a sliding window (sliding_selection.h); it is flat, small (n / 63
// words) and branch-light, so it stays in L1/L2 where a pointer tree or a
// Fenwick tree of counts and sums would not.
//
// Thread-safety: a value type; concurrent reads are safe, writes are not.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace greenrun::scheduling {

class RankSet {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // An empty set over ranks 0..n-1.
  explicit RankSet(size_t n = 0) {
    size_t words = (n + 63) / 64;
    do {
      levels_.emplace_back(words == 0 ? 1 : words, 0);
      words = (words + 63) / 64;
    } while (levels_.back().size() > 1);
  }

  bool contains(size_t r) const { return (levels_[0][r >> 6] >> (r & 63)) & 1u; }

  // REQUIRES: r < n.
  void insert(size_t r) {
    for (auto& level : levels_) {
      uint64_t& word = level[r >> 6];
      const bool was_empty = word == 0;
      word |= uint64_t{1} << (r & 63);
      if (!was_empty) return;
      r >>= 6;
    }
  }

  // REQUIRES: r < n.
  void erase(size_t r) {
    for (auto& level : levels_) {
      uint64_t& word = level[r >> 6];
      word &= ~(uint64_t{1} << (r & 63));
      if (word != 0) return;
      r >>= 6;
    }
  }

  // The smallest member greater than r (r == kNone: the smallest member), or kNone.
  size_t next_after(size_t r) const {
    size_t i = r + 1;  // kNone + 1 == 0
    size_t l = 0;
    for (; l < levels_.size(); ++l) {
      const size_t wi = i >> 6;
      if (wi >= levels_[l].size()) return kNone;
      const uint64_t m = levels_[l][wi] & (~uint64_t{0} << (i & 63));
      if (m != 0) {
        i = (wi << 6) | static_cast<size_t>(std::countr_zero(m));
        break;
      }
      i = wi + 1;
    }
    if (l == levels_.size()) return kNone;
    while (l-- > 0) i = (i << 6) | static_cast<size_t>(std::countr_zero(levels_[l][i]));
    return i;
  }

  // The largest member smaller than r (r == kNone: the largest member), or kNone.
  size_t prev_before(size_t r) const {
    if (r == 0) return kNone;
    size_t i = r == kNone ? levels_[0].size() * 64 - 1 : r - 1;
    size_t l = 0;
    for (; l < levels_.size(); ++l) {
      const size_t wi = i >> 6;
      const unsigned b = static_cast<unsigned>(i & 63);
      const uint64_t mask = b == 63 ? ~uint64_t{0} : (uint64_t{2} << b) - 1;
      const uint64_t m = levels_[l][wi] & mask;
      if (m != 0) {
        i = (wi << 6) | static_cast<size_t>(63 - std::countl_zero(m));
        break;
      }
      if (wi == 0) return kNone;
      i = wi - 1;
    }
    if (l == levels_.size()) return kNone;
    while (l-- > 0) i = (i << 6) | static_cast<size_t>(63 - std::countl_zero(levels_[l][i]));
    return i;
  }

 private:
  std::vector<std::vector<uint64_t>> levels_;  // levels_[0]: one bit per rank
};

}  // namespace greenrun::scheduling
