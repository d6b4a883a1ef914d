#include "runner/carbon_aware_executor.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ostream>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

enum class State { kWaiting, kRunning, kPaused };

// Intensity integral over [a, b) in (g/kWh) x ms and the covered time.
Mass grams(Energy e, const intensity::IntensitySeries& s, UtcTime a, UtcTime b, double& covered_share) {
  covered_share = 0;
  if (b <= a) return Mass::zero();
  const auto in = s.integrate(a, b);
  if (in.covered.count() <= 0) return Mass::zero();
  covered_share = static_cast<double>(in.covered.count()) / static_cast<double>((b - a).count());
  const double mean = in.g_per_kwh_ms / static_cast<double>(in.covered.count());
  // Energy over the covered part only (the rest has no intensity).
  return Mass::grams(e.kilowatt_hours() * covered_share * mean);
}

std::string hm(UtcTime t) {
  const CivilTime c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", c.hour, c.minute, c.second);
  return buf;
}

std::string grams_text(Mass m) {
  char buf[32];
  if (m.grams() >= 1000)
    std::snprintf(buf, sizeof buf, "%.2f kg", m.kilograms());
  else if (m.grams() >= 1)
    std::snprintf(buf, sizeof buf, "%.2f g", m.grams());
  else
    std::snprintf(buf, sizeof buf, "%.3f mg", m.grams() * 1000);
  return buf;
}

}  // namespace

int ExecutionReport::shell_status() const {
  if (spawn_error) return spawn_error->exit_status;
  if (exit) return exit->shell_status();
  return interrupted ? 128 + (interrupt_signal > 0 ? interrupt_signal : SIGINT) : 1;
}

std::string ExecutionReport::deadline_summary() const {
  if (!incomplete.empty()) return "the job did not complete: " + incomplete;
  return deadline_met ? "deadline met" : "DEADLINE MISSED";
}

ScheduleEmissions schedule_emissions(const std::vector<RunSegment>& segments,
                                     const intensity::IntensitySeries& series, UtcTime began) {
  ScheduleEmissions out;
  Energy total, with_data;
  Duration before{0};
  for (const auto& s : segments) {
    double share = 0;
    out.realised += grams(s.energy, series, s.start, s.end, share);
    total += s.energy;
    with_data += s.energy * share;
    if (!s.running) continue;
    const Duration len = s.end - s.start;
    double share2 = 0;
    out.at_once += grams(s.energy, series, began + before, began + before + len, share2);
    before += len;
  }
  out.coverage = total.joules() > 0 ? with_data / total : 1.0;
  return out;
}

