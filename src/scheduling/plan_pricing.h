// What a plan's segments emit on a given intensity series: how `simulate
// --jobs` pays a plan made on a forecast with the actuals, and how `plan`
// reports its plans on stored actual data beside the forecast it planned on.
//
// Thread-safety: pure.
#pragma once

#include <vector>

#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::scheduling {

// Grams of CO2e: `kw` kilowatts over each segment (restarts included) plus
// `pause_kwh` for each pause at the intensity where the resumed segment
// begins. Points missing from the series count as zero: callers check
// coverage first (IntensitySeries::covers).
double segments_grams(const intensity::IntensitySeries& series, const std::vector<Segment>& segments, double kw,
                      double pause_kwh);

}  // namespace greenrun::scheduling
