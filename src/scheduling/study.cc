#include "greenrun/scheduling/study.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <thread>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "scheduling/study_sweep.h"

namespace greenrun::scheduling {
namespace {

constexpr double kHistLow = -100.0;  // histogram of reductions, 0.01 pp bins
constexpr double kHistBin = 0.01;
constexpr size_t kHistBins = 20001;  // fits a uint16_t bin index

// The bin of a reduction: round((r - low) / bin), half away from zero, clamped
// (done by hand: std::round is a library call in the per-start loop).
size_t hist_bin(double r) {
  const double x = (r - kHistLow) / kHistBin;
  if (!(x >= 0)) return 0;  // below the range, or NaN
  if (x >= static_cast<double>(kHistBins)) return kHistBins - 1;
  auto i = static_cast<size_t>(x);
  if (x - static_cast<double>(i) >= 0.5) ++i;  // exact: x - trunc(x) is representable
  return std::min(i, kHistBins - 1);
}

// The linear-interpolated quantile of the binned values (each value taken
// as its bin's centre): the same definition as quantile(), to within half a
// bin (0.005 pp). Used for the pooled rows only when the pooled values would
// not fit kExactPoolLimit.
double hist_quantile(const std::vector<uint32_t>& h, uint64_t total, double q) {
  if (total == 0) return 0;
  const double pos = q * static_cast<double>(total - 1);
  const auto lo = static_cast<uint64_t>(std::floor(pos));
  auto value_at = [&](uint64_t rank) {  // the rank-th smallest (0-based)
    uint64_t acc = 0;
    for (size_t i = 0; i < h.size(); ++i) {
      acc += h[i];
      if (acc > rank) return kHistLow + static_cast<double>(i) * kHistBin;
    }
    return kHistLow + static_cast<double>(h.size() - 1) * kHistBin;
  };
  const double v_lo = value_at(lo);
  if (lo + 1 >= total) return v_lo;
  return v_lo + (pos - static_cast<double>(lo)) * (value_at(lo + 1) - v_lo);
}

// Up to this many start-evaluations in all, every reduction is kept so the
// pooled ("all") percentiles are computed by quantile() exactly as the zone
// rows are (128 MB); beyond it, from the 0.01-pp histogram (hist_quantile).
constexpr uint64_t kExactPoolLimit = 16'000'000;

struct ZoneData {
  std::string zone;
  UtcTime t0;
  Duration step{};
  std::vector<double> truth;
  std::vector<size_t> starts;     // indices of the sampled start times
  std::vector<std::vector<double>> plan;  // per repetition
  std::vector<SlotRanks> ranks;            // per repetition
};

Result<ZoneData> regular_values(const StudyZone& z) {
  ZoneData d;
  d.zone = z.zone;
  const auto& s = *z.series;
  if (s.empty()) return make_error("zone " + z.zone + ": no intensity data");
  d.t0 = s.start();
  d.step = s.point(0).duration;
  d.truth.reserve(s.size());
  UtcTime expect = d.t0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto p = s.point(i);
    if (p.start != expect)
      return make_error("zone " + z.zone + ": the study needs a gap-free series; data missing from " +
                        format_utc(expect) + " to " + format_utc(p.start));
    if (p.duration != d.step)
      return make_error("zone " + z.zone + ": the study needs a regular series; the point at " +
                        format_utc(p.start) + " lasts " + format_duration(p.duration) + ", not " +
                        format_duration(d.step) + " (resample it first)");
    d.truth.push_back(p.value.grams_per_kwh());
    expect = p.end();
  }
  return d;
}

Result<std::vector<UtcTime>> start_times(const StartRule& rule, UtcTime from, UtcTime to,
                                         Duration step, UtcTime t0) {
  std::vector<UtcTime> out;
  switch (rule.kind) {
    case StartRule::Kind::kEveryStep: {
      // First data step at or after `from`.
      const int64_t k = (from - t0).count() <= 0 ? 0 : ((from - t0).count() + step.count() - 1) / step.count();
      for (UtcTime t = t0 + step * k; t < to; t += step) out.push_back(t);
      break;
    }
    case StartRule::Kind::kHourly: {
      const Duration h = std::chrono::hours(1);
      const int64_t ms = from.time_since_epoch().count();
      const int64_t first = (ms + h.count() - 1) / h.count() * h.count();
      for (UtcTime t{Duration(first)}; t < to; t += h) out.push_back(t);
      break;
    }
    case StartRule::Kind::kMonthly: {
      const CivilTime c = to_civil(from);
      int y = c.year;
      unsigned m = c.month;
      while (true) {
        const long long month_start = days_from_civil(y, m, 1);
        if (UtcTime(std::chrono::days(month_start)) >= to) break;
        const long long next = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
        for (unsigned d : rule.days) {
          if (month_start + d - 1 >= next) continue;
          const UtcTime t = UtcTime(std::chrono::days(month_start + d - 1)) +
                            std::chrono::hours(rule.hour) + std::chrono::minutes(rule.minute);
          if (t >= from && t < to) out.push_back(t);
        }
        if (++m == 13) {
          m = 1;
          ++y;
        }
      }
      std::sort(out.begin(), out.end());
      break;
    }
  }
  for (UtcTime t : out)
    if ((t - t0).count() % step.count() != 0)
      return make_error("start time " + format_utc(t) + " does not fall on a data step of " +
                        format_duration(step) + "; choose another --starts rule");
  return out;
}

struct Item {
  size_t zone;
  size_t preset;
  size_t window;
  size_t algorithm;
};

}  // namespace

