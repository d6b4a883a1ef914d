// Predicting a training job's total duration and energy from its first
// epochs (what Carbontracker does after `epochs_before_pred`), with an
// interval and a one-line account of how it was computed. A pure function:
// the Tracker (greenrun/tracker.h) feeds it the epochs it measured, the
// Python module shows and records what it returns.
//
// The model (docs/python.md, "Prediction"):
//   1. A first epoch that stands out from the others (warm-up: compilation,
//      caches, data loading) is counted as measured but left out of the
//      per-epoch model, when at least 3 epochs are known and it lies more
//      than max(3 scaled MADs, 10 %) from the others' median.
//   2. The remaining epochs are predicted at the mean of the epochs kept
//      (so a slower validation epoch every k epochs is priced at its share
//      once the window holds one), and the interval is Student's t at 90 %
//      over the kept epochs' spread, for a sum of M further epochs whose
//      mean is itself estimated: mean x M +/- t x sd x sqrt(M + M^2 / n).
//   3. With a single kept epoch there is no spread to measure: the interval
//      is +/- 20 % per epoch, and the method says it is assumed.
// Carbontracker's own rule (mean of all first k epochs x N, no interval) is
// `naive_total` for comparison.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::engine {

struct EpochObservation {
  Duration duration{0};
  Energy energy;  // the job's attributed energy in the epoch
};

struct Range {
  double low = 0, mid = 0, high = 0;
};

struct EpochPrediction {
  size_t observed = 0;         // epochs measured so far
  size_t total = 0;            // epochs the job will run
  size_t warmup_excluded = 0;  // leading epochs left out of the per-epoch model
  Duration measured_duration{0};
  Energy measured_energy;
  Range duration_s;  // the whole job, seconds
  Range energy_j;    // the whole job, joules (the job's attributed energy)
  double confidence = 0.9;
  std::string method;  // one line: how it was computed
};

// REQUIRES nothing. Errors (kUsage): no epoch observed, total_epochs smaller
// than the epochs observed, a negative or non-finite figure.
[[nodiscard]] Result<EpochPrediction> predict_epochs(std::span<const EpochObservation> observed, size_t total_epochs);

// Carbontracker's rule, for comparison: the mean of every observed epoch x
// total_epochs (duration in seconds and energy in joules). REQUIRES: observed
// not empty.
Range naive_total(std::span<const EpochObservation> observed, size_t total_epochs, bool energy);

}  // namespace greenrun::engine
