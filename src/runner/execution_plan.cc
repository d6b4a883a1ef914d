#include "runner/execution_plan.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/scheduling/pause_resume.h"
#include "scheduling/flexible_start.h"

namespace greenrun::runner {
namespace {

using scheduling::Mode;

constexpr UtcTime kFar = UtcTime::max();

Duration round_up(Duration d, Duration step) {
  if (step.count() <= 0) return d;
  return Duration((d.count() + step.count() - 1) / step.count() * step.count());
}

std::string fmt_threshold(double observed, double threshold, bool run) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "intensity %.0f g/kWh, threshold %.0f: %s", observed, threshold,
                run ? "running" : "paused");
  return buf;
}

// The instant the plan's slots begin (its first segment cannot be earlier).
UtcTime r_min(const scheduling::Plan& p, UtcTime aligned, UtcTime now) {
  if (p.segments.empty()) return now;
  return std::min(p.start(), aligned);
}

}  // namespace

Result<ExecutionSchedule> ExecutionSchedule::make(const ScheduleRequest& request,
                                                  intensity::IntensitySeries forecast) {
  if (request.expected.count() <= 0) return make_error("expected a positive expected duration");
  if (request.margin.count() < 0) return make_error("expected a non-negative deadline margin");
  ExecutionSchedule s(request, std::move(forecast));
  if (request.mode == Mode::kThreshold) {
    if (!request.threshold) return make_error("threshold mode needs a threshold");
    if (request.deadline - request.earliest < request.expected + request.margin)
      return make_error("cannot meet the deadline: the job needs " + format_duration(request.expected) +
                        " but only " + format_duration(request.deadline - request.earliest) + " remain before " +
                        format_utc(request.deadline));
    auto p = scheduling::ThresholdPolicy::make(*request.threshold, request.expected,
                                               request.deadline - request.margin);
    if (!p) return make_error(p.error().message);
    s.policy_ = std::move(*p);
    // Warm the percentile history with what was observable before the start.
    const auto& o = *request.threshold;
    for (UtcTime t = request.earliest - o.lookback + o.decision_interval; t < request.earliest;
         t += o.decision_interval)
      if (auto v = s.forecast_.at(t)) (void)s.policy_->decide(t, *v, Duration(0));
    s.initial_.mode = Mode::kThreshold;
    s.plan_ = s.initial_;
    s.plan_time_ = request.earliest;
    return s;
  }
  auto plan = s.make_plan(s.forecast_, request.earliest, Duration(0));
  if (!plan) return make_error(plan.error().message);
  s.initial_ = *plan;
  s.plan_ = std::move(*plan);
  s.plan_time_ = request.earliest;
  s.plan_from_ = r_min(s.plan_, s.plan_start(request.earliest), request.earliest);
  return s;
}

Result<scheduling::Plan> ExecutionSchedule::make_plan(const intensity::IntensitySeries& f, UtcTime now,
                                                      Duration work_done) const {
  const ScheduleRequest& r = request_;
  if (r.mode == Mode::kFlexibleStart) {
    if (now > r.latest_start) return make_error("past the latest start " + format_utc(r.latest_start));
    auto job = scheduling::Job::make(r.expected, scheduling::PowerProfile::constant(r.power));
    if (!job) return make_error(job.error().message);
    auto p = scheduling::plan_flexible_start(f, *job, {now, r.latest_start, std::nullopt});
    if (p && p->start() > now && p->saving_percent() < r.min_saving_percent) {
      held_back_ = p->saving_percent();
      return scheduling::plan_flexible_start(f, *job, {now, now, std::nullopt});
    }
    return p;
  }
  const Duration left = r.expected - work_done;
  if (left.count() <= 0) return make_error("no work left to plan");
  const UtcTime end = r.deadline - r.margin;
  // Plan from the next whole `resolution` so that slots line up with the
  // forecast's points (a plan from 10:17:23.456 would cut every hour in two).
  UtcTime from = plan_start(now);
  Duration work = round_up(left, r.resolution);
  if (from + work > end) {  // rounding must not make a feasible plan infeasible
    from = now;
    work = left;
  }
  auto job = scheduling::Job::make(work, scheduling::PowerProfile::constant(r.power));
  if (!job) return make_error(job.error().message);
  scheduling::PauseResumeOptions o;
  o.min_segment = std::min(r.min_segment, work);
  o.min_pause = r.min_pause;
  if (auto i = f.index_at(from)) {
    const auto p = f.point(*i);
    const int64_t off = (from - p.start).count() % p.duration.count();
    o.slot = Duration(off == 0 ? p.duration.count() : std::gcd(p.duration.count(), off));
  }
  auto p = scheduling::plan_pause_resume(f, *job, from, end, o);
  if (p && (p->start() > from || p->pauses() > 0) && p->saving_percent() < r.min_saving_percent) {
    held_back_ = p->saving_percent();
    return scheduling::plan_pause_resume(f, *job, from, from + work, o);
  }
  return p;
}

UtcTime ExecutionSchedule::plan_start(UtcTime now) const {
  const UtcTime aligned = UtcTime(round_up(now.time_since_epoch(), request_.resolution));
  return aligned;
}

Status ExecutionSchedule::replan(UtcTime now, Duration work_done) {
  auto p = make_plan(forecast_, now, work_done);
  if (!p) return make_error(p.error().message);
  plan_ = std::move(*p);
  plan_time_ = now;
  plan_from_ = r_min(plan_, plan_start(now), now);
  plan_work0_ = work_done;
  ++replans_;
  return {};
}

