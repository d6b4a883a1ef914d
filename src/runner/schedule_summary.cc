#include "greenrun/runner/schedule_summary.h"

#include <nlohmann/json.hpp>

#include "base/json_object_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;

ordered_json section(const ScheduleSummary& s) {
  ordered_json j;
  j["mode"] = s.mode;
  if (!s.pause_mode.empty()) j["pause_mode"] = s.pause_mode;
  if (s.pause_mode == "checkpoint") {
    j["checkpoint_signal"] = s.checkpoint_signal;
    j["grace_s"] = to_seconds(s.grace);
  }
  if (s.time_scale != 1.0) j["time_scale"] = s.time_scale;
  ordered_json req;
  req["expected_duration_s"] = to_seconds(s.expected_duration);
  if (s.latest_start) req["latest_start"] = format_utc(*s.latest_start);
  if (s.deadline) req["deadline"] = format_utc(*s.deadline);
  req["margin_s"] = to_seconds(s.margin);
  if (s.threshold) req["threshold_g_per_kwh"] = s.threshold->grams_per_kwh();
  if (s.threshold_percentile) req["threshold_percentile"] = *s.threshold_percentile;
  j["request"] = std::move(req);
  j["forecast"] = {{"label", s.forecast_label},
                   {"zone", s.forecast_zone},
                   {"origin", s.forecast_origin},
                   {"signal", s.forecast_signal},
                   {"source", s.forecast_source}};
  if (s.planned) {
    const ScheduleSummary::Planned& p = *s.planned;
    ordered_json segs = ordered_json::array();
    for (const auto& x : p.segments) segs.push_back({{"start", format_utc(x.start)}, {"end", format_utc(x.end)}});
    ordered_json pj{{"segments", std::move(segs)},
                    {"emissions_g", p.emissions.grams()},
                    {"baseline_g", p.baseline.grams()}};
    if (p.power) pj["power_w"] = p.power->watts();
    if (p.power_basis) pj["power_basis"] = *p.power_basis;
    if (p.held_back_saving_percent) pj["held_back_saving_percent"] = *p.held_back_saving_percent;
    if (p.min_saving_percent) pj["min_saving_percent"] = *p.min_saving_percent;
    j["planned"] = std::move(pj);
  }
  ordered_json ev = ordered_json::array();
  for (const auto& e : s.events) {
    ordered_json x{{"time", format_utc(e.time)}, {"event", e.kind}};
    x["intensity_g_per_kwh"] = e.intensity ? ordered_json(e.intensity->grams_per_kwh()) : ordered_json(nullptr);
    x["work_done_s"] = to_seconds(e.work_done);
    x["note"] = e.note;
    ev.push_back(std::move(x));
  }
  j["events"] = std::move(ev);
  ordered_json segs = ordered_json::array();
  for (const auto& x : s.segments)
    segs.push_back({{"start", format_utc(x.start)},
                    {"end", format_utc(x.end)},
                    {"state", x.running ? "running" : "paused"},
                    {"job_energy_j", x.job_energy.joules()}});
  j["segments"] = std::move(segs);
  j["began"] = format_utc(s.began);
  j["ended"] = format_utc(s.ended);
  j["run_time_s"] = to_seconds(s.run_time);
  j["waited_s"] = to_seconds(s.waited);
  j["paused_s"] = to_seconds(s.paused);
  j["time_added_s"] = to_seconds(s.time_added);
  j["emissions_g"] = s.emissions.grams();
  j["at_once_g"] = s.at_once.grams();
  j["saving_g"] = s.saving().grams();
  j["emissions_note"] = s.emissions_note;
  j["coverage"] = s.coverage;
  j["deadline_met"] = s.deadline_met;
  j["guard_engaged"] = s.guard_engaged;
  j["replans"] = s.replans;
  j["interrupted"] = s.interrupted;
  j["warnings"] = s.warnings;
  return j;
}

}  // namespace

double ScheduleSummary::saving_percent() const {
  return at_once.grams() > 0 ? 100.0 * saving().grams() / at_once.grams() : 0.0;
}

size_t ScheduleSummary::pauses() const {
  size_t n = 0;
  for (const auto& e : events) n += e.kind == "pause" || e.kind == "checkpoint";
  return n;
}

