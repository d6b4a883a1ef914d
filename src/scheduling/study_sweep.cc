#include "scheduling/study_sweep.h"

#include <algorithm>
#include <deque>
#include <numeric>

namespace greenrun::scheduling {
namespace {

std::vector<double> prefix(std::span<const double> v) {
  std::vector<double> p(v.size() + 1, 0.0);
  for (size_t i = 0; i < v.size(); ++i) p[i + 1] = p[i] + v[i];
  return p;
}

// Sum of the job started at slot c.
inline double window_sum(const std::vector<double>& p, std::span<const double> v, size_t c,
                         size_t full, double frac) {
  double s = p[c + full] - p[c];
  if (frac > 0) s += frac * v[c + full];
  return s;
}

// Fenwick tree over ranks holding counts and sums of `truth`.
class OrderStatistics {
 public:
  explicit OrderStatistics(size_t n) : n_(n), node_(n + 1), pairs_(n + 1, 0) {
    top_ = 1;
    while (top_ * 2 <= n_) top_ *= 2;
  }
  void add(uint32_t rank, int delta, double value) {
    for (size_t i = rank + 1; i <= n_; i += i & (~i + 1)) {
      node_[i].count += delta;
      node_[i].sum += value;
    }
  }
  void add_pair(uint32_t max_rank, int delta) {
    for (size_t i = max_rank + 1; i <= n_; i += i & (~i + 1)) pairs_[i] += delta;
  }
  // The k-th smallest rank (0-based) and the sum of the values of the k - 1
  // ranks below it. REQUIRES: 1 <= k <= count.
  std::pair<size_t, double> kth(size_t k) const {
    size_t pos = 0;
    int64_t rem = static_cast<int64_t>(k);
    double acc = 0;
    for (size_t step = top_; step; step >>= 1) {
      const size_t nxt = pos + step;
      if (nxt <= n_ && node_[nxt].count < rem) {
        pos = nxt;
        rem -= node_[nxt].count;
        acc += node_[nxt].sum;
      }
    }
    return {pos, acc};
  }
  // Number of pairs whose larger rank is <= r.
  int64_t pairs_upto(size_t r) const {
    int64_t c = 0;
    for (size_t i = r + 1; i > 0; i -= i & (~i + 1)) c += pairs_[i];
    return c;
  }

 private:
  struct Node {
    int64_t count = 0;
    double sum = 0;
  };
  size_t n_;
  size_t top_;
  std::vector<Node> node_;
  std::vector<int32_t> pairs_;
};

}  // namespace

std::vector<StartOutcome> sweep_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts) {
  std::vector<StartOutcome> out(starts.size());
  if (starts.empty()) return out;
  const std::vector<double> pp = prefix(plan), pt = prefix(truth);
  // Sliding minimum over candidates [t, t + window] of the planned sums.
  std::deque<size_t> dq;
  std::vector<double> planned;  // planned sum per candidate, computed once
  const size_t last = starts.back() + window;
  planned.resize(last + 1);
  for (size_t c = 0; c <= last; ++c) planned[c] = window_sum(pp, plan, c, full, frac);
  size_t next_c = 0;
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    if (next_c < t) {  // starts far apart: restart the deque
      dq.clear();
      next_c = t;
    }
    for (; next_c <= t + window; ++next_c) {
      while (!dq.empty() && planned[dq.back()] > planned[next_c]) dq.pop_back();
      dq.push_back(next_c);
    }
    while (dq.front() < t) dq.pop_front();
    const size_t best = dq.front();
    out[k].baseline = window_sum(pt, truth, t, full, frac);
    out[k].optimum = window_sum(pt, truth, best, full, frac);
  }
  return out;
}

std::vector<StartOutcome> naive_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts) {
  // Per start, every candidate by prefix sums: O(window) per start.
  const std::vector<double> pp = prefix(plan), pt = prefix(truth);
  std::vector<StartOutcome> out(starts.size());
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    size_t best = t;
    double best_sum = window_sum(pp, plan, t, full, frac);
    for (size_t c = t + 1; c <= t + window; ++c) {
      const double s = window_sum(pp, plan, c, full, frac);
      if (s < best_sum) {
        best_sum = s;
        best = c;
      }
    }
    out[k].baseline = window_sum(pt, truth, t, full, frac);
    out[k].optimum = window_sum(pt, truth, best, full, frac);
  }
  return out;
}