ExecutionReport execute(Clock& clock, ExecutionSchedule& schedule, JobControl& job, EnergyMeter* meter,
                        ForecastSource* source, const ExecutorOptions& options) {
  ExecutionReport rep;
  const ScheduleRequest& req = schedule.request();
  rep.began = clock.utc_now();
  State state = State::kWaiting;
  bool started = false, interrupted = false;
  bool waited = false;            // a wait happened before the first start
  bool started_when_due = false;  // Flexible Start: see ExecutionReport::deadline_met
  // Status lines stop at the first failed write: output must never end a run.
  std::ostream* status = options.status;
  auto status_written = [&] {
    if (status && !*status) status = nullptr;
  };
  Duration work{0};
  UtcTime last = rep.began;
  UtcTime seg_start = rep.began;
  Energy seg_energy0;
  UtcTime next_refresh = rep.began + options.forecast_refresh;
  std::string last_line_kind;

  auto intensity_at = [&](UtcTime t) -> std::optional<double> {
    if (auto v = schedule.forecast().at(t)) return v->grams_per_kwh();
    return std::nullopt;
  };
  auto emissions_now = [&](UtcTime now) {
    auto segs = rep.segments;
    if (state != State::kWaiting && meter)
      segs.push_back({seg_start, now, meter->job_energy() - seg_energy0, state == State::kRunning});
    return schedule_emissions(segs, schedule.forecast(), rep.began);
  };
  auto status_line = [&](UtcTime now, const ScheduleDecision& d) {
    const char* st = state == State::kRunning ? "running" : state == State::kPaused ? "paused" : "waiting";
    const auto e = emissions_now(now);
    std::string next = d.recheck >= now + std::chrono::hours(24 * 365)
                           ? std::string("runs to the end")
                           : "next check " + hm(d.recheck) + " UTC";
    return std::string("greenrun: ") + hm(now) + " UTC " + st + " (" + std::string(to_string(job.mode())) +
           "), work " + format_duration(work) + " of " + format_duration(req.expected) + ", " + next + "; " +
           grams_text(e.realised) + " CO2e so far vs " + grams_text(e.at_once) + " at once";
  };
  auto event = [&](UtcTime t, std::string kind, std::string note) {
    rep.events.push_back({t, kind, intensity_at(t), work, note});
    if (status) {
      if (options.live) *status << "\r\033[K";
      *status << "greenrun: " << hm(t) << " UTC " << kind << ": " << note << "\n";
      status_written();
    }
  };
  auto advance = [&]() {
    const UtcTime now = clock.utc_now();
    if (state == State::kRunning) work += now - last;
    last = now;
    return now;
  };
  auto close_segment = [&](UtcTime now, bool running) {
    if (meter) meter->sample(std::nullopt);
    const Energy e = meter ? meter->job_energy() : Energy::zero();
    if (now > seg_start || e > seg_energy0) rep.segments.push_back({seg_start, now, e - seg_energy0, running});
    seg_start = now;
    seg_energy0 = e;
  };

  bool announced_wait = false;
  for (;;) {
    UtcTime now = advance();
    // A new forecast can change nothing once a Flexible Start job has
    // started or the job is past its expected work: stop asking.
    const bool plannable = !(started && schedule.request().mode == scheduling::Mode::kFlexibleStart) &&
                           work < schedule.request().expected;
    if (source && plannable && now >= next_refresh) {
      next_refresh = now + options.forecast_refresh;
      if (auto f = source->poll(now)) {
        const size_t before = schedule.replans();
        if (auto s = schedule.update_forecast(std::move(*f), now, work); !s) {
          rep.warnings.push_back(s.error().message);
          event(now, "forecast", s.error().message);
        } else {
          event(now, "replan", schedule.replans() > before ? "new forecast: re-planned" : "new forecast");
        }
      }
    }
    if (!interrupted && job.interrupted()) {
      interrupted = true;
      rep.interrupted = true;
      if (!job.has_process()) {
        rep.interrupt_signal = job.interrupt_signal();
        const std::string by =
            rep.interrupt_signal > 0 ? "interrupted by " + signal_name(rep.interrupt_signal) : "interrupted";
        rep.incomplete = started ? by + " while checkpointed" : by + " before it started";
        event(now, "interrupt", started ? "interrupted while checkpointed: the job is not restarted"
                                        : "interrupted before the job started: it is not started");
        break;
      }
      event(now, "interrupt", "signal forwarded to the job; scheduling stops, the job is resumed and waited for");
    }
    ScheduleDecision d = interrupted ? ScheduleDecision{true, UtcTime::max(), false, "interrupted"}
                                     : schedule.decide(now, work, started);
    if (d.guard && !rep.guard_engaged && !interrupted) {
      rep.guard_engaged = true;
      event(now, "guard", d.why);
    }
    if (d.run && state != State::kRunning) {
      const bool first = !started;
      if (state == State::kPaused) close_segment(now, false);
      if (first) seg_start = now;
      if (first) {
        const Duration allowance = req.mode == scheduling::Mode::kFlexibleStart ? req.margin : Duration(0);
        started_when_due = !waited || now <= req.latest_start + allowance;
      }
      auto err = first ? job.start() : job.resume();
      if (err) {
        rep.spawn_error = err;
        rep.incomplete = "it could not be started: " + err->message;
        event(now, "exit", err->message);
        break;
      }
      if (first && meter) {
        meter->begin(job.measured_root());
        seg_energy0 = meter->job_energy();
      }
      state = State::kRunning;
      started = true;
      event(now, first ? "start" : job.mode() == PauseMode::kCheckpoint ? "restart" : "resume", d.why);
    } else if (!d.run && state == State::kRunning) {
      PauseResult pr = job.pause();
      now = advance();
      if (pr.outcome == PauseOutcome::kRefused) {
        rep.warnings.push_back(pr.note);
        schedule.force_run_to_end(pr.note);
        event(now, "refused", pr.note);
      } else {
        close_segment(now, true);
        state = State::kPaused;
        if (pr.outcome == PauseOutcome::kExited) {
          rep.exit = pr.exit;
          rep.incomplete = pr.note;
          event(now, "exit", pr.note);
          break;
        }
        event(now, job.mode() == PauseMode::kCheckpoint ? "checkpoint" : "pause", d.why + " (" + pr.note + ")");
      }
      continue;  // decide again at once (a refusal runs to the end)
    } else if (!d.run && state == State::kWaiting && !announced_wait) {
      announced_wait = true;
      event(now, "wait", d.why);
    }

    // Wait for the earliest of: recheck, refresh, next sample, job exit. A
    // refresh that will not be made (a started Flexible Start job, work past
    // its expected duration) is no reason to wake: its time stays in the
    // past, and waking for it would spin.
    const bool refreshes = source && !(started && schedule.request().mode == scheduling::Mode::kFlexibleStart) &&
                           work < schedule.request().expected;
    UtcTime wake_utc = std::min(d.recheck, refreshes ? next_refresh : UtcTime::max());
    wake_utc = std::min(wake_utc, now + std::chrono::hours(1));
    SteadyTime wake = clock.steady_now() + std::chrono::duration_cast<SteadyTime::duration>(wake_utc - now);
    if (meter && started) wake = std::min(wake, meter->next_deadline());
    if (options.on_state)
      options.on_state(state == State::kRunning ? "running" : state == State::kPaused ? "paused" : "waiting",
                       d.recheck >= now + std::chrono::hours(24 * 365) ? std::nullopt : std::optional(d.recheck));
    if (status && options.live) {
      *status << "\r\033[K" << status_line(now, d) << std::flush;
      status_written();
    }
    if (!started) waited = true;
    auto st = job.wait_until(wake);
    now = advance();
    if (st) {
      if (meter) meter->sample(st);
      const Energy e = meter ? meter->job_energy() : Energy::zero();
      rep.segments.push_back({seg_start, now, e - seg_energy0, state == State::kRunning});
      rep.exit = st;
      if (!interrupted && job.interrupted()) {  // the signal ended the job before the loop saw it
        interrupted = rep.interrupted = true;
        event(now, "interrupt", "signal forwarded to the job");
      }
      if (interrupted) rep.incomplete = "interrupted; the signal was forwarded to the job";
      event(now, "exit",
            st->signalled ? "the job was killed by " + signal_name(st->signal)
                          : "the job exited with status " + std::to_string(st->code));
      break;
    }
    if (meter && started && clock.steady_now() >= meter->next_deadline()) meter->sample(std::nullopt);
  }
  if (status && options.live) *status << "\r\033[K" << std::flush;

  rep.ended = clock.utc_now();
  rep.run_time = work;
  Duration paused{0};
  for (const auto& s : rep.segments)
    if (!s.running) paused += s.end - s.start;
  rep.paused = paused;
  rep.waited = rep.segments.empty() ? rep.ended - rep.began : rep.segments.front().start - rep.began;
  rep.time_added = rep.ended - (rep.began + rep.run_time);
  const auto em = schedule_emissions(rep.segments, schedule.forecast(), rep.began);
  rep.emissions = em.realised;
  rep.at_once = em.at_once;
  rep.coverage = em.coverage;
  rep.replans = schedule.replans();
  rep.deadline_met = req.mode == scheduling::Mode::kFlexibleStart ? started && started_when_due
                                                                  : rep.incomplete.empty() && rep.ended <= req.deadline;
  return rep;
}

}  // namespace greenrun::runner
