#include "report/downsample.h"

#include <algorithm>
#include <limits>

namespace greenrun::report {

std::vector<EnvelopePoint> downsample(const std::vector<Sample>& samples,
                                      size_t buckets) {
  std::vector<EnvelopePoint> out;
  if (samples.empty() || buckets == 0) return out;
  if (samples.size() <= buckets) {
    out.reserve(samples.size());
    for (const auto& s : samples)
      out.push_back({s.t_ms, s.value, s.value, s.value});
    return out;
  }
  const int64_t t0 = samples.front().t_ms;
  const int64_t t1 =
      samples.back().t_ms + std::max<int64_t>(1, samples.back().duration_ms);
  const double width =
      static_cast<double>(t1 - t0) / static_cast<double>(buckets);
  out.reserve(buckets);
  size_t current = std::numeric_limits<size_t>::max();
  double weighted = 0, weight = 0;
  auto flush = [&] {
    if (current == std::numeric_limits<size_t>::max()) return;
    out.back().mean = weight > 0 ? weighted / weight : out.back().min;
  };
  for (const auto& s : samples) {
    const auto b =
        std::min(buckets - 1,
                 static_cast<size_t>(static_cast<double>(s.t_ms - t0) / width));
    if (b != current) {
      flush();
      current = b;
      out.push_back({t0 + static_cast<int64_t>(static_cast<double>(b) * width),
                     0, s.value, s.value});
      weighted = weight = 0;
    }
    auto& p = out.back();
    p.min = std::min(p.min, s.value);
    p.max = std::max(p.max, s.value);
    const double w = static_cast<double>(std::max<int64_t>(1, s.duration_ms));
    weighted += s.value * w;
    weight += w;
  }
  flush();
  return out;
}

}  // namespace greenrun::report
