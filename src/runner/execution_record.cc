#include "runner/execution_record.h"


namespace greenrun::runner {
namespace {

ScheduleSummary summary(const ExecutionReport& r, const ExecutionSchedule& schedule, const ExecutionSettings& st) {
  const ScheduleRequest& q = schedule.request();
  ScheduleSummary s;
  s.mode = std::string(scheduling::to_string(q.mode));
  s.pause_mode = st.pause_mode;
  if (st.pause_mode == "checkpoint") {
    s.checkpoint_signal = st.checkpoint_signal;
    s.grace = st.grace;
  }
  s.time_scale = st.time_scale;
  s.expected_duration = q.expected;
  if (q.mode == scheduling::Mode::kFlexibleStart)
    s.latest_start = q.latest_start;
  else
    s.deadline = q.deadline;
  s.margin = q.margin;
  if (q.threshold) {
    s.threshold = q.threshold->absolute;
    s.threshold_percentile = q.threshold->percentile;
  }
  const auto& f = schedule.forecast();
  s.forecast_label = st.forecast_label;
  s.forecast_zone = f.zone();
  s.forecast_origin = std::string(intensity::to_string(f.origin()));
  s.forecast_signal = std::string(intensity::to_string(f.signal()));
  s.forecast_source = f.provenance().source;
  if (q.mode != scheduling::Mode::kThreshold) {
    const scheduling::Plan& p = schedule.initial_plan();
    ScheduleSummary::Planned planned;
    for (const auto& x : p.segments) planned.segments.push_back({x.start, x.end});
    planned.emissions = p.emissions;
    planned.baseline = p.baseline;
    planned.power = q.power;
    planned.power_basis = st.power_basis;
    if (auto held = schedule.held_back_saving()) {
      // A plan that waited or paused for less than --min-saving was set aside.
      planned.held_back_saving_percent = *held;
      planned.min_saving_percent = q.min_saving_percent;
    }
    s.planned = std::move(planned);
  }
  for (const auto& e : r.events) {
    ScheduleSummary::Event ev{e.time, e.kind, std::nullopt, e.work_done, e.note};
    if (e.intensity) ev.intensity = CarbonIntensity::grams_per_kwh(*e.intensity);
    s.events.push_back(std::move(ev));
  }
  for (const auto& x : r.segments) s.segments.push_back({x.start, x.end, x.running, x.energy});
  s.began = r.began;
  s.ended = r.ended;
  s.run_time = r.run_time;
  s.waited = r.waited;
  s.paused = r.paused;
  s.time_added = r.time_added;
  s.emissions = r.emissions;
  s.at_once = r.at_once;
  s.coverage = r.coverage;
  s.deadline_met = r.deadline_met;
  s.guard_engaged = r.guard_engaged;
  s.replans = r.replans;
  s.interrupted = r.interrupted;
  s.warnings = r.warnings;
  return s;
}

}  // namespace

std::string execution_json(const ExecutionReport& report, const ExecutionSchedule& schedule,
                           const ExecutionSettings& settings, int indent) {
  return schedule_summary_to_json(summary(report, schedule, settings), indent);
}

ScheduleSummary execution_record(const ExecutionReport& report, const ExecutionSchedule& schedule,
                                 const ExecutionSettings& settings) {
  return summary(report, schedule, settings);
}

}  // namespace greenrun::runner
