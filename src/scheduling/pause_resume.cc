#include "greenrun/scheduling/pause_resume.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "scheduling/flexible_start.h"
#include "scheduling/forecast_integral.h"

namespace greenrun::scheduling {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Back-pointer tables hold one byte per (position, work) pair and state.
constexpr size_t kMaxStates = 40'000'000;
constexpr size_t kMaxSlots = 20'000'000;

enum : uint8_t { kNone = 0, kContinue = 1, kStartFirst = 2, kStartResume = 3 };
enum : uint8_t { kIdle = 1, kClose = 2 };

std::vector<SlotSegment> runs_of(const std::vector<size_t>& sorted) {
  std::vector<SlotSegment> out;
  for (size_t i : sorted) {
    if (!out.empty() && out.back().end == i)
      out.back().end = i + 1;
    else
      out.push_back(SlotSegment{i, i + 1, 0});
  }
  return out;
}

}  // namespace

std::vector<size_t> cleanest_slots(std::span<const double> v, size_t k) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  auto less = [&](size_t a, size_t b) { return v[a] < v[b] || (v[a] == v[b] && a < b); };
  if (k < idx.size()) {
    std::nth_element(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), less);
    idx.resize(k);
  }
  std::sort(idx.begin(), idx.end());
  return idx;
}

Result<SlotSchedule> schedule_slots(std::span<const double> v, const SlotProblem& pr) {
  const size_t n = v.size();
  const size_t K = pr.work_slots;
  if (K == 0) return make_error("expected at least one slot of work");
  if (K > n)
    return make_error("cannot meet the deadline: the job needs " + std::to_string(K) +
                      " slots but the window holds " + std::to_string(n));
  if ((n + 1) * (K + 1) > kMaxStates)
    return make_error("pause-and-resume problem too large (" + std::to_string(n) + " slots x " +
                      std::to_string(K) + " work slots); use a coarser slot");
  const size_t L = std::min(std::max<size_t>(pr.min_work_slots, 1), K);
  const size_t R = pr.restart_slots;
  // A pause lasts at least P slots: a segment closed at i may resume no
  // earlier than i + P.
  const size_t P = pr.min_pause_slots;
  const size_t W = K + 1;
  std::vector<double> S(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) S[i + 1] = S[i] + v[i];

  std::vector<uint8_t> pa((n + 1) * W, kNone), pb((n + 1) * W, kNone);
  const size_t depth = R + L + 1;  // rows of A alive at once
  std::vector<double> ring(depth * W, kInf);
  auto A = [&](size_t i) { return ring.data() + (i % depth) * W; };
  // Rows of B alive at once: a close at i lands in row i + P.
  const size_t bdepth = P + 2;
  std::vector<double> bring(bdepth * W, kInf);
  auto B = [&](size_t i) { return bring.data() + (i % bdepth) * W; };
  B(0)[0] = 0.0;
  pb[0] = kIdle;

  double best = kInf;
  size_t best_i = 0;
  for (size_t i = 0; i <= n; ++i) {
    double* a = A(i);
    double* b_cur = B(i);
    // Close an open segment at i; it may resume from i + P on.
    if (i + P <= n) {
      double* b_close = B(i + P);
      for (size_t w = 1; w < K; ++w)
        if (a[w] < b_close[w]) {
          b_close[w] = a[w];
          pb[(i + P) * W + w] = kClose;
        }
    }
    if (a[K] < best) {
      best = a[K];
      best_i = i;
    }
    if (i == n) break;
    const double slot_cost = pr.slot_kwh * v[i];
    // Stay idle (a close that lands in row i + 1 keeps a tie: it is the
    // same cost with a shorter walk back).
    double* b_next = B(i + 1);
    for (size_t w = 0; w < K; ++w)
      if (b_cur[w] < b_next[w]) {
        b_next[w] = b_cur[w];
        pb[(i + 1) * W + w] = kIdle;
      }
    // Keep running.
    double* a1 = A(i + 1);
    for (size_t w = 0; w < K; ++w)
      if (a[w] < kInf) {
        const double c = a[w] + slot_cost;
        if (c < a1[w + 1]) {
          a1[w + 1] = c;
          pa[(i + 1) * W + w + 1] = kContinue;
        }
      }
    // Start a segment: the first one without overhead, later ones after a pause.
    for (size_t w = 0; w + L <= K; ++w) {
      if (b_cur[w] == kInf) continue;
      const size_t J = w == 0 ? L : R + L;
      if (i + J > n) continue;
      const double c = b_cur[w] + pr.slot_kwh * (S[i + J] - S[i]) +
                       (w == 0 ? 0.0 : pr.overhead_kwh * v[i]);
      double* aj = A(i + J);
      if (c < aj[w + L]) {
        aj[w + L] = c;
        pa[(i + J) * W + w + L] = w == 0 ? kStartFirst : kStartResume;
      }
    }
    std::fill(a, a + W, kInf);
    std::fill(b_cur, b_cur + W, kInf);
  }
  if (best == kInf) return make_error("no feasible pause-and-resume schedule in the window");

  // Walk the back-pointers from the finish.
  SlotSchedule out;
  out.cost = best;
  size_t i = best_i, w = K;
  bool in_a = true;
  SlotSegment seg{0, best_i, 0};
  while (true) {
    if (in_a) {
      const uint8_t p = pa[i * W + w];
      if (p == kContinue) {
        --i;
        --w;
      } else {
        const size_t J = p == kStartFirst ? L : R + L;
        seg.begin = i - J;
        seg.restart = p == kStartFirst ? 0 : R;
        out.segments.push_back(seg);
        i -= J;
        w -= L;
        in_a = false;
      }
    } else {
      if (w == 0) break;
      const uint8_t p = pb[i * W + w];
      if (p == kClose) {
        i -= P;
        seg = SlotSegment{0, i, 0};
        in_a = true;
      } else {
        --i;
      }
    }
  }
  std::reverse(out.segments.begin(), out.segments.end());
  // Without a restart cost the DP may close a segment and open the next in
  // the same slot (two minimum-length segments that touch): one segment, no
  // pause.
  std::vector<SlotSegment> merged;
  for (const SlotSegment& sg : out.segments) {
    if (!merged.empty() && merged.back().end == sg.begin && sg.restart == 0)
      merged.back().end = sg.end;
    else
      merged.push_back(sg);
  }
  out.segments = std::move(merged);
  return out;
}

