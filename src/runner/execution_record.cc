#include "runner/execution_record.h"

#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;

ordered_json plan_json(const scheduling::Plan& p) {
  ordered_json segs = ordered_json::array();
  for (const auto& s : p.segments) segs.push_back({{"start", format_utc(s.start)}, {"end", format_utc(s.end)}});
  return {{"segments", segs}, {"emissions_g", p.emissions.grams()}, {"baseline_g", p.baseline.grams()}};
}

ordered_json section(const ExecutionReport& r, const ExecutionSchedule& schedule, const ExecutionSettings& st) {
  const ScheduleRequest& q = schedule.request();
  ordered_json j;
  j["mode"] = std::string(scheduling::to_string(q.mode));
  if (!st.pause_mode.empty()) j["pause_mode"] = st.pause_mode;
  if (st.pause_mode == "checkpoint") {
    j["checkpoint_signal"] = st.checkpoint_signal;
    j["grace_s"] = to_seconds(st.grace);
  }
  if (st.time_scale != 1.0) j["time_scale"] = st.time_scale;
  ordered_json req;
  req["expected_duration_s"] = to_seconds(q.expected);
  if (q.mode == scheduling::Mode::kFlexibleStart)
    req["latest_start"] = format_utc(q.latest_start);
  else
    req["deadline"] = format_utc(q.deadline);
  req["margin_s"] = to_seconds(q.margin);
  if (q.threshold) {
    if (q.threshold->absolute) req["threshold_g_per_kwh"] = q.threshold->absolute->grams_per_kwh();
    if (q.threshold->percentile) req["threshold_percentile"] = *q.threshold->percentile;
  }
  j["request"] = req;
  const auto& f = schedule.forecast();
  j["forecast"] = {{"label", st.forecast_label},
                   {"zone", f.zone()},
                   {"origin", std::string(intensity::to_string(f.origin()))},
                   {"signal", std::string(intensity::to_string(f.signal()))},
                   {"source", f.provenance().source}};
  if (q.mode != scheduling::Mode::kThreshold) {
    j["planned"] = plan_json(schedule.initial_plan());
    j["planned"]["power_w"] = q.power.watts();
    j["planned"]["power_basis"] = st.power_basis;
    if (auto held = schedule.held_back_saving()) {
      // A plan that waited or paused for less than --min-saving was set aside.
      j["planned"]["held_back_saving_percent"] = *held;
      j["planned"]["min_saving_percent"] = q.min_saving_percent;
    }
  }
  ordered_json ev = ordered_json::array();
  for (const auto& e : r.events) {
    ordered_json x{{"time", format_utc(e.time)}, {"event", e.kind}};
    x["intensity_g_per_kwh"] = e.intensity ? ordered_json(*e.intensity) : ordered_json(nullptr);
    x["work_done_s"] = to_seconds(e.work_done);
    x["note"] = e.note;
    ev.push_back(std::move(x));
  }
  j["events"] = ev;
  ordered_json segs = ordered_json::array();
  for (const auto& s : r.segments)
    segs.push_back({{"start", format_utc(s.start)},
                    {"end", format_utc(s.end)},
                    {"state", s.running ? "running" : "paused"},
                    {"job_energy_j", s.energy.joules()}});
  j["segments"] = segs;
  j["began"] = format_utc(r.began);
  j["ended"] = format_utc(r.ended);
  j["run_time_s"] = to_seconds(r.run_time);
  j["waited_s"] = to_seconds(r.waited);
  j["paused_s"] = to_seconds(r.paused);
  j["time_added_s"] = to_seconds(r.time_added);
  j["emissions_g"] = r.emissions.grams();
  j["at_once_g"] = r.at_once.grams();
  j["saving_g"] = (r.at_once - r.emissions).grams();
  j["emissions_note"] =
      "job energy x the schedule's intensity series, on the executor's clock; at_once moves each running "
      "segment's energy to when the same work would have run without waiting or pausing";
  j["coverage"] = r.coverage;
  j["deadline_met"] = r.deadline_met;
  j["guard_engaged"] = r.guard_engaged;
  j["replans"] = r.replans;
  j["interrupted"] = r.interrupted;
  j["warnings"] = r.warnings;
  return j;
}

}  // namespace

std::string execution_json(const ExecutionReport& report, const ExecutionSchedule& schedule,
                           const ExecutionSettings& settings, int indent) {
  // Never throws on text that is not UTF-8 (type_error 316): bad bytes are replaced.
  return section(report, schedule, settings).dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

Result<ScheduleSummary> execution_record(const ExecutionReport& report, const ExecutionSchedule& schedule,
                                         const ExecutionSettings& settings) {
  return schedule_summary_from_json(execution_json(report, schedule, settings, -1));
}

}  // namespace greenrun::runner
