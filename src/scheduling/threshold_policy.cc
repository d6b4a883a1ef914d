#include "greenrun/scheduling/threshold_policy.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "scheduling/flexible_start.h"
#include "scheduling/forecast_integral.h"

namespace greenrun::scheduling {

Result<ThresholdPolicy> ThresholdPolicy::make(const ThresholdOptions& o, Duration work,
                                              UtcTime deadline) {
  if (o.absolute.has_value() == o.percentile.has_value())
    return make_error("expected exactly one threshold: an absolute intensity or a percentile");
  if (o.percentile && !(*o.percentile >= 0 && *o.percentile <= 100))
    return make_error("expected a percentile between 0 and 100");
  if (o.lookback.count() <= 0 || o.decision_interval.count() <= 0)
    return make_error("expected a positive look-back and decision interval");
  if (work.count() <= 0) return make_error("expected a positive amount of work");
  return ThresholdPolicy(o, work, deadline);
}

Decision ThresholdPolicy::decide(UtcTime now, CarbonIntensity observed, Duration work_done) {
  guard_ = false;
  const double value = observed.grams_per_kwh();
  history_.emplace_back(now, value);
  if (options_.percentile) sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), value), value);
  while (!history_.empty() && history_.front().first <= now - options_.lookback) {
    if (options_.percentile) {
      // Every value in history_ is in sorted_ (the same double), so this finds it.
      sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), history_.front().second));
    }
    history_.pop_front();
  }
  const Duration left = work_ - work_done;
  if (left.count() <= 0) return Decision::kPause;
  if (options_.absolute) {
    threshold_ = options_.absolute->grams_per_kwh();
  } else {
    // Nearest-rank percentile over the look-back window (the current
    // observation included).
    const size_t rank = static_cast<size_t>(
        std::ceil(*options_.percentile / 100.0 * static_cast<double>(sorted_.size())));
    threshold_ = sorted_[rank == 0 ? 0 : rank - 1];
  }
  // The guard: idling one more interval must still leave time for the work.
  if (deadline_ - now - options_.decision_interval < left) {
    guard_ = true;
    return Decision::kRun;
  }
  return observed.grams_per_kwh() <= threshold_ ? Decision::kRun : Decision::kPause;
}

Result<ThresholdRun> simulate_threshold(const intensity::IntensitySeries& series, const Job& job,
                                        UtcTime earliest, UtcTime deadline,
                                        const ThresholdOptions& options) {
  if (deadline - earliest < job.duration())
    return make_error("cannot meet the deadline: the job needs " + format_duration(job.duration()) +
                      " but only " + format_duration(std::max(deadline - earliest, Duration(0))) +
                      " remain before " + format_utc(deadline));
  auto policy = ThresholdPolicy::make(options, job.duration(), deadline);
  if (!policy) return make_error(policy.error().message);
  const ForecastIntegral f(series);
  if (auto ok = f.require_covered(earliest, deadline); !ok) return make_error(ok.error().message);
  if (options.percentile) {
    // Warm the history with what was observable before the start.
    for (UtcTime t = earliest - options.lookback + options.decision_interval; t < earliest;
         t += options.decision_interval)
      if (auto v = series.at(t)) (void)policy->decide(t, *v, Duration(0));
  }
  ThresholdRun out;
  out.plan.mode = Mode::kThreshold;
  Duration done{0};
  const double kw = job.power().mean_power().watts() / 1e3;
  double grams = 0;
  for (UtcTime t = earliest; done < job.duration() && t < deadline; t += options.decision_interval) {
    const CarbonIntensity obs = *series.at(t);
    if (policy->decide(t, obs, done) != Decision::kRun) continue;
    if (policy->guard_active()) ++out.guard_steps;
    const Duration run = std::min(options.decision_interval, job.duration() - done);
    const UtcTime end = std::min(t + run, deadline);
    done += end - t;
    grams += grams_from_integral(kw, series.integrate(t, end).g_per_kwh_ms);
    if (!out.plan.segments.empty() && out.plan.segments.back().end == t)
      out.plan.segments.back().end = end;
    else
      out.plan.segments.push_back(Segment{t, end, Duration(0)});
  }
  if (done < job.duration())
    return make_error("threshold policy could not finish before " + format_utc(deadline));
  out.plan.emissions = Mass::grams(grams);
  out.plan.baseline = emissions_at(series, job, earliest);
  return out;
}

}  // namespace greenrun::scheduling
