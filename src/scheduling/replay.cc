#include "greenrun/scheduling/replay.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "scheduling/flexible_start.h"
#include "scheduling/forecast_integral.h"
#include "scheduling/plan_pricing.h"

namespace greenrun::scheduling {
namespace {

double grams(const intensity::IntensitySeries& s, double kw, UtcTime a,
             UtcTime b) {
  return grams_from_integral(kw, s.integrate(a, b).g_per_kwh_ms);
}

// The emissions of segments on the actual series (plan_pricing.h).
double score(const intensity::IntensitySeries& actual,
             const std::vector<Segment>& segs, double kw, double overhead_kwh) {
  return segments_grams(actual, segs, kw, overhead_kwh);
}

struct Window {
  UtcTime open, deadline;
};

Window window_for(const LoggedJob& j, const ReplaySetting& s,
                  const ReplayOptions& o) {
  JobWindow w;
  if (s.rule)
    w = resolve_window(*s.rule, j.submit, j.duration, o.tz);
  else if (j.deadline)
    w = {j.submit, *j.deadline};
  else
    w = resolve_window(j.rule ? *j.rule : o.default_rule, j.submit, j.duration,
                       o.tz);
  return {j.earliest.value_or(w.open), w.deadline};
}


}  // namespace

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::kAtOnce:
      return "at-once";
    case Policy::kFlexibleStart:
      return "flexible";
    case Policy::kPauseResume:
      return "pause-resume";
    case Policy::kThreshold:
      return "threshold";
  }
  return "?";
}

Result<Policy> parse_policy(std::string_view text) {
  for (Policy p : {Policy::kAtOnce, Policy::kFlexibleStart,
                   Policy::kPauseResume, Policy::kThreshold})
    if (text == to_string(p)) return p;
  return make_error(
      "expected a policy at-once, flexible, pause-resume or threshold, got \"" +
      std::string(text) + "\"");
}

std::string ReplaySetting::label() const {
  std::string s(to_string(policy));
  if (policy == Policy::kPauseResume && !overhead.none())
    s += " overhead " + format_duration(overhead.time);
  if (policy == Policy::kThreshold) {
    char b[48];
    if (threshold.percentile)
      std::snprintf(b, sizeof b, " p%g", *threshold.percentile);
    else if (threshold.absolute)
      std::snprintf(b, sizeof b, " %gg/kWh",
                    threshold.absolute->grams_per_kwh());
    else
      b[0] = 0;
    s += b;
  }
  if (rule) s += " " + rule->text;
  if (error > 0) {
    char b[32];
    std::snprintf(b, sizeof b, " error %g%%", error * 100);
    s += b;
  }
  return s;
}

intensity::IntensitySeries window_of(const intensity::IntensitySeries& s,
                                     UtcTime a, UtcTime b) {
  intensity::IntensitySeries out(s.zone(), s.signal(), s.origin());
  size_t lo = 0, hi = s.size();
  while (lo < hi) {  // first point ending after a
    const size_t mid = (lo + hi) / 2;
    if (s.point(mid).end() <= a)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < s.size(); ++i) {
    const auto p = s.point(i);
    if (p.start >= b) break;
    const UtcTime x = std::max(p.start, a), y = std::min(p.end(), b);
    if (x < y) (void)out.append(x, y - x, p.value, p.estimated);
  }
  return out;
}

const intensity::IntensitySeries* forecast_as_known(
    const std::vector<intensity::IntensitySeries>& issues, UtcTime decision,
    UtcTime open, UtcTime close) {
  // The first issue made after the decision (oldest issue first), then back.
  const auto after = std::upper_bound(
      issues.begin(), issues.end(), decision,
      [](UtcTime t, const intensity::IntensitySeries& f) {
        return f.issued() && t < *f.issued();
      });
  for (auto it = after; it != issues.begin();) {
    const auto& f = *--it;
    if (!f.issued() || *f.issued() > decision || f.empty()) continue;
    if (f.covers(open, close)) return &f;
  }
  return nullptr;
}

intensity::IntensitySeries noisy_copy(const intensity::IntensitySeries& actual,
                                      double error, uint64_t seed) {
  intensity::IntensitySeries out(actual.zone(), actual.signal(),
                                 intensity::Origin::kForecast);
  if (actual.empty()) return out;
  double sum = 0, weight = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const auto p = actual.point(i);
    sum += p.value.grams_per_kwh() * to_hours(p.duration);
    weight += to_hours(p.duration);
  }
  const double mean = weight > 0 ? sum / weight : 0;
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32)};
  std::mt19937_64 rng(seq);
  std::normal_distribution<double> noise(0.0, error * mean);
  out.reserve(actual.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const auto p = actual.point(i);
    (void)out.append(p.start, p.duration,
                     CarbonIntensity::grams_per_kwh(
                         std::max(0.0, p.value.grams_per_kwh() + noise(rng))));
  }
  return out;
}