Status ExecutionSchedule::update_forecast(intensity::IntensitySeries forecast, UtcTime now, Duration work_done) {
  if (request_.mode == Mode::kThreshold) {
    forecast_ = std::move(forecast);
    return {};
  }
  if (request_.mode == Mode::kFlexibleStart && work_done.count() > 0) {
    forecast_ = std::move(forecast);  // already started: nothing to re-plan
    return {};
  }
  auto p = make_plan(forecast, now, work_done);
  if (!p) return make_error("new forecast not used: " + p.error().message);
  forecast_ = std::move(forecast);
  plan_ = std::move(*p);
  plan_time_ = now;
  plan_from_ = r_min(plan_, plan_start(now), now);
  plan_work0_ = work_done;
  ++replans_;
  return {};
}

void ExecutionSchedule::force_run_to_end(std::string why) { forced_ = std::move(why); }

UtcTime ExecutionSchedule::guard_instant(Duration work_done) const {
  if (request_.mode == Mode::kFlexibleStart) return request_.latest_start;
  return request_.deadline - request_.margin - std::max(Duration(0), request_.expected - work_done);
}

Duration ExecutionSchedule::planned_work_at(UtcTime t) const {
  Duration w = plan_work0_;
  for (const auto& s : plan_.segments) {
    const UtcTime a = std::max(s.start, plan_time_);
    const UtcTime b = std::min(s.end, t);
    if (b > a) w += b - a;
  }
  return w;
}

ScheduleDecision ExecutionSchedule::decide(UtcTime now, Duration work_done, bool started) {
  ScheduleDecision d = decide_plan(now, work_done, started);
  // Rule 5: a job that has been running does not pause before it has done
  // `min_segment` of work since it last started or resumed, whatever a
  // re-plan says (a restarted checkpoint job needs that long before it can
  // take the checkpoint signal). Running longer never endangers the deadline.
  const Duration in_segment = work_done - segment_work0_;
  if (!d.run && running_ && started && request_.min_segment.count() > 0 && in_segment < request_.min_segment) {
    const Duration rest = request_.min_segment - in_segment;
    d = {true, std::min(d.recheck, now + rest), false,
         "minimum segment: running " + format_duration(rest) + " more before a pause"};
  }
  // Rule 6: a paused job stays paused for at least `min_pause`, unless the
  // deadline guard (or rules 1-2) says run.
  if (d.run && !running_ && started && !d.guard && paused_at_ && request_.min_pause.count() > 0 &&
      now < *paused_at_ + request_.min_pause) {
    const UtcTime until = std::min(*paused_at_ + request_.min_pause, guard_instant(work_done));
    if (now < until)
      d = {false, until, false, "minimum pause: paused until " + format_utc(until)};
  }
  if (d.run && !running_) segment_work0_ = work_done;
  if (!d.run && running_) paused_at_ = now;
  running_ = d.run;
  return d;
}

ScheduleDecision ExecutionSchedule::decide_plan(UtcTime now, Duration work_done, bool started) {
  const ScheduleRequest& r = request_;
  if (forced_) return {true, kFar, true, *forced_};
  if (r.mode == Mode::kFlexibleStart && started)
    return {true, kFar, false, "started: a Flexible Start job runs to the end"};
  const Duration left = r.expected - work_done;
  if (left.count() <= 0)
    return {true, kFar, true, "past its expected duration: running to the end"};
  const UtcTime guard = guard_instant(work_done);
  if (now >= guard)
    return {true, kFar, true,
            r.mode == Mode::kFlexibleStart
                ? "latest start " + format_utc(r.latest_start) + " reached: running to the end"
                : "deadline guard: " + format_duration(left) + " of work left and " +
                      format_duration(r.deadline - now) + " to the deadline " + format_utc(r.deadline) +
                      ": running to the end"};

  if (r.mode == Mode::kFlexibleStart) {
    const UtcTime start = plan_.start();
    if (now >= start) return {true, kFar, false, "planned start " + format_utc(start)};
    return {false, std::min(start, guard), false, "waiting for the planned start " + format_utc(start)};
  }

  if (r.mode == Mode::kThreshold) {
    const Duration tick = r.threshold->decision_interval;
    auto observed = forecast_.at(now);
    if (!observed) return {true, now + tick, false, "no intensity data for now: running"};
    const bool run = policy_->decide(now, *observed, work_done) == scheduling::Decision::kRun;
    const std::string why = fmt_threshold(observed->grams_per_kwh(), policy_->current_threshold(), run);
    return {run, run ? now + tick : std::min(now + tick, guard), policy_->guard_active(), why};
  }

  // Pause and Resume: re-plan when progress has drifted from the plan.
  const Duration drift = work_done - planned_work_at(now);
  if (drift > r.drift_tolerance || drift < -r.drift_tolerance) {
    if (auto s = replan(now, work_done); !s)
      return {true, now + r.resolution, true, "cannot re-plan (" + s.error().message + "): running"};
  }
  // Between a re-plan and the aligned start of its slots, keep doing what
  // was being done (at most one `resolution`).
  if (now < plan_from_) return {last_run_, plan_from_, false, "re-planned from " + format_utc(plan_from_)};
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (const auto& s : plan_.segments) {
      if (now < s.start) {
        last_run_ = false;
        return {false, std::min(s.start, guard), false, "paused until " + format_utc(s.start)};
      }
      if (now < s.end) {
        last_run_ = true;
        return {true, s.end, false, "running until " + format_utc(s.end)};
      }
    }
    // The plan is used up but work is left (the job ran slower): re-plan.
    if (auto s = replan(now, work_done); !s)
      return {true, now + r.resolution, true, "cannot re-plan (" + s.error().message + "): running"};
  }
  return {true, now + r.resolution, true, "the plan has no segment left: running"};
}

}  // namespace greenrun::runner
