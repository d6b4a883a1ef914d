// Flexible Start (Dodge et al. 2022): start the job at the time in
// [earliest, latest] that minimises its emissions under the forecast; once
// started it runs to completion.
//
// Candidates: without a step, every start where the job's emissions (a
// piecewise-linear function of its start) can bend — where the job's start
// or one of its power intervals' ends meets a boundary of the forecast —
// plus earliest and latest, so the result is the exact optimum over all
// starts, on the data's own grid. With a step, earliest + k x step. Ties go
// to the earliest candidate. One pass
// with monotone cursors over the series: O(n + c x m) for n forecast points, c
// candidates and m power-profile intervals (m = 1 for constant power), exact
// under the piecewise-constant, time-weighted semantics.
//
// Thread-safety: pure function.
#pragma once

#include <optional>

#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/job.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::scheduling {

struct FlexibleStartRequest {
  UtcTime earliest;
  UtcTime latest;               // latest allowed start (inclusive)
  std::optional<Duration> step;  // candidate spacing; none: aligned to the forecast (exact)
};

// Errors (one line): latest before earliest; step <= 0; the forecast does
// not cover [earliest, latest + duration) (the message names the first
// missing instant).
[[nodiscard]] Result<Plan> plan_flexible_start(const intensity::IntensitySeries& forecast,
                                               const Job& job, const FlexibleStartRequest& request);

// Emissions of the job started at `start` (exact; no coverage check).
Mass emissions_at(const intensity::IntensitySeries& forecast, const Job& job, UtcTime start);

}  // namespace greenrun::scheduling
