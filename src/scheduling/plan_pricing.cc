#include "scheduling/plan_pricing.h"

#include "scheduling/forecast_integral.h"

namespace greenrun::scheduling {

double segments_grams(const intensity::IntensitySeries& series, const std::vector<Segment>& segments, double kw,
                      double pause_kwh) {
  double g = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    g += grams_from_integral(kw, series.integrate(segments[i].start, segments[i].end).g_per_kwh_ms);
    if (i > 0 && pause_kwh > 0)
      if (auto v = series.at(segments[i].start)) g += pause_kwh * v->grams_per_kwh();
  }
  return g;
}

}  // namespace greenrun::scheduling