Duration WindowSpec::resolve(Duration job) const {
  if (absolute) return *absolute;
  return Duration(static_cast<int64_t>(std::floor(fraction * static_cast<double>(job.count()))));
}

Result<WindowSpec> parse_window(std::string_view text) {
  const std::string_view t = trim(text);
  WindowSpec w;
  w.label = std::string(t);
  if (!t.empty() && t.back() == '%') {
    auto v = parse_number(t.substr(0, t.size() - 1));
    if (!v || *v < 0)
      return make_error("expected a window such as 24h or 100%, got \"" + std::string(t) + "\"");
    w.fraction = *v / 100.0;
    return w;
  }
  auto d = parse_duration(t);
  if (!d) return make_error("expected a window such as 24h or 100%, got \"" + std::string(t) + "\"");
  w.absolute = *d;
  return w;
}

std::string StartRule::describe() const {
  switch (kind) {
    case Kind::kEveryStep: return "every data step";
    case Kind::kHourly: return "every hour on the hour (UTC)";
    case Kind::kMonthly: {
      std::string d;
      for (unsigned x : days) {  // not (sep + to_string): a false -Wrestrict in g++ 12 -O2
        if (!d.empty()) d += ',';
        d += std::to_string(x);
      }
      char hm[8];
      std::snprintf(hm, sizeof hm, "%02u:%02u", hour, minute);
      return std::to_string(days.size()) + " per month: days " + d + " at " + hm + " UTC";
    }
  }
  return text;
}

