#include "scheduling/study_sweep.h"

#include <algorithm>
#include <numeric>

#include "greenrun/scheduling/pause_resume.h"
#include "scheduling/sliding_selection.h"

namespace greenrun::scheduling {
namespace {

std::vector<double> prefix(std::span<const double> v) {
  std::vector<double> p(v.size() + 1, 0.0);
  for (size_t i = 0; i < v.size(); ++i) p[i + 1] = p[i] + v[i];
  return p;
}

// Into a reused buffer (no allocation once it has grown).
void prefix_into(std::span<const double> v, std::vector<double>& p) {
  p.resize(v.size() + 1);
  p[0] = 0;
  for (size_t i = 0; i < v.size(); ++i) p[i + 1] = p[i] + v[i];
}

// Sum of the job started at slot c.
inline double window_sum(const std::vector<double>& p, std::span<const double> v, size_t c,
                         size_t full, double frac) {
  double s = p[c + full] - p[c];
  if (frac > 0) s += frac * v[c + full];
  return s;
}

}  // namespace

void sweep_flexible(std::span<const double> plan, std::span<const double> truth, size_t full,
                    double frac, size_t window, std::span<const size_t> starts,
                    SweepScratch& scratch, std::vector<StartOutcome>& out) {
  out.resize(starts.size());
  if (starts.empty()) return;
  std::vector<double>& pp = scratch.prefix_plan;
  std::vector<double>& pt = scratch.prefix_truth;
  prefix_into(plan, pp);
  prefix_into(truth, pt);
  // Sliding minimum over candidates [t, t + window] of the planned sums: a
  // monotone queue of candidate indices in a flat array (each candidate is
  // pushed once, so it never holds more than last + 1).
  const size_t last = starts.back() + window;
  std::vector<double>& planned = scratch.planned;  // planned sum per candidate, computed once
  planned.resize(last + 1);
  for (size_t c = 0; c <= last; ++c) planned[c] = window_sum(pp, plan, c, full, frac);
  std::vector<size_t>& queue = scratch.queue;
  queue.resize(last + 1);
  size_t head = 0, tail = 0;  // the queue is queue[head, tail)
  size_t next_c = 0;
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    if (next_c < t) {  // starts far apart: restart the queue
      head = tail = 0;
      next_c = t;
    }
    for (; next_c <= t + window; ++next_c) {
      const double v = planned[next_c];
      while (tail > head && planned[queue[tail - 1]] > v) --tail;
      queue[tail++] = next_c;
    }
    while (queue[head] < t) ++head;
    const size_t best = queue[head];
    out[k].baseline = window_sum(pt, truth, t, full, frac);
    out[k].optimum = window_sum(pt, truth, best, full, frac);
  }
}

std::vector<StartOutcome> sweep_flexible(std::span<const double> plan, std::span<const double> truth,
                                         size_t full, double frac, size_t window,
                                         std::span<const size_t> starts) {
  SweepScratch scratch;
  std::vector<StartOutcome> out;
  sweep_flexible(plan, truth, full, frac, window, starts, scratch, out);
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

void sweep_pause_resume(std::span<const double> truth, const SlotRanks& ranks, size_t K, size_t w,
                        std::span<const size_t> starts, SweepScratch& scratch,
                        std::vector<StartOutcome>& out) {
  out.resize(starts.size());
  std::vector<double>& pt = scratch.prefix_truth;
  prefix_into(truth, pt);
  SlidingSelection sel(ranks.rank, ranks.order, truth, K);
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    if (t >= sel.end() || t - sel.begin() > w) sel.reset(t);  // far apart: refill
    while (sel.end() < t + w) sel.push_back();
    while (sel.begin() < t) sel.pop_front();
    out[k].baseline = pt[t + K] - pt[t];
    out[k].optimum = sel.sum();
    out[k].pauses = static_cast<uint32_t>(sel.runs() - 1);
  }
}

