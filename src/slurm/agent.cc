#include "slurm/agent.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "greenrun/base/time_format.h"
#include "slurm/opt_in.h"

namespace greenrun::slurm {

namespace {

engine::BatchJobState state_of(const std::string& s) {
  if (s == "PENDING") return engine::BatchJobState::kPending;
  if (s == "RUNNING") return engine::BatchJobState::kRunning;
  if (s == "SUSPENDED") return engine::BatchJobState::kSuspended;
  return engine::BatchJobState::kOther;
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

Agent::Agent(AgentOptions options, SlurmClient& slurm, engine::Services services, AgentLog log,
             AgentWatchdog* watchdog)
    : options_(std::move(options)), slurm_(slurm), services_(std::move(services)), log_(std::move(log)),
      watchdog_(watchdog) {
  // Decisions are acted on up to one interval (and a margin for the pass
  // itself) late: latest resumes are brought forward by that much.
  policy_.lead = options_.interval + std::chrono::seconds(2);
  policy_.requeue_delay = options_.requeue_delay;
}

void Agent::note(const std::string& id, const std::string& kind, const std::string& line) {
  auto& last = last_note_[id];
  if (last == kind) return;
  last = kind;
  if (log_) log_("job " + id + ": " + line);
}

const intensity::IntensitySeries* Agent::forecast_for(const std::string& zone, UtcTime now, UtcTime until) {
  auto it = forecasts_.find(zone);
  if (it != forecasts_.end() && it->second.until >= until)
    return it->second.forecast ? &it->second.forecast->series : nullptr;
  Loaded l;
  l.until = until;
  const UtcTime from = std::chrono::floor<std::chrono::minutes>(now);
  auto f = engine::load_batch_forecast(zone, from, std::max(until, from + std::chrono::minutes(1)), options_.forecast,
                                       services_);
  if (f) {
    l.forecast = std::move(*f);
  } else if (log_) {
    log_("zone " + zone + ": no forecast (" + f.error().message + "); its jobs run as if greenrun were absent");
  }
  auto& slot = forecasts_[zone] = std::move(l);
  return slot.forecast ? &slot.forecast->series : nullptr;
}

TickReport Agent::act(const std::vector<QueuedJob>& queue, UtcTime now) {
  TickReport report;
  forecasts_.clear();
  struct Item {
    engine::BatchJob job;
    std::string zone;
    OptIn opt_in;
    int64_t restarts = 0;
  };
  std::vector<Item> items;
  std::map<std::string, UtcTime> horizon;  // zone -> latest deadline
  std::set<std::string> present;
  for (const QueuedJob& q : queue) {
    auto opt = parse_opt_in(q.comment);
    if (!opt) {
      note(q.id, "bad", "opted in, but left alone: " + opt.error().message);
      continue;
    }
    if (!*opt) continue;  // not opted in: never touched
    present.insert(q.id);
    ++report.opted_in;
    const OptIn& o = **opt;
    engine::BatchJob j;
    j.id = q.id;
    j.state = state_of(q.state);
    j.duration = o.duration ? *o.duration : q.time_limit.value_or(Duration{0});
    j.deadline = o.deadline ? o.deadline : q.deadline;
    j.time_limit = q.time_limit;
    j.done = q.run_time(now);
    j.interruptible = o.interruptible;
    if (o.checkpoint_grace) {
      j.checkpoint = true;
      j.checkpoint_grace = *o.checkpoint_grace;
      j.requeueable = q.requeue;
      // Each run starts afresh: Slurm's time limit binds its latest restart
      // only where Slurm knows the deadline (--deadline removes a job that
      // cannot end by it).
      if (!q.deadline) j.time_limit.reset();
      // The work saved by earlier runs (written when each was signalled);
      // a run already signalled counts only what it had saved then.
      const bool this_run_signalled = o.signalled && o.signalled->restarts == q.restarts;
      if (this_run_signalled) j.signalled = o.signalled->at;
      j.done = o.done + (this_run_signalled ? Duration{0} : j.done);
    }
    // Only interruptible jobs are suspended by the agent; another suspended
    // job (an administrator's doing) is left as it is.
    j.suspended_by_agent = o.interruptible || suspended_.contains(q.id);
    // Its begin time while it waits for it (otherwise start_time is Slurm's estimate).
    if (j.state == engine::BatchJobState::kPending && q.state_reason == "BeginTime") j.start = q.start;
    const std::string zone = o.zone.value_or(options_.zone);
    if (j.deadline) {
      auto& h = horizon[zone];
      h = std::max(h, std::min(*j.deadline, now + options_.horizon_cap));
    }
    items.push_back({std::move(j), zone, o, q.restarts});
  }
  // Jobs that left the queue are no longer ours to resume.
  for (auto it = suspended_.begin(); it != suspended_.end();) {
    if (!present.contains(*it)) {
      if (watchdog_) watchdog_->resumed(*it);
      it = suspended_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = last_note_.begin(); it != last_note_.end();)
    it = present.contains(it->first) ? std::next(it) : last_note_.erase(it);

  for (Item& item : items) {
    const intensity::IntensitySeries* f =
        item.zone.empty() || !item.job.deadline ? nullptr : forecast_for(item.zone, now, horizon[item.zone]);
    const engine::BatchDecision d = engine::decide_batch_job(item.job, f, now, policy_);
    const std::string& id = item.job.id;
    Status done;
    switch (d.action) {
      case engine::BatchAction::kNone:
        break;
      case engine::BatchAction::kSetStart:
        done = slurm_.set_start(id, d.start);
        if (done) ++report.starts_set;
        break;
      case engine::BatchAction::kSuspend:
        // Told to the watchdog first: a kill between the two still resumes it.
        if (watchdog_) watchdog_->suspended(id);
        done = slurm_.suspend(id);
        if (done) {
          suspended_.insert(id);
          ++report.suspended;
        } else if (watchdog_) {
          watchdog_->resumed(id);
        }
        break;
      case engine::BatchAction::kCheckpoint: {
        // The signal, then its state into Slurm: an agent restarted after
        // that requeues it after the grace and counts only the work saved
        // now; one that died in between signals it again (a second
        // checkpoint, never a requeue without the signal).
        OptIn o = item.opt_in;
        o.done = std::chrono::floor<std::chrono::seconds>(item.job.done);
        o.signalled = OptIn::Signalled{std::chrono::floor<std::chrono::seconds>(now), item.restarts};
        done = slurm_.signal(id, options_.checkpoint_signal);
        if (done) done = slurm_.set_comment(id, format_opt_in(o));
        if (done) ++report.checkpointed;
        break;
      }
      case engine::BatchAction::kRequeue:
        done = slurm_.requeue(id);
        if (done) ++report.requeued;
        break;
      case engine::BatchAction::kResume:
        done = slurm_.resume(id);
        if (done) {
          suspended_.erase(id);
          if (watchdog_) watchdog_->resumed(id);
          ++report.resumed;
        }
        break;
    }
    // Logged when what the agent does with the job changes (not every pass).
    const bool pending = item.job.state == engine::BatchJobState::kPending;
    const std::string kind = std::to_string(static_cast<int>(item.job.state)) + "/" +
                             (pending ? std::string() : std::to_string(static_cast<int>(d.action))) + "/" +
                             d.reason.substr(0, d.reason.find(':'));
    if (!done) {
      ++report.failures;
      note(id, "failed/" + kind, "FAILED (" + done.error().message + "); tried again next pass — " + d.reason);
    } else if (!d.reason.empty()) {
      note(id, kind, d.reason);
    }
    // A suspended job found on a restart is the agent's: the watchdog learns it.
    if (item.job.state == engine::BatchJobState::kSuspended && d.action == engine::BatchAction::kNone &&
        item.job.interruptible && !suspended_.contains(id)) {
      suspended_.insert(id);
      if (watchdog_) watchdog_->suspended(id);
    }
  }
  return report;
}

Result<TickReport> Agent::tick(UtcTime now) {
  auto q = slurm_.queue();
  if (!q) return std::unexpected(q.error());
  return act(*q, now);
}

void Agent::release_all() {
  for (auto it = suspended_.begin(); it != suspended_.end();) {
    auto r = slurm_.resume(*it);
    if (!r && log_) log_("job " + *it + ": could not resume it on exit: " + r.error().message);
    if (r && log_) log_("job " + *it + ": resumed (the agent is stopping)");
    if (r && watchdog_) watchdog_->resumed(*it);
    // Left marked in the watchdog when it failed: the watchdog tries again.
    it = r ? suspended_.erase(it) : std::next(it);
  }
}

Status run_agent(const AgentOptions& options, SlurmClient& slurm, const engine::Services& services,
                 const AgentLog& log) {
  AgentWatchdog watchdog;
  if (auto s = watchdog.start(); !s) return s;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  SystemClock clock;
  Agent agent(options, slurm, services, log, &watchdog);
  const std::string zone = options.zone.empty() ? std::string("-")
                           : options.zone + (options.zone_source.empty() ? "" : " from " + options.zone_source);
  if (log) log("greenrun slurm agent: started (zone " + zone +
               ", every " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(options.interval).count()) +
               " ms, watchdog pid " + std::to_string(watchdog.pid()) + ")");
  while (!g_stop.load()) {
    const auto started = std::chrono::steady_clock::now();
    auto r = agent.tick(clock.utc_now());
    if (!r && log) log("greenrun slurm agent: " + r.error().message + "; trying again next pass");
    if (options.once) break;
    const auto next = started + options.interval;
    while (!g_stop.load() && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), next - std::chrono::steady_clock::now()));
  }
  agent.release_all();
  if (log) log("greenrun slurm agent: stopped");
  return {};
}

}  // namespace greenrun::slurm