Result<Plan> plan_pause_resume(const intensity::IntensitySeries& forecast, const Job& job,
                               UtcTime earliest, UtcTime deadline,
                               const PauseResumeOptions& options) {
  if (deadline <= earliest)
    return make_error("deadline " + format_utc(deadline) + " is not after the earliest start " +
                      format_utc(earliest));
  if (deadline - earliest < job.duration())
    return make_error("cannot meet the deadline: the job needs " + format_duration(job.duration()) +
                      " but only " + format_duration(deadline - earliest) + " remain before " +
                      format_utc(deadline));
  if (options.overhead.time.count() < 0 || options.overhead.energy.joules() < 0 ||
      options.min_segment.count() < 0 || options.min_pause.count() < 0)
    return make_error("expected a non-negative pause overhead, minimum segment and minimum pause");
  const ForecastIntegral f(forecast);
  if (auto ok = f.require_covered(earliest, deadline); !ok) return make_error(ok.error().message);
  const Duration base = options.slot ? *options.slot : f.step_at(earliest);
  if (base.count() <= 0) return make_error("expected a positive slot length");
  const Duration slot(std::gcd(base.count(), job.duration().count()));
  const size_t n = static_cast<size_t>((deadline - earliest) / slot);
  const size_t K = static_cast<size_t>(job.duration() / slot);
  if (n > kMaxSlots)
    return make_error("the job duration " + format_duration(job.duration()) +
                      " needs planning at " + format_duration(slot) + " resolution, " +
                      std::to_string(n) + " slots; round the duration to the forecast step");
  const std::vector<double> v = slot_means(f, earliest, slot, n);
  const double kw = job.power().mean_power().watts() / 1e3;
  const double slot_kwh = kw * to_hours(slot);

  auto ceil_div = [](Duration a, Duration b) {
    return static_cast<size_t>((a.count() + b.count() - 1) / b.count());
  };
  SlotSchedule sched;
  const size_t L = std::max<size_t>(1, ceil_div(options.min_segment, slot));
  const size_t P = ceil_div(options.min_pause, slot);
  if (options.overhead.none() && L <= 1 && P <= 1) {
    const std::vector<size_t> chosen = cleanest_slots(v, K);
    sched.segments = runs_of(chosen);
    for (size_t i : chosen) sched.cost += slot_kwh * v[i];
  } else {
    SlotProblem pr;
    pr.work_slots = K;
    pr.slot_kwh = slot_kwh;
    pr.overhead_kwh = options.overhead.energy.kilowatt_hours();
    pr.restart_slots = ceil_div(options.overhead.time, slot);
    pr.min_work_slots = L;
    pr.min_pause_slots = P;
    auto s = schedule_slots(v, pr);
    if (!s) return make_error(s.error().message);
    sched = std::move(*s);
  }
  Plan plan;
  plan.mode = Mode::kPauseResume;
  for (const SlotSegment& s : sched.segments)
    plan.segments.push_back(Segment{earliest + slot * static_cast<int64_t>(s.begin),
                                    earliest + slot * static_cast<int64_t>(s.end),
                                    slot * static_cast<int64_t>(s.restart)});
  plan.emissions = Mass::grams(sched.cost);
  plan.baseline = emissions_at(forecast, job, earliest);
  return plan;
}

}  // namespace greenrun::scheduling