std::vector<StartOutcome> sweep_pause_resume(std::span<const double> truth, const SlotRanks& ranks,
                                             size_t K, size_t w, std::span<const size_t> starts) {
  SweepScratch scratch;
  std::vector<StartOutcome> out;
  sweep_pause_resume(truth, ranks, K, w, starts, scratch, out);
  return out;
}

void sweep_pause_resume_steps(std::span<const double> truth, const SlotRanks& ranks, size_t q,
                              size_t part, size_t g, size_t m, std::span<const size_t> starts,
                              SweepScratch& scratch, std::vector<StartOutcome>& out) {
  out.resize(starts.size());
  std::vector<double>& pt = scratch.prefix_truth;
  prefix_into(truth, pt);
  const std::vector<uint32_t>& rank = ranks.rank;
  const auto gd = static_cast<double>(g), partd = static_cast<double>(part);
  SlidingSelection sel(ranks.rank, ranks.order, truth, q);
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    if (t >= sel.end() || t - sel.begin() > m) sel.reset(t);
    while (sel.end() < t + m) sel.push_back();
    while (sel.begin() < t) sel.pop_front();
    // The remaining `part` slots go to the cleaner of the (q+1)-th full step
    // and the partial step p at the window's end (its first slots either way).
    const size_t p = t + m;
    const size_t next = sel.next_rank();
    const size_t e = next != SlidingSelection::kNone && next < rank[p] ? ranks.order[next] : p;
    // e's slots run on from step e - 1 when that is selected; they never join
    // step e + 1 (the rest of step e lies between).
    const size_t runs = sel.runs() + 1 - static_cast<size_t>(e > t && sel.is_selected(e - 1));
    out[k].baseline = gd * (pt[t + q] - pt[t]) + partd * truth[t + q];
    out[k].optimum = gd * sel.sum() + partd * truth[e];
    out[k].pauses = static_cast<uint32_t>(runs - 1);
  }
}

std::vector<StartOutcome> sweep_pause_resume_steps(std::span<const double> truth,
                                                   const SlotRanks& ranks, size_t q, size_t part,
                                                   size_t g, size_t m,
                                                   std::span<const size_t> starts) {
  SweepScratch scratch;
  std::vector<StartOutcome> out;
  sweep_pause_resume_steps(truth, ranks, q, part, g, m, starts, scratch, out);
  return out;
}

Status sweep_pause_resume_min_pause(std::span<const double> plan, std::span<const double> truth, size_t K,
                                    size_t w, size_t P, std::span<const size_t> starts,
                                    std::vector<StartOutcome>& out) {
  out.resize(starts.size());
  for (size_t k = 0; k < starts.size(); ++k) {
    const size_t t = starts[k];
    const std::span<const double> window = plan.subspan(t, w);
    StartOutcome& o = out[k];
    o = StartOutcome{};
    for (size_t i = 0; i < K; ++i) o.baseline += truth[t + i];
    // The K cleanest (ties to the earlier slot, as the free-pause kernels).
    const std::vector<size_t> chosen = cleanest_slots(window, K);
    bool long_enough = true;
    uint32_t runs = 0;
    for (size_t i = 0; i < chosen.size(); ++i) {
      if (i > 0 && chosen[i] == chosen[i - 1] + 1) continue;
      if (i > 0 && chosen[i] - chosen[i - 1] - 1 < P) long_enough = false;
      ++runs;
    }
    if (long_enough) {
      for (size_t i : chosen) o.optimum += truth[t + i];
      o.pauses = runs - 1;
      continue;
    }
    SlotProblem problem;
    problem.work_slots = K;
    problem.slot_kwh = 1;
    problem.min_pause_slots = P;
    auto s = schedule_slots(window, problem);
    if (!s) return std::unexpected(s.error());
    for (const SlotSegment& seg : s->segments)
      for (size_t i = seg.begin; i < seg.end; ++i) o.optimum += truth[t + i];
    o.pauses = static_cast<uint32_t>(s->segments.size() - 1);
  }
  return {};
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