SlotRanks rank_slots(std::span<const double> plan) {
  SlotRanks r;
  r.order.resize(plan.size());
  std::iota(r.order.begin(), r.order.end(), 0u);
  std::sort(r.order.begin(), r.order.end(), [&](uint32_t a, uint32_t b) {
    return plan[a] < plan[b] || (plan[a] == plan[b] && a < b);
  });
  r.rank.resize(plan.size());
  for (uint32_t i = 0; i < r.order.size(); ++i) r.rank[r.order[i]] = i;
  return r;
}

std::vector<double> repeat_slots(std::span<const double> v, size_t factor) {
  std::vector<double> out;
  out.reserve(v.size() * factor);
  for (double x : v) out.insert(out.end(), factor, x);
  return out;
}

SlotRanks repeat_ranks(const SlotRanks& r, size_t factor) {
  SlotRanks out;
  const size_t n = r.rank.size() * factor;
  out.rank.resize(n);
  out.order.resize(n);
  const auto f = static_cast<uint32_t>(factor);
  for (size_t i = 0; i < r.rank.size(); ++i)
    for (uint32_t j = 0; j < f; ++j) {
      out.rank[i * factor + j] = r.rank[i] * f + j;
      out.order[static_cast<size_t>(r.rank[i]) * factor + j] = static_cast<uint32_t>(i * factor + j);
    }
  return out;
}

std::vector<StartOutcome> sweep_pause_resume(std::span<const double> truth, const SlotRanks& ranks,
                                             size_t K, size_t w, std::span<const size_t> starts) {
  std::vector<StartOutcome> out(starts.size());
  const size_t n = truth.size();
  const std::vector<uint32_t>& rank = ranks.rank;
  const std::vector<double> pt = prefix(truth);
  OrderStatistics os(n);
  size_t L = 0, R = 0;  // the slots [L, R) are in the trees
  auto add = [&](size_t j) {
    os.add(rank[j], +1, truth[j]);
    if (j > L) os.add_pair(std::max(rank[j - 1], rank[j]), +1);
  };
  auto remove = [&](size_t j) {  // j == L
    os.add(rank[j], -1, -truth[j]);
    if (j + 1 < R) os.add_pair(std::max(rank[j], rank[j + 1]), -1);
  };
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    if (t >= R || t - L > w) {  // far apart: empty the trees and refill
      while (L < R) remove(L++);
      L = R = t;
    }
    while (R < t + w) add(R++);
    while (L < t) remove(L++);
    const auto [kth, below] = os.kth(K);
    const int64_t runs = static_cast<int64_t>(K) - os.pairs_upto(kth);
    out[k].baseline = pt[t + K] - pt[t];
    out[k].optimum = below + truth[ranks.order[kth]];
    out[k].pauses = static_cast<uint32_t>(runs - 1);
  }
  return out;
}

std::vector<StartOutcome> naive_pause_resume(std::span<const double> plan,
                                             std::span<const double> truth, size_t K, size_t w,
                                             std::span<const size_t> starts) {
  std::vector<StartOutcome> out(starts.size());
  std::vector<size_t> idx(w);
  std::vector<char> chosen(w);
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    std::iota(idx.begin(), idx.end(), t);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return plan[a] < plan[b] || (plan[a] == plan[b] && a < b);
    });
    std::fill(chosen.begin(), chosen.end(), 0);
    double opt = 0, base = 0;
    for (size_t i = 0; i < K; ++i) {
      opt += truth[idx[i]];
      chosen[idx[i] - t] = 1;
      base += truth[t + i];
    }
    uint32_t runs = 0;
    for (size_t i = 0; i < w; ++i)
      if (chosen[i] && (i == 0 || !chosen[i - 1])) ++runs;
    out[k] = StartOutcome{base, opt, runs - 1};
  }
  return out;
}

}  // namespace greenrun::scheduling
