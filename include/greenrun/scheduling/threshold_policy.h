// Threshold policy (forecast-free): run while the observed intensity is at or
// below a threshold — an absolute value, or a percentile of the intensities
// observed over a look-back period — with the deadline guard: once idling for
// one more decision interval would leave less time than work, run
// regardless. It needs no forecast, so a live executor can call decide() at
// each tick; simulate_threshold() replays it over a series.
//
// Thread-safety: a ThresholdPolicy is a mutable object for one thread.
// simulate_threshold is a pure function.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/job.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::scheduling {

struct ThresholdOptions {
  // Exactly one of these.
  std::optional<CarbonIntensity> absolute;
  std::optional<double> percentile;  // 0..100 of the observations in `lookback`
  Duration lookback = std::chrono::hours(24);
  // How often decide() is called (the executor's tick); the deadline guard
  // runs the job when idling one more interval would miss the deadline.
  Duration decision_interval = std::chrono::minutes(5);
};

enum class Decision { kRun, kPause };

class ThresholdPolicy {
 public:
  // Errors: neither or both thresholds; percentile outside 0..100;
  // non-positive lookback or decision interval; work <= 0.
  [[nodiscard]] static Result<ThresholdPolicy> make(const ThresholdOptions& options, Duration work,
                                                    UtcTime deadline);

  // Records the observation, then decides. `work_done` is the work completed
  // so far. Returns kPause once no work is left.
  Decision decide(UtcTime now, CarbonIntensity observed, Duration work_done);

  // The threshold in force after the last decide() (g/kWh).
  double current_threshold() const { return threshold_; }
  // True when the last kRun came from the deadline guard.
  bool guard_active() const { return guard_; }

 private:
  ThresholdPolicy(const ThresholdOptions& o, Duration work, UtcTime deadline)
      : options_(o), work_(work), deadline_(deadline) {}
  ThresholdOptions options_;
  Duration work_;
  UtcTime deadline_;
  std::deque<std::pair<UtcTime, double>> history_;
  // The values of history_, kept sorted (a sliding order statistic: one
  // binary search and one move per observation in and out, instead of a copy
  // and a selection per decision).
  std::vector<double> sorted_;
  double threshold_ = 0;
  bool guard_ = false;
};

struct ThresholdRun {
  Plan plan;            // segments actually run; mode kThreshold
  size_t guard_steps = 0;  // decision intervals forced by the deadline guard
};

// Replays the policy over `series` from `earliest`, one decision per
// options.decision_interval using the intensity observed at that instant;
// the percentile history is fed from `earliest - lookback` when the series
// has data there. Emissions are exact over the run segments (mean power).
// Errors: as ThresholdPolicy::make; deadline - earliest < duration; the
// series not covering [earliest, deadline).
[[nodiscard]] Result<ThresholdRun> simulate_threshold(const intensity::IntensitySeries& series,
                                                      const Job& job, UtcTime earliest,
                                                      UtcTime deadline,
                                                      const ThresholdOptions& options);

}  // namespace greenrun::scheduling
