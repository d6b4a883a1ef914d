// Emissions of a run from its timeline: for each interval, the job's energy
// x PUE x the intensity over that interval (time-weighted over the points it
// overlaps), so a run that spans an hour boundary uses both hours. Intervals
// the series does not cover use `fallback` when given (and lower
// `coverage`), else they are left out and coverage says how much is missing.
//
// To be replaced by the accounting part's emissions functions once merged.
//
// Thread-safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "intensity/intensity_series.h"
#include "runner/run_record.h"
#include "runner/timeline_writer.h"

namespace greenrun::runner {

struct Fallback {
  CarbonIntensity value;
  std::string source;
};

// `series` may be null (no data): then only the fallback is used.
EmissionsFigure emissions_over(const std::vector<IntervalRecord>& intervals, double pue,
                               const intensity::IntensitySeries* series, const std::optional<Fallback>& fallback,
                               std::string signal);

}  // namespace greenrun::runner
