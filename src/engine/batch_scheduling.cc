// The engine's batch-job policy (include/greenrun/batch_scheduling.h):
// submit-time Flexible Start through engine::plan, and the agent's per-job
// decision on src/scheduling's planners.
#include "greenrun/batch_scheduling.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "engine/forecast_loader.h"
#include "engine/run_recording.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/scheduling/job.h"
#include "greenrun/scheduling/pause_resume.h"
#include "scheduling/flexible_start.h"

namespace greenrun::engine {

namespace {

std::string pct(double p) { return fmt::format("{:.1f} %", p); }

BatchStart at_once(UtcTime now, std::optional<UtcTime> deadline, std::string reason) {
  BatchStart b;
  b.flexible = false;
  b.now = b.begin = b.latest_start = now;
  b.deadline = deadline;
  b.reason = std::move(reason);
  return b;
}

}  // namespace

Result<BatchStart> plan_batch_start(const BatchStartRequest& req, const Services& services, Observer& observer) {
  if (req.zone.empty())
    return make_error(ErrorKind::kUsage, "--zone: expected the cluster's grid zone (or GREENRUN_ZONE, or zone in config.toml)");
  if (req.duration.count() <= 0)
    return make_error(ErrorKind::kUsage, "the job's duration must be positive (its --time or --expected-duration)");
  if (req.deadline && req.max_delay) return make_error(ErrorKind::kUsage, "give --deadline or --max-delay, not both");
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  const UtcTime now = req.from ? *req.from : clock.utc_now();
  if (!req.deadline && !req.max_delay)
    return at_once(now, std::nullopt,
                   "not flexible: no --deadline or --max-delay, so there is no window to move the start in; "
                   "submitted to start at once");
  const UtcTime deadline = req.deadline ? *req.deadline : now + req.duration + req.max_delay->of(req.duration);
  const Duration needed = std::max(req.duration, req.time_limit.value_or(Duration{0}));
  if (deadline - now < needed)
    return make_error(ErrorKind::kUsage, "cannot meet the deadline " + format_utc(deadline) + ": the job needs " +
                                             format_duration(needed) + " but only " +
                                             format_duration(std::max(Duration{0}, deadline - now)) + " remain");
  // The window the start may move in ends at the latest start (less the margin).
  const UtcTime latest_start = std::max(now, deadline - needed - req.start_margin);
  if (latest_start <= now)
    return at_once(now, deadline, "the deadline leaves no room to move the start; submitted to start at once");
  PlanRequest pr;
  pr.zones = {req.zone};
  pr.duration = req.duration;
  pr.power = req.power;
  pr.from = now;
  pr.deadline = latest_start + req.duration;
  pr.modes = {scheduling::Mode::kFlexibleStart};
  pr.forecast = req.forecast;
  auto planned = plan(pr, services, observer);
  if (!planned) {
    if (planned.error().kind == ErrorKind::kUsage) return std::unexpected(planned.error());
    // No forecast (unknown zone, nothing stored, a provider down): never
    // hold a job on nothing; it starts at once and says why.
    return at_once(now, deadline, "no forecast to plan on (" + planned.error().message + "); submitted to start at once");
  }
  BatchStart b;
  b.now = now;
  b.deadline = deadline;
  b.latest_start = latest_start;
  b.plan = planned->best();
  b.forecast_label = planned->locations[planned->best_location].forecast_label;
  if (b.plan->saving_percent() < req.min_saving_percent) {
    b.flexible = false;
    b.begin = now;
    b.reason = "the best start saves " + pct(b.plan->saving_percent()) + " (under " + pct(req.min_saving_percent) +
               "): submitted to start at once";
    return b;
  }
  b.flexible = true;
  b.begin = b.plan->start();
  b.reason = "Flexible Start on " + b.forecast_label + ": start " + format_utc(b.begin) + ", expected saving " +
             format_mass(b.plan->saving()) + " (" + pct(b.plan->saving_percent()) + ")";
  return b;
}

namespace {

// Pause and Resume of `work` over [now, end): slots of whole seconds that
// divide the work, a minute (forecasts step in whole minutes) and the offset
// of now into its minute, so slot edges fall on the forecast's.
Result<scheduling::Plan> plan_remaining(const intensity::IntensitySeries& forecast, Duration remaining, UtcTime now,
                                        UtcTime end) {
  const UtcTime earliest = std::chrono::floor<std::chrono::seconds>(now);
  const Duration work = std::chrono::ceil<std::chrono::seconds>(remaining);
  auto j = scheduling::Job::make(work, scheduling::PowerProfile::constant(Power::kilowatts(1)));
  if (!j) return std::unexpected(j.error());
  scheduling::PauseResumeOptions opts;
  const int64_t offset = std::chrono::duration_cast<std::chrono::seconds>(
                             earliest - std::chrono::floor<std::chrono::minutes>(earliest)).count();
  int64_t slot = std::gcd(std::chrono::duration_cast<std::chrono::seconds>(work).count(), int64_t{60});
  if (offset > 0) slot = std::gcd(slot, offset);
  opts.slot = std::chrono::seconds(slot);
  return scheduling::plan_pause_resume(forecast, *j, earliest, end, opts);
}

std::string at(UtcTime t) { return format_utc(std::chrono::floor<std::chrono::seconds>(t)); }

// A running checkpointing job (not yet signalled): the decision when its plan
// has a pause it can be requeued for; none when it has not (the caller then
// suspends it if interruptible, else lets it run), with `why_not` set.
std::optional<BatchDecision> checkpoint_decision(const BatchJob& job, const scheduling::Plan& plan, UtcTime now,
                                                 Duration remaining, const BatchPolicy& policy,
                                                 std::string& why_not) {
  const scheduling::Segment* seg = nullptr;
  const scheduling::Segment* next = nullptr;
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    if (plan.segments[i].end <= now) continue;
    seg = &plan.segments[i];
    if (i + 1 < plan.segments.size()) next = &plan.segments[i + 1];
    break;
  }
  if (seg == nullptr) return std::nullopt;
  // Paused now (its next segment is later), or paused at the end of this one.
  const bool paused_now = seg->start > now;
  const UtcTime pause_from = paused_now ? now : seg->end;
  if (!paused_now && next == nullptr) return std::nullopt;  // runs to its end
  const UtcTime restart = paused_now ? seg->start : next->start;
  if (restart - pause_from < policy.min_checkpoint_pause) {
    why_not = "pause " + format_duration(restart - pause_from) + " too short to requeue for";
    return std::nullopt;
  }
  if (!job.requeueable) {
    why_not = "Slurm may not requeue it (--no-requeue)";
    return std::nullopt;
  }
  // Even if the agent vanished right after the requeue, Slurm restarts the
  // job by itself requeue_delay later: that must still meet the deadline.
  const UtcTime latest_restart =
      *job.deadline - std::max(remaining, job.time_limit.value_or(Duration{0})) - policy.lead;
  const UtcTime requeue_at = std::max(now, pause_from - job.checkpoint_grace) + job.checkpoint_grace;
  if (requeue_at + policy.lead + policy.requeue_delay > latest_restart) {
    why_not = "too close to the deadline to requeue (Slurm alone would restart it at " +
              at(requeue_at + policy.requeue_delay) + ", latest restart " + at(latest_restart) + ")";
    return std::nullopt;
  }
  BatchDecision d;
  d.latest = latest_restart;
  d.start = restart;
  if (now + job.checkpoint_grace < pause_from) {
    d.reason = fmt::format("Pause and Resume: run until {}, then checkpoint and requeue (restart {})", at(pause_from),
                           at(restart));
    return d;
  }
  d.action = BatchAction::kCheckpoint;
  d.reason = fmt::format("Pause and Resume: checkpoint (requeue at {}), restart {} (latest restart {})",
                         at(now + job.checkpoint_grace), at(restart), at(latest_restart));
  return d;
}

}  // namespace