Result<StartRule> parse_start_rule(std::string_view text) {
  const std::string_view t = trim(text);
  StartRule r;
  r.text = std::string(t);
  auto fail = [&] {
    return make_error("expected --starts every-step, hourly or monthly:DAYS@HH:MM (e.g. "
                      "monthly:1,7,13,19,25@00:00), got \"" + std::string(t) + "\"");
  };
  if (iequals(t, "every-step")) return r;
  if (iequals(t, "hourly")) {
    r.kind = StartRule::Kind::kHourly;
    return r;
  }
  if (t.size() < 9 || !iequals(t.substr(0, 8), "monthly:")) return fail();
  r.kind = StartRule::Kind::kMonthly;
  std::string_view rest = t.substr(8);
  const size_t at = rest.find('@');
  std::string_view days = rest.substr(0, at);
  if (at != std::string_view::npos) {
    const std::string_view hm = rest.substr(at + 1);
    const size_t colon = hm.find(':');
    if (colon == std::string_view::npos) return fail();
    auto h = parse_number(hm.substr(0, colon));
    auto m = parse_number(hm.substr(colon + 1));
    if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59 || *h != std::floor(*h) ||
        *m != std::floor(*m))
      return fail();
    r.hour = static_cast<unsigned>(*h);
    r.minute = static_cast<unsigned>(*m);
  }
  size_t pos = 0;
  while (pos <= days.size()) {
    const size_t comma = std::min(days.find(',', pos), days.size());
    auto d = parse_number(days.substr(pos, comma - pos));
    if (!d || *d < 1 || *d > 31 || *d != std::floor(*d)) return fail();
    r.days.push_back(static_cast<unsigned>(*d));
    pos = comma + 1;
  }
  std::sort(r.days.begin(), r.days.end());
  r.days.erase(std::unique(r.days.begin(), r.days.end()), r.days.end());
  return r;
}

