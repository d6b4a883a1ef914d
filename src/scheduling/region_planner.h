// Region and time: the same job planned in several grid zones (or cloud
// regions, each resolved to its zone by the caller) over the same window;
// the best plan overall and each candidate's own result, side by side.
// The published studies find the region to be the largest lever, so every
// candidate is reported, not only the winner.
//
// Thread-safety: pure function; the series must outlive the call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/job.h"
#include "greenrun/scheduling/pause_resume.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::scheduling {

struct RegionCandidate {
  std::string label;  // "DE" or "azure:westeurope"
  const intensity::IntensitySeries* forecast = nullptr;
};

struct RegionRequest {
  UtcTime earliest;
  UtcTime deadline;  // the job must end by then (Flexible: latest start = deadline - duration)
  std::vector<Mode> modes;  // kFlexibleStart and/or kPauseResume
  PauseResumeOptions pause_resume;
  std::optional<Duration> step;  // Flexible Start candidate spacing
};

struct RegionResult {
  std::string label;
  std::vector<Plan> plans;           // one per requested mode that succeeded
  std::optional<std::string> error;  // why this candidate has no plan
};

struct RegionChoice {
  std::vector<RegionResult> regions;  // in the order given
  size_t best_region = 0;             // index into regions
  size_t best_plan = 0;               // index into regions[best_region].plans
};

// Errors: no candidates; no modes; no candidate produced a plan (the message
// gives the first candidate's error).
[[nodiscard]] Result<RegionChoice> plan_regions(const std::vector<RegionCandidate>& candidates,
                                                const Job& job, const RegionRequest& request);

// One mode in one zone (the building block of plan_regions).
[[nodiscard]] Result<Plan> plan_mode(const intensity::IntensitySeries& forecast, const Job& job,
                                     Mode mode, const RegionRequest& request);

}  // namespace greenrun::scheduling
