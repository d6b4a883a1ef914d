#include "scheduling/region_planner.h"

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "scheduling/flexible_start.h"

namespace greenrun::scheduling {

Result<Plan> plan_mode(const intensity::IntensitySeries& forecast, const Job& job, Mode mode,
                       const RegionRequest& request) {
  if (request.deadline - request.earliest < job.duration())
    return make_error("cannot meet the deadline: the job needs " + format_duration(job.duration()) +
                      " but only " +
                      format_duration(std::max(request.deadline - request.earliest, Duration(0))) +
                      " remain between " + format_utc(request.earliest) + " and " +
                      format_utc(request.deadline));
  switch (mode) {
    case Mode::kFlexibleStart:
      return plan_flexible_start(
          forecast, job,
          FlexibleStartRequest{request.earliest, request.deadline - job.duration(), request.step});
    case Mode::kPauseResume:
      return plan_pause_resume(forecast, job, request.earliest, request.deadline,
                               request.pause_resume);
    case Mode::kThreshold:
      break;
  }
  return make_error("mode " + std::string(to_string(mode)) + " needs no forecast; use simulate_threshold");
}

Result<RegionChoice> plan_regions(const std::vector<RegionCandidate>& candidates, const Job& job,
                                  const RegionRequest& request) {
  if (candidates.empty()) return make_error("expected at least one zone or region");
  if (request.modes.empty()) return make_error("expected at least one mode");
  RegionChoice out;
  bool found = false;
  double best = 0;
  for (size_t r = 0; r < candidates.size(); ++r) {
    RegionResult res;
    res.label = candidates[r].label;
    for (Mode m : request.modes) {
      auto plan = plan_mode(*candidates[r].forecast, job, m, request);
      if (!plan) {
        res.error = candidates[r].label + ": " + plan.error().message;
        res.plans.clear();
        break;
      }
      res.plans.push_back(std::move(*plan));
    }
    for (size_t p = 0; p < res.plans.size(); ++p)
      if (!found || res.plans[p].emissions.grams() < best) {
        found = true;
        best = res.plans[p].emissions.grams();
        out.best_region = r;
        out.best_plan = p;
      }
    out.regions.push_back(std::move(res));
  }
  if (!found) return make_error(*out.regions.front().error);
  return out;
}

}  // namespace greenrun::scheduling