Spread spread(std::span<const double> values, std::span<const uint16_t> bins,
              std::span<const uint32_t> counts, std::vector<double>& scratch) {
  const size_t n = values.size();
  // The values of bin b, gathered branch-free into scratch.
  auto gather = [&](size_t b) {
    scratch.resize(counts[b] + 1);
    size_t c = 0;
    for (size_t i = 0; i < n; ++i) {
      scratch[c] = values[i];
      c += bins[i] == b;
    }
    scratch.resize(c);
  };
  // The linear-interpolated quantile: the lo-th smallest (0-based) lies in the
  // bin where the cumulative count passes lo; select it among that bin's
  // values only. The (lo+1)-th is the smallest after it in the same bin, or
  // the smallest of the next non-empty bin.
  auto at = [&](double q) {
    const double pos = q * static_cast<double>(n - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    size_t b = 0, below = 0;
    while (below + counts[b] <= lo) below += counts[b++];
    gather(b);
    const size_t j = lo - below;
    const auto jt = scratch.begin() + static_cast<std::ptrdiff_t>(j);
    std::nth_element(scratch.begin(), jt, scratch.end());
    const double v_lo = *jt;
    if (lo + 1 >= n || pos == static_cast<double>(lo)) return v_lo;
    double v_hi;
    if (j + 1 < scratch.size()) {
      v_hi = *std::min_element(jt + 1, scratch.end());
    } else {
      do ++b;
      while (counts[b] == 0);
      gather(b);
      v_hi = *std::min_element(scratch.begin(), scratch.end());
    }
    return v_lo + (pos - static_cast<double>(lo)) * (v_hi - v_lo);
  };
  return Spread{at(0.1), at(0.5), at(0.9)};
}

double quantile(std::vector<double>& v, double q) {
  // Selection, not a sort: O(n). The value after `lo` is the smallest of
  // those after it, exactly as in the sorted order.
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const auto at = [&](size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
  std::nth_element(v.begin(), at(lo), v.end());
  if (lo + 1 >= v.size()) return v[lo];
  const double at_hi = *std::min_element(at(lo + 1), v.end());
  return v[lo] + (pos - static_cast<double>(lo)) * (at_hi - v[lo]);
}

Result<StudyResult> run_study(const std::vector<StudyZone>& zones, const StudyOptions& o) {
  if (zones.empty()) return make_error("expected at least one zone");
  if (o.presets.empty()) return make_error("expected at least one job preset");
  if (o.windows.empty()) return make_error("expected at least one window");
  if (o.algorithms.empty()) return make_error("expected at least one algorithm");
  for (Mode m : o.algorithms)
    if (m != Mode::kFlexibleStart && m != Mode::kPauseResume)
      return make_error("the study runs flexible and pause-resume only");
  if (o.repeat == 0) return make_error("expected --repeat of at least 1");
  if (!(o.error >= 0) || !std::isfinite(o.error)) return make_error("expected a non-negative --error");
  if (o.min_pause.count() < 0) return make_error("expected a non-negative minimum pause");
  const unsigned reps = o.error > 0 ? o.repeat : 1;

  StudyResult result;
  result.sampling = o.starts.describe() + (o.error > 0 ? "; forecast error sigma = " +
                                                             std::to_string(o.error) +
                                                             " x mean intensity, " +
                                                             std::to_string(reps) + " repetitions, seed " +
                                                             std::to_string(o.seed)
                                                       : "; perfect forecast (the actual series)");
  std::vector<ZoneData> data;
  for (size_t zi = 0; zi < zones.size(); ++zi) {
    auto d = regular_values(zones[zi]);
    if (!d) return make_error(d.error().message);
    const auto& s = *zones[zi].series;
    const UtcTime from = o.from.value_or(s.start());
    const UtcTime to = o.to.value_or(s.end());
    if (to <= from) return make_error("expected --from before --to");
    auto times = start_times(o.starts, from, to, d->step, d->t0);
    if (!times) return make_error("zone " + zones[zi].zone + ": " + times.error().message);
    for (UtcTime t : *times)
      if (t >= d->t0) d->starts.push_back(static_cast<size_t>((t - d->t0) / d->step));
    const auto& p = s.provenance();
    result.provenance.push_back(zones[zi].zone + ": " + p.source + " " + p.origin + ", " +
                                format_utc(s.start()) + " .. " + format_utc(s.end()) + ", " +
                                std::to_string(s.size()) + " points of " + format_duration(d->step) +
                                (p.note.empty() ? "" : " (" + p.note + ")"));
    data.push_back(std::move(*d));
  }

  const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  auto parallel = [&](size_t count, auto&& fn) {
    std::atomic<size_t> next{0};
    auto worker = [&](unsigned tid) {
      for (size_t i = next++; i < count; i = next++) fn(i, tid);
    };
    std::vector<std::thread> pool;
    const unsigned n = static_cast<unsigned>(std::min<size_t>(threads, count));
    for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker, t);
    worker(0);
    for (auto& th : pool) th.join();
  };

  // Phase 1: the planner's view of each zone per repetition, and its ranks.
  for (auto& d : data) {
    d.plan.resize(reps);
    d.ranks.resize(reps);
  }
  parallel(data.size() * reps, [&](size_t i, unsigned) {
    ZoneData& d = data[i / reps];
    const unsigned r = static_cast<unsigned>(i % reps);
    if (o.error > 0) {
      const double mean =
          std::accumulate(d.truth.begin(), d.truth.end(), 0.0) / static_cast<double>(d.truth.size());
      std::seed_seq seq{static_cast<uint32_t>(o.seed), static_cast<uint32_t>(o.seed >> 32),
                        static_cast<uint32_t>(i / reps), r};
      std::mt19937_64 rng(seq);
      std::normal_distribution<double> noise(0.0, o.error * mean);
      d.plan[r].resize(d.truth.size());
      for (size_t k = 0; k < d.truth.size(); ++k) d.plan[r][k] = std::max(0.0, d.truth[k] + noise(rng));
    } else {
      d.plan[r] = d.truth;
    }
    if (std::find(o.algorithms.begin(), o.algorithms.end(), Mode::kPauseResume) != o.algorithms.end())
      d.ranks[r] = rank_slots(d.plan[r]);
  });

  // Phase 2: every zone x preset x window x algorithm.
  std::vector<Item> items;
  for (size_t z = 0; z < data.size(); ++z)
    for (size_t p = 0; p < o.presets.size(); ++p)
      for (size_t w = 0; w < o.windows.size(); ++w)
        for (size_t a = 0; a < o.algorithms.size(); ++a) items.push_back(Item{z, p, w, a});
  const size_t per_zone = o.presets.size() * o.windows.size() * o.algorithms.size();
  std::vector<StudyRow> rows(items.size());
  std::vector<std::vector<std::vector<uint32_t>>> hist(threads);  // [thread][overall item]
  std::atomic<uint64_t> evaluations{0};
  // Per-thread buffers, reused by every item the thread runs: no allocation
  // (and no fresh pages to fault in) per zone x preset x window.
  struct Buffers {
    SweepScratch scratch;
    std::vector<StartOutcome> out;
    std::vector<size_t> starts;
    std::vector<double> reductions;
    std::vector<uint16_t> bins;     // histogram bin of each reduction
    std::vector<uint32_t> counts;   // this item's histogram
    std::vector<double> selection;  // scratch for spread()
  };
  std::vector<Buffers> buffers(threads);
  uint64_t expected = 0;
  for (const auto& d : data) expected += d.starts.size();
  expected *= static_cast<uint64_t>(per_zone) * reps;
  const bool exact_pool = expected <= kExactPoolLimit;
  std::vector<std::vector<double>> pooled(exact_pool ? items.size() : 0);
  std::mutex failure_mutex;
  std::optional<std::string> failure;  // the first item that could not be planned
  parallel(items.size(), [&](size_t ii, unsigned tid) {
    const Item& it = items[ii];
    const ZoneData& d = data[it.zone];
    const Preset& preset = o.presets[it.preset];
    const Mode algo = o.algorithms[it.algorithm];
    const Duration D = preset.duration;
    const Duration step = d.step;
    const size_t n = d.truth.size();
    const auto Wsteps = static_cast<size_t>(o.windows[it.window].resolve(D) / step);
    StudyRow& row = rows[ii];
    row.zone = d.zone;
    row.preset = preset.name;
    row.algorithm = algo;
    row.window = o.windows[it.window].label;
    Buffers& buf = buffers[tid];
    std::vector<size_t>& starts = buf.starts;
    std::vector<double>& reductions = buf.reductions;
    std::vector<StartOutcome>& out = buf.out;
    starts.clear();
    reductions.clear();
    double pauses = 0;
    if (algo == Mode::kFlexibleStart) {
      const auto full = static_cast<size_t>(D / step);
      const double frac = static_cast<double>((D % step).count()) / static_cast<double>(step.count());
      const size_t need = Wsteps + full + (frac > 0 ? 1 : 0);
      for (size_t t : d.starts)
        if (t + need <= n) starts.push_back(t);
      for (unsigned r = 0; r < reps; ++r) {
        sweep_flexible(d.plan[r], d.truth, full, frac, Wsteps, starts, buf.scratch, out);
        for (const auto& s : out) reductions.push_back(s.reduction_percent());
      }
    } else {
      // Slots of gcd(step, D) make the job K whole slots; a job that is not a
      // whole number of steps is planned on the steps themselves with one
      // partial step (sweep_pause_resume_steps), exactly and g times cheaper.
      const Duration slot(std::gcd(step.count(), D.count()));
      const auto g = static_cast<size_t>(step / slot);
      const auto q = static_cast<size_t>(D / step);
      const auto part = static_cast<size_t>((D % step) / slot);
      const size_t m = Wsteps + q;  // whole steps in the window
      for (size_t t : d.starts)
        if (t + m + (part > 0 ? 1 : 0) <= n) starts.push_back(t);
      // Pauses shorter than min_pause: none when one slot is long enough
      // (the kernels above are exact); else per start (on the slots).
      const auto P = static_cast<size_t>((o.min_pause.count() + slot.count() - 1) / slot.count());
      std::vector<double> plan_slots, truth_slots;
      std::vector<size_t> slot_starts;
      if (P > 1 && g > 1) {
        truth_slots = repeat_slots(d.truth, g);
        for (size_t t : starts) slot_starts.push_back(t * g);
      }
      for (unsigned r = 0; r < reps; ++r) {
        if (P > 1) {
          if (g > 1) plan_slots = repeat_slots(d.plan[r], g);
          const std::span<const double> ps = g > 1 ? std::span<const double>(plan_slots) : d.plan[r];
          const std::span<const double> ts = g > 1 ? std::span<const double>(truth_slots) : d.truth;
          if (auto ok = sweep_pause_resume_min_pause(ps, ts, q * g + part, m * g + part, P,
                                                     g > 1 ? slot_starts : starts, out);
              !ok) {
            const std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = d.zone + ", " + preset.name + ": " + ok.error().message;
            return;
          }
        } else if (part > 0) {
          sweep_pause_resume_steps(d.truth, d.ranks[r], q, part, g, m, starts, buf.scratch, out);
        } else {
          sweep_pause_resume(d.truth, d.ranks[r], q, m, starts, buf.scratch, out);
        }
        for (const auto& s : out) {
          reductions.push_back(s.reduction_percent());
          pauses += s.pauses;
        }
      }
    }
    row.starts = starts.size();
    row.skipped = d.starts.size() - starts.size();
    if (exact_pool) pooled[ii] = reductions;
    evaluations += reductions.size();
    auto& h = hist[tid];
    if (h.empty()) h.assign(per_zone, std::vector<uint32_t>(kHistBins, 0));
    buf.counts.assign(kHistBins, 0);
    buf.bins.resize(reductions.size());
    for (size_t i = 0; i < reductions.size(); ++i) {
      const size_t b = hist_bin(reductions[i]);
      buf.bins[i] = static_cast<uint16_t>(b);
      ++buf.counts[b];
    }
    std::vector<uint32_t>& overall = h[ii % per_zone];
    for (size_t b = 0; b < kHistBins; ++b) overall[b] += buf.counts[b];
    if (!reductions.empty()) {
      row.mean = std::accumulate(reductions.begin(), reductions.end(), 0.0) /
                 static_cast<double>(reductions.size());
      row.pauses_per_hour = pauses / static_cast<double>(reductions.size()) / to_hours(D);
      const Spread q = spread(reductions, buf.bins, buf.counts, buf.selection);
      row.median = q.median;
      row.p10 = q.p10;
      row.p90 = q.p90;
    }
  });
  if (failure) return make_error(*failure);
  result.evaluations = evaluations;
  result.pooled_exact = exact_pool;
  result.rows = rows;

  // Overall rows: one per preset x window x algorithm.
  for (size_t k = 0; k < per_zone; ++k) {
    StudyRow all = rows[k];
    all.zone = "all";
    all.starts = all.skipped = 0;
    double mean = 0, pph = 0;
    size_t counted = 0;
    for (size_t z = 0; z < data.size(); ++z) {
      const StudyRow& r = rows[z * per_zone + k];
      all.starts += r.starts;
      all.skipped += r.skipped;
      if (r.starts == 0) continue;
      mean += r.mean;
      pph += r.pauses_per_hour;
      ++counted;
    }
    all.mean = counted ? mean / static_cast<double>(counted) : 0;
    all.pauses_per_hour = counted ? pph / static_cast<double>(counted) : 0;
    std::vector<uint32_t> merged(kHistBins, 0);
    uint64_t total = 0;
    for (const auto& h : hist)
      if (!h.empty())
        for (size_t b = 0; b < kHistBins; ++b) {
          merged[b] += h[k][b];
          total += h[k][b];
        }
    if (exact_pool) {
      // One percentile function for the zone rows and the pooled rows.
      std::vector<double> v;
      v.reserve(total);
      for (size_t z = 0; z < data.size(); ++z)
        v.insert(v.end(), pooled[z * per_zone + k].begin(), pooled[z * per_zone + k].end());
      if (!v.empty()) {
        all.p10 = quantile(v, 0.1);
        all.median = quantile(v, 0.5);
        all.p90 = quantile(v, 0.9);
      }
    } else {
      all.median = hist_quantile(merged, total, 0.5);
      all.p10 = hist_quantile(merged, total, 0.1);
      all.p90 = hist_quantile(merged, total, 0.9);
    }
    result.rows.push_back(std::move(all));
  }
  return result;
}

}  // namespace greenrun::scheduling