BatchDecision decide_batch_job(const BatchJob& job, const intensity::IntensitySeries* forecast, UtcTime now,
                               const BatchPolicy& policy) {
  BatchDecision d;
  if (job.state == BatchJobState::kOther) return d;
  const bool running = job.state == BatchJobState::kRunning;
  if (running && !job.interruptible && !job.checkpoint) return d;  // never touched once started
  const bool suspended = job.state == BatchJobState::kSuspended;
  if (suspended && !job.suspended_by_agent) return d;
  // A checkpointing run already told to save its state: requeued when its
  // grace is over (the deadline was checked when it was signalled).
  if (running && job.checkpoint && job.signalled) {
    const UtcTime due = *job.signalled + job.checkpoint_grace;
    if (now >= due) {
      d.action = BatchAction::kRequeue;
      d.reason = "checkpoint grace over: requeued";
    } else {
      d.reason = "checkpointing: requeued at " + at(due);
    }
    return d;
  }
  if (!job.deadline || job.duration.count() <= 0) {
    d.reason = !job.deadline ? "not flexible: no deadline" : "not flexible: no time limit or expected duration";
    if (suspended) {
      d.action = BatchAction::kResume;
      d.reason += "; resumed";
    }
    return d;  // a pending job without a window keeps its own start
  }
  const Duration remaining = std::max(Duration{std::chrono::seconds(1)}, job.duration - job.done);
  d.latest = *job.deadline - remaining - policy.lead;
  const auto run_now = [&](BatchAction a, std::string why) {
    d.action = a;
    d.start = now;
    d.reason = std::move(why);
    return d;
  };

  if (job.state == BatchJobState::kPending) {
    const UtcTime latest = std::max(now, *job.deadline - std::max(remaining, job.time_limit.value_or(Duration{0})) - policy.lead);
    UtcTime want = now;
    std::string why;
    if (now >= latest) {
      why = "latest start reached: start now";
    } else if (forecast == nullptr) {
      why = "no forecast for its zone: start now";
    } else if (job.checkpoint) {
      // It may be paused again later: it starts at the first segment of the
      // Pause and Resume plan of what remains.
      auto p = plan_remaining(*forecast, remaining, now, *job.deadline - policy.lead);
      if (p && !p->segments.empty()) {
        want = std::clamp(p->segments.front().start, now, latest);
        why = fmt::format("Pause and Resume: {} {} (latest {}; {} of work left)",
                          job.done.count() > 0 ? "restart" : "start", at(want), at(latest),
                          format_duration(remaining));
      } else {
        why = "cannot plan (" + (p ? std::string("no segment") : p.error().message) + "): start now";
      }
    } else {
      auto j = scheduling::Job::make(remaining, scheduling::PowerProfile::constant(Power::kilowatts(1)));
      auto p = j ? scheduling::plan_flexible_start(*forecast, *j, {now, latest, std::nullopt})
                 : Result<scheduling::Plan>(std::unexpected(j.error()));
      if (p) {
        want = std::clamp(p->start(), now, latest);
        why = fmt::format("Flexible Start: start {} (latest {})", at(want), format_utc(latest));
      } else {
        why = "cannot plan (" + p.error().message + "): start now";
      }
    }
    // job.start: its begin time while it waits for it; none: eligible now.
    const UtcTime current = std::max(job.start.value_or(now), now);
    const bool want_now = want <= now + policy.start_tolerance;
    const Duration diff = current > want ? current - want : want - current;
    if (want_now ? current > now + policy.start_tolerance : (diff >= policy.start_tolerance || current > latest)) {
      d.action = BatchAction::kSetStart;
      d.start = want_now ? now : want;
    }
    d.reason = why;
    return d;
  }

  // Running or suspended, pausable: Pause and Resume over what remains.
  const BatchAction go = suspended ? BatchAction::kResume : BatchAction::kNone;
  if (now >= d.latest) return run_now(go, "deadline guard: the remaining work needs every minute until the deadline");
  if (forecast == nullptr) return run_now(go, "no forecast for its zone: run");
  auto p = plan_remaining(*forecast, remaining, now, *job.deadline - policy.lead);
  if (!p) return run_now(go, "cannot plan (" + p.error().message + "): run");
  if (running && job.checkpoint) {
    std::string why_not;
    if (auto c = checkpoint_decision(job, *p, now, remaining, policy, why_not)) return *c;
    if (!job.interruptible)
      return run_now(BatchAction::kNone, why_not.empty() ? "Pause and Resume: run" : "runs on: " + why_not);
  }
  for (const auto& seg : p->segments) {
    if (seg.end <= now) continue;
    if (seg.start <= now || seg.start - now < policy.min_pause)
      return run_now(go, fmt::format("Pause and Resume: run until {}", format_utc(seg.end)));
    d.action = suspended ? BatchAction::kNone : BatchAction::kSuspend;
    d.start = seg.start;
    d.reason = fmt::format("Pause and Resume: paused until {} (latest resume {})", format_utc(seg.start),
                           format_utc(d.latest));
    return d;
  }
  return run_now(go, "Pause and Resume: no segment left; run");
}

Result<BatchForecast> load_batch_forecast(const std::string& zone, UtcTime from, UtcTime to,
                                          const ForecastChoice& forecast, const Services& services) {
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  auto f = load_forecast(ForecastQuery{zone, from, to, forecast.provider, std::nullopt}, services.store_path, services.env, clock,
                         services.http);
  if (!f) return std::unexpected(f.error());
  return BatchForecast{std::move(f->series), std::move(f->label)};
}

Result<BatchZone> locate_batch_zone(const std::optional<std::string>& zone, const Services& services) {
  auto where = locate_run(zone, std::nullopt, services.store_path);
  if (!where) return std::unexpected(where.error());
  BatchZone b;
  b.zone = where->zone;
  b.source = where->source;
  b.warning = where->warning;
  return b;
}

}  // namespace greenrun::engine