Result<ReplayResult> replay_jobs(const intensity::IntensitySeries& actual,
                                 const JobLog& log, const ReplayOptions& o) {
  if (o.settings.empty())
    return make_error(ErrorKind::kUsage,
                      "expected at least one policy setting");
  if (o.repeat == 0)
    return make_error(ErrorKind::kUsage, "expected --repeat of at least 1");
  if (o.pause_slot.count() <= 0)
    return make_error(ErrorKind::kUsage, "expected a positive pause slot");
  if (actual.empty())
    return make_error(ErrorKind::kNotFound,
                      "no actual intensity data to replay on");
  for (const auto& s : o.settings) {
    if (!(s.error >= 0) || !std::isfinite(s.error))
      return make_error(ErrorKind::kUsage,
                        "expected a non-negative forecast error");
    if (s.policy == Policy::kThreshold && !s.threshold.absolute &&
        !s.threshold.percentile)
      return make_error(
          ErrorKind::kUsage,
          "a threshold setting needs an absolute or percentile threshold");
  }
  ReplayResult result;
  result.excluded = log.excluded;

  // Which jobs every setting can replay: the actual series (and the forecast
  // planned on) must cover at once and every setting's window.
  std::vector<size_t> kept;
  for (size_t i = 0; i < log.jobs.size(); ++i) {
    const LoggedJob& j = log.jobs[i];
    UtcTime a = j.submit, b = j.submit + j.duration;
    UtcTime fa = UtcTime::max(), fb = UtcTime::min();
    for (const auto& s : o.settings) {
      const Window w = window_for(j, s, o);
      if (w.deadline - w.open < j.duration || s.policy == Policy::kAtOnce)
        continue;  // runs at once
      a = std::min(a, w.open);
      b = std::max(b, w.deadline);
      if (s.error == 0 && o.forecast) {
        fa = std::min(fa, w.open);
        fb = std::max(fb, w.deadline);
      }
      if (s.error == 0 && o.issued && s.policy != Policy::kThreshold &&
          !forecast_as_known(*o.issued, j.submit, w.open, w.deadline)) {
        fa = w.open;
        fb = w.deadline;
      }
    }
    std::string why;
    if (!actual.covers(a, b))
      why = "the actual data (" + format_utc(actual.start()) + " .. " +
            format_utc(actual.end()) + ") does not cover " + format_utc(a) +
            " .. " + format_utc(b);
    else if (fa < fb && o.issued)
      why = "no forecast issued by " + format_utc(j.submit) + " covers " +
            format_utc(fa) + " .. " + format_utc(fb);
    else if (fa < fb && !o.forecast->covers(fa, fb))
      why = "the forecast does not cover " + format_utc(fa) + " .. " +
            format_utc(fb);
    if (why.empty())
      kept.push_back(i);
    else
      result.excluded.push_back({j.id, j.line, why});
  }

  const intensity::IntensitySeries issued_marker;
  // The planner's view per error level and repetition, made once.
  std::map<std::pair<double, unsigned>, intensity::IntensitySeries> noisy;
  auto plan_series = [&](double error,
                         unsigned rep) -> const intensity::IntensitySeries& {
    // Issued forecasts: run() picks the issue per decision; `issued_marker`
    // only tells it to.
    if (error == 0 && o.issued) return issued_marker;
    if (error == 0) return o.forecast ? *o.forecast : actual;
    auto it = noisy.find({error, rep});
    if (it == noisy.end())
      it = noisy
               .emplace(std::pair{error, rep},
                        noisy_copy(actual, error, o.seed + rep))
               .first;
    return it->second;
  };

  // One setting, one repetition, on one planning series.
  auto run = [&](const ReplaySetting& s,
                 const intensity::IntensitySeries& plan_on, bool keep,
                 std::vector<JobOutcome>& outcomes) -> Result<ReplayTotals> {
    ReplayTotals t;
    double pct_sum = 0;
    for (size_t idx : kept) {
      const LoggedJob& j = log.jobs[idx];
      const double kw = j.power.watts() / 1e3;
      JobOutcome out;
      out.job = idx;
      const Window w = window_for(j, s, o);
      const double at_once = grams(actual, kw, j.submit, j.submit + j.duration);
      Plan p;
      p.segments = {Segment{j.submit, j.submit + j.duration, Duration(0)}};
      Policy policy = s.policy;
      if (w.deadline - w.open < j.duration) {  // reported under every policy
        out.feasible = false;
        policy = Policy::kAtOnce;
      }
      if (!j.interruptible &&
          (policy == Policy::kPauseResume || policy == Policy::kThreshold)) {
        out.fell_back = true;
        policy = Policy::kFlexibleStart;
      }
      // Pause and Resume on whole slots: the job rounded up for planning.
      Duration planned = j.duration;
      Duration slot{0};
      if (policy == Policy::kPauseResume) {
        slot = o.pause_slot;
        planned =
            slot * ((j.duration.count() + slot.count() - 1) / slot.count());
        if (w.deadline - w.open < planned) {
          out.fell_back = true;
          policy = Policy::kFlexibleStart;
          planned = j.duration;
        }
      }
      double overhead_kwh = 0;
      // The forecast as known at the decision (kept jobs have one).
      const intensity::IntensitySeries* known =
          &plan_on == &issued_marker
              ? forecast_as_known(*o.issued, j.submit, w.open, w.deadline)
              : nullptr;
      const intensity::IntensitySeries& view = known ? *known : plan_on;
      if (policy != Policy::kAtOnce) {
        auto job = Job::make(planned, PowerProfile::constant(j.power));
        if (!job)
          return make_error(log.name + ":" + std::to_string(j.line) + ": " +
                            job.error().message);
        Result<Plan> planned_plan = make_error("");
        if (policy == Policy::kFlexibleStart) {
          const auto cut = window_of(view, w.open, w.deadline);
          planned_plan = plan_flexible_start(
              cut, *job, {w.open, w.deadline - j.duration, std::nullopt});
        } else if (policy == Policy::kPauseResume) {
          const auto cut = window_of(view, w.open, w.deadline);
          PauseResumeOptions pr;
          pr.overhead = s.overhead;
          pr.min_pause = s.min_pause;
          pr.slot = slot;
          planned_plan = plan_pause_resume(cut, *job, w.open, w.deadline, pr);
          overhead_kwh = s.overhead.energy.kilowatt_hours();
        } else {  // threshold: observes the actual intensity, needs no forecast
          const auto cut =
              window_of(actual, w.open - s.threshold.lookback, w.deadline);
          auto r =
              simulate_threshold(cut, *job, w.open, w.deadline, s.threshold);
          if (r)
            planned_plan = r->plan;
          else
            planned_plan = make_error(r.error().message);
        }
        ++result.plans;
        if (!planned_plan)
          return make_error(log.name + ":" + std::to_string(j.line) + ": job " +
                            j.id + ": " + planned_plan.error().message);
        p = std::move(*planned_plan);
        // Give back what rounding the job up to whole slots added.
        Duration extra = planned - j.duration;
        while (extra.count() > 0 && !p.segments.empty()) {
          Segment& last = p.segments.back();
          const Duration cut =
              std::min(extra, last.end - last.start - last.restart);
          last.end -= cut;
          extra -= cut;
          if (last.end - last.start <= last.restart) p.segments.pop_back();
        }
      }
      p.mode = policy == Policy::kPauseResume ? Mode::kPauseResume
               : policy == Policy::kThreshold ? Mode::kThreshold
                                              : Mode::kFlexibleStart;
      p.emissions = Mass::grams(score(actual, p.segments, kw, overhead_kwh));
      p.baseline = Mass::grams(at_once);
      out.delay = p.end() - (j.submit + j.duration);
      ++t.jobs;
      t.infeasible += !out.feasible;
      t.fell_back += out.fell_back;
      t.emissions_g += p.emissions.grams();
      t.at_once_g += at_once;
      t.energy_kwh += kw * to_hours(j.duration);
      t.delay_h += to_hours(out.delay);
      t.pauses += static_cast<double>(p.pauses());
      pct_sum += p.saving_percent();
      out.plan = std::move(p);
      if (keep) outcomes.push_back(std::move(out));
    }
    t.mean_saving_percent = t.jobs ? pct_sum / static_cast<double>(t.jobs) : 0;
    return t;
  };

  for (const auto& s : o.settings) {
    SettingResult sr;
    sr.setting = s;
    const unsigned reps = s.error > 0 ? o.repeat : 1;
    std::vector<ReplayTotals> per_rep;
    for (unsigned r = 0; r < reps; ++r) {
      std::vector<JobOutcome> outcomes;
      auto t = run(s, plan_series(s.error, r), o.keep_jobs && r == 0, outcomes);
      if (!t) return std::unexpected(t.error());
      if (r == 0) sr.jobs = std::move(outcomes);
      per_rep.push_back(*t);
      if (s.error > 0) {
        sr.seeds.push_back(o.seed + r);
        sr.saving_by_seed.push_back(t->saving_percent());
      }
    }
    ReplayTotals& m = sr.totals;
    m = per_rep.front();
    if (reps > 1) {
      const double n = static_cast<double>(reps);
      m.emissions_g = m.delay_h = m.pauses = m.mean_saving_percent = 0;
      for (const auto& t : per_rep) {
        m.emissions_g += t.emissions_g / n;
        m.delay_h += t.delay_h / n;
        m.pauses += t.pauses / n;
        m.mean_saving_percent += t.mean_saving_percent / n;
      }
      const double mean = std::accumulate(sr.saving_by_seed.begin(),
                                          sr.saving_by_seed.end(), 0.0) /
                          n;
      double ss = 0;
      for (double x : sr.saving_by_seed) ss += (x - mean) * (x - mean);
      sr.saving_sd = std::sqrt(ss / (n - 1));
    }
    if ((s.error > 0 || o.forecast || o.issued) &&
        s.policy != Policy::kAtOnce && s.policy != Policy::kThreshold) {
      std::vector<JobOutcome> none;
      ReplaySetting perfect = s;
      perfect.error = 0;
      auto t = run(perfect, actual, false, none);
      if (!t) return std::unexpected(t.error());
      sr.perfect_saving = t->saving_percent();
    }
    result.settings.push_back(std::move(sr));
  }
  return result;
}

}  // namespace greenrun::scheduling
