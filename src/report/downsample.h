// Downsampling a long series for display: the span is cut into a fixed
// number of equal buckets and each bucket keeps its duration-weighted mean
// and its minimum and maximum (an envelope), so a 7-day trace sampled every
// second draws as ~1,500 points without hiding a spike. A series with no
// more samples than buckets keeps every sample (min = max = mean). Totals
// never come from here: callers sum the full data.
//
// Thread-safety: a value; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace greenrun::report {

struct EnvelopePoint {
  int64_t t_ms =
      0;  // the bucket's (or sample's) start, ms since the Unix epoch
  double mean = 0;
  double min = 0;
  double max = 0;
};

struct Sample {
  int64_t t_ms = 0;
  int64_t duration_ms = 0;
  double value = 0;
};

// REQUIRES: samples ordered by t_ms; buckets > 0. Empty buckets are left out
// (a gap stays a gap).
std::vector<EnvelopePoint> downsample(const std::vector<Sample>& samples,
                                      size_t buckets);

}  // namespace greenrun::report
