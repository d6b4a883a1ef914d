// ExecutionSchedule: decides, at any instant of a carbon-aware run, whether
// the job should run or wait, and when to ask again. It wraps the planners of
// src/scheduling (Flexible Start, Pause and Resume, the threshold policy),
// re-plans when the forecast changes or the job's progress drifts from the
// plan, and enforces the hard deadline.
//
// Work is measured as run time: a job that has run for w of its expected E
// has E - w left. The rules, in order (docs/execution.md):
//  1. A Flexible Start job, once started, runs to the end.
//  2. A job past its expected duration runs to the end (its remaining work is
//     unknown; pausing it could only make it later).
//  3. Deadline guard: once deadline - now <= work left + margin, run to the
//     end whatever the intensity.
//  4. Otherwise follow the current plan (or the threshold policy). The plan is
//     made against `deadline - margin`, so the guard and the plan agree and a
//     perfect forecast is executed exactly as planned.
//  5. A running job is not paused before it has done `min_segment` of work
//     since it last started or resumed, even when a re-plan (new forecast,
//     drift) or the threshold policy says pause.
//  6. A paused job is not resumed before it has been paused `min_pause`,
//     unless the deadline guard says run; plans are made with the same
//     minimum, so this only holds back a re-plan's or the threshold's
//     short pause.
// Every decision names the next instant at which the answer may change (a
// plan switch, the guard instant, the next threshold tick); the caller must
// call decide() again no later than that.
//
// Thread-safety: a mutable object for one thread. No I/O, no clock: time is
// passed in, so tests drive it with any clock.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/plan.h"
#include "greenrun/scheduling/threshold_policy.h"

namespace greenrun::runner {

struct ScheduleRequest {
  scheduling::Mode mode = scheduling::Mode::kPauseResume;
  UtcTime earliest{};   // when the run began
  Duration expected{0};  // expected run time of the whole job
  // Flexible Start: the latest start (the job then ends about latest_start +
  // expected). Pause and Resume, threshold: the hard deadline for the end.
  UtcTime latest_start{};
  UtcTime deadline{};
  Duration margin{0};  // kept free before the deadline (resume latency)
  std::optional<scheduling::ThresholdOptions> threshold;  // mode kThreshold
  // Nominal power for the planners' expected emissions (plans do not depend
  // on it when the power is constant).
  Power power = Power::watts(100);
  // Remaining work is rounded up to this for re-plans (keeps the slot count
  // small; rounding up only makes the plan earlier, never late).
  Duration resolution = std::chrono::minutes(1);
  // Least work per run segment (Pause and Resume). Checkpoint mode needs
  // one: a job signalled before it has installed its handler dies of it.
  Duration min_segment{0};
  // No pause shorter than this (Pause and Resume, threshold); 0: any.
  Duration min_pause{0};
  // Re-plan when actual work done differs from the plan's by more than this.
  Duration drift_tolerance = std::chrono::seconds(1);
  // A plan (initial or re-plan) that would wait or pause for less than this
  // saving against running straight on from now (percent) is replaced by
  // running straight on: waiting hours for 0.1 % is not worth it.
  double min_saving_percent = 0;
};

struct ScheduleDecision {
  bool run = false;
  UtcTime recheck{};   // ask again no later than this
  bool guard = false;  // forced by the deadline guard or rule 1-2
  std::string why;     // one line for the log and the record
};

class ExecutionSchedule {
 public:
  // Plans on `forecast`. Errors (one line): expected <= 0; a deadline that
  // cannot be met ("cannot meet the deadline: ..."); a window the forecast
  // does not cover; invalid threshold options.
  [[nodiscard]] static Result<ExecutionSchedule> make(const ScheduleRequest& request,
                                                      intensity::IntensitySeries forecast);

  // The decision at `now` with `work_done` of run time behind the job;
  // `started` says whether the job has ever run.
  ScheduleDecision decide(UtcTime now, Duration work_done, bool started);

  // Replaces the forecast and re-plans from `now`. A forecast that cannot be
  // planned on is kept out (the old one stays) and the error returned.
  [[nodiscard]] Status update_forecast(intensity::IntensitySeries forecast, UtcTime now,
                                       Duration work_done);

  // After a job refused to pause (checkpoint ignored): run to the end.
  void force_run_to_end(std::string why);

  const ScheduleRequest& request() const { return request_; }
  const intensity::IntensitySeries& forecast() const { return forecast_; }
  const scheduling::Plan& initial_plan() const { return initial_; }
  const scheduling::Plan& plan() const { return plan_; }
  size_t replans() const { return replans_; }
  // The saving (percent) of the last plan that min_saving_percent held back
  // (the job ran straight on instead); none when no plan was held back.
  std::optional<double> held_back_saving() const { return held_back_; }
  // The latest instant at which the job must be running to meet the
  // deadline with `work_done` behind it (deadline - left - margin).
  UtcTime guard_instant(Duration work_done) const;

 private:
  ExecutionSchedule(const ScheduleRequest& r, intensity::IntensitySeries f)
      : request_(r), forecast_(std::move(f)) {}
  [[nodiscard]] Result<scheduling::Plan> make_plan(const intensity::IntensitySeries& f, UtcTime now,
                                                   Duration work_done) const;
  [[nodiscard]] Status replan(UtcTime now, Duration work_done);
  // Rules 1-4; decide() adds rule 5 (the minimum segment).
  ScheduleDecision decide_plan(UtcTime now, Duration work_done, bool started);
  // Work the current plan expects done by `t` (plan_work0_ at plan_time_).
  Duration planned_work_at(UtcTime t) const;
  UtcTime plan_start(UtcTime now) const;

  ScheduleRequest request_;
  intensity::IntensitySeries forecast_;
  scheduling::Plan initial_;
  scheduling::Plan plan_;
  UtcTime plan_time_{};
  UtcTime plan_from_{};  // a re-plan's slots begin here (aligned to `resolution`)
  bool last_run_ = false;
  bool running_ = false;          // the last decision was to run
  Duration segment_work0_{0};     // work done when the job last started or resumed
  std::optional<UtcTime> paused_at_;  // when the running job was last paused
  Duration plan_work0_{0};
  std::optional<scheduling::ThresholdPolicy> policy_;
  std::optional<std::string> forced_;
  size_t replans_ = 0;
  mutable std::optional<double> held_back_;
};

}  // namespace greenrun::runner