std::string schedule_summary_to_json(const ScheduleSummary& s, int indent) {
  // Never throws on text that is not UTF-8 (type_error 316): bad bytes are replaced.
  return section(s).dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

Result<ScheduleSummary> schedule_summary_from_json(std::string_view text, std::string_view path) {
  const std::string root(path);
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(root + ": expected a JSON object");
  std::optional<Error> failure;
  JsonObjectReader in(j, root, failure);
  ScheduleSummary s;
  s.mode = in.string("mode", true);
  if (!failure && s.mode.empty()) in.fail(in.member("mode"), "expected flexible, pause-resume or threshold");
  s.pause_mode = in.string("pause_mode");
  s.checkpoint_signal = in.string("checkpoint_signal");
  s.grace = in.seconds("grace_s");
  s.time_scale = in.number_or("time_scale", 1.0);
  if (auto r = in.object("request")) {
    s.expected_duration = r->seconds("expected_duration_s");
    s.deadline = r->time("deadline");
    s.latest_start = r->time("latest_start");
    s.margin = r->seconds("margin_s");
    if (auto g = r->number("threshold_g_per_kwh")) s.threshold = CarbonIntensity::grams_per_kwh(*g);
    s.threshold_percentile = r->number("threshold_percentile");
  }
  if (auto f = in.object("forecast")) {
    s.forecast_label = f->string("label");
    s.forecast_zone = f->string("zone");
    s.forecast_origin = f->string("origin");
    s.forecast_signal = f->string("signal");
    s.forecast_source = f->string("source");
  }
  if (auto p = in.object("planned")) {
    ScheduleSummary::Planned planned;
    p->objects("segments", [&](JsonObjectReader& x) {
      planned.segments.push_back({x.time_or_epoch("start", true), x.time_or_epoch("end", true)});
    });
    planned.emissions = p->grams("emissions_g");
    planned.baseline = p->grams("baseline_g");
    if (auto w = p->number("power_w")) planned.power = Power::watts(*w);
    if (p->has("power_basis")) planned.power_basis = p->string("power_basis");
    planned.held_back_saving_percent = p->number("held_back_saving_percent");
    planned.min_saving_percent = p->number("min_saving_percent");
    s.planned = std::move(planned);
  }
  in.objects(
      "events",
      [&](JsonObjectReader& r) {
        ScheduleSummary::Event ev;
        ev.time = r.time_or_epoch("time", true);
        ev.kind = r.string("event", true);
        if (auto g = r.number("intensity_g_per_kwh")) ev.intensity = CarbonIntensity::grams_per_kwh(*g);
        ev.work_done = r.seconds("work_done_s");
        ev.note = r.string("note");
        s.events.push_back(std::move(ev));
      },
      true);
  in.objects("segments", [&](JsonObjectReader& r) {
    ScheduleSummary::Segment seg;
    seg.start = r.time_or_epoch("start", true);
    seg.end = r.time_or_epoch("end", true);
    const std::string state = r.string("state");
    if (!r.failed() && state != "running" && state != "paused")
      r.fail(r.member("state"), "expected running or paused, got \"" + state + "\"");
    seg.running = state != "paused";
    seg.job_energy = r.joules("job_energy_j");
    s.segments.push_back(seg);
  });
  s.began = in.time_or_epoch("began");
  s.ended = in.time_or_epoch("ended");
  s.run_time = in.seconds("run_time_s");
  s.waited = in.seconds("waited_s");
  s.paused = in.seconds("paused_s");
  s.time_added = in.seconds("time_added_s");
  s.emissions = in.grams("emissions_g", true);
  s.at_once = in.grams("at_once_g", true);
  if (in.has("emissions_note")) s.emissions_note = in.string("emissions_note");
  s.coverage = in.number_or("coverage", 1.0);
  s.deadline_met = in.boolean("deadline_met", true);
  s.guard_engaged = in.boolean("guard_engaged", false);
  s.replans = in.count("replans").value_or(0);
  s.interrupted = in.boolean("interrupted", false);
  s.warnings = in.strings("warnings");
  if (failure) return std::unexpected(*failure);
  return s;
}

}  // namespace greenrun::runner
