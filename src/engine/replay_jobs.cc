// engine::replay_jobs: the replay's settings, log and data (greenrun/replay.h).
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/stored_pick.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/replay.h"
#include "intensity/store.h"

namespace greenrun::engine {

using scheduling::Policy;

// Margins around the log's span: the widest windows reach a week past a
// job, and the threshold looks back a day.
constexpr Duration kDataMargin = std::chrono::hours(24 * 8);

Result<ThresholdSpec> parse_threshold(std::string_view text) {
  const std::string_view t = trim(text);
  const bool percentile = !t.empty() && (t[0] == 'p' || t[0] == 'P');
  auto v = parse_number(percentile ? t.substr(1) : t);
  if (t.empty() || !v || !std::isfinite(*v) || *v < 0 || (percentile && *v > 100))
    return make_error(ErrorKind::kUsage, "expected pNN (a percentile of the last 24 h) or g/kWh, got \"" +
                                             std::string(text) + "\"");
  ThresholdSpec spec;
  if (percentile)
    spec.percentile = *v;
  else
    spec.absolute = CarbonIntensity::grams_per_kwh(*v);
  return spec;
}

Result<PlanOn> parse_plan_on(std::string_view text) {
  if (text == "actual") return PlanOn::kActual;
  if (text == "forecast") return PlanOn::kForecast;
  if (text == "issued") return PlanOn::kIssued;
  return make_error(ErrorKind::kUsage,
                    "expected actual, forecast or issued, got \"" + std::string(text) + "\"");
}

Result<std::vector<scheduling::ReplaySetting>> replay_settings(const ReplayRequest& request) {
  std::vector<std::optional<scheduling::JobRule>> rules(request.rules.begin(), request.rules.end());
  if (rules.empty()) rules.emplace_back();  // the jobs' own
  std::vector<double> errors = request.errors;
  if (errors.empty()) errors.push_back(0);
  for (double e : errors)
    if (!(e >= 0)) return make_error(ErrorKind::kUsage, "forecast error: expected non-negative shares");
  scheduling::ThresholdOptions threshold;
  threshold.absolute = request.threshold.absolute;
  threshold.percentile = request.threshold.percentile;
  std::vector<scheduling::ReplaySetting> out;
  for (Policy policy : request.policies)
    for (const auto& rule : rules)
      for (double e : errors) {
        if (policy == Policy::kAtOnce && e > 0) continue;  // nothing is planned
        // The threshold needs no forecast: once per rule, with error 0.
        if (policy == Policy::kThreshold && e > 0 && e != errors.front()) continue;
        scheduling::ReplaySetting s;
        s.policy = policy;
        s.rule = rule;
        s.overhead = request.overhead;
        s.min_pause = request.min_pause;
        s.threshold = threshold;
        s.error = policy == Policy::kThreshold ? 0 : e;
        out.push_back(s);
      }
  if (out.empty()) return make_error(ErrorKind::kUsage, "--policies: expected at least one policy");
  return out;
}

namespace {

Result<scheduling::JobLog> load_log(const ReplayRequest& request) {
  if (request.log_file) {
    auto text = read_file(*request.log_file);
    if (!text) return as_kind(ErrorKind::kIo, text.error());
    scheduling::JobLogOptions lo;
    lo.tz = request.tz;
    lo.node_power = request.node_power;
    return scheduling::parse_job_log(*text, *request.log_file, lo);
  }
  if (!request.synthetic)
    return make_error(ErrorKind::kUsage, "replay: expected a job log file or presets started by a schedule");
  const auto& s = *request.synthetic;
  if (s.presets.empty()) return make_error(ErrorKind::kUsage, "replay: expected at least one preset");
  if (s.to <= s.from) return make_error(ErrorKind::kUsage, "--to must be after --from");
  return scheduling::synthetic_log(s.presets, s.starts, s.from, s.to, request.tz);
}

}  // namespace

Result<ReplayOutcome> replay_jobs(const ReplayRequest& request, const Services& services) {
  if (request.zone.empty()) return make_error(ErrorKind::kUsage, "simulate --jobs: expected one --zone");
  if (request.repeat == 0) return make_error(ErrorKind::kUsage, "--repeat: expected at least 1");
  scheduling::ReplayOptions o;
  o.tz = request.tz;
  o.default_rule = request.default_rule;
  o.repeat = request.repeat;
  o.seed = request.seed;
  auto settings = replay_settings(request);
  if (!settings) return std::unexpected(settings.error());
  o.settings = std::move(*settings);

  ReplayOutcome out;
  out.zone = request.zone;
  out.source = request.log_file ? *request.log_file
                                : "--starts " + (request.synthetic ? request.synthetic->starts_text : std::string());
  auto log = load_log(request);
  if (!log) return std::unexpected(log.error());
  out.log = std::move(*log);
  if (out.log.jobs.empty()) return make_error(ErrorKind::kBadData, out.source + ": no jobs to replay");

  // The data: the zone's actual series over the log's span and its margins.
  const std::string& path = services.store_path;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec))
    return make_error(ErrorKind::kNotFound,
                      "no store at " + path + "; import data with `greenrun intensity import`");
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto list = store->list();
  if (!list) return std::unexpected(list.error());
  UtcTime lo_t = UtcTime::max(), hi_t = UtcTime::min();
  for (const auto& j : out.log.jobs) {
    lo_t = std::min({lo_t, j.submit, j.earliest.value_or(j.submit)});
    hi_t = std::max({hi_t, j.submit + j.duration, j.deadline.value_or(j.submit)});
  }
  lo_t -= kDataMargin;
  hi_t += kDataMargin;
  const auto* actual_info = pick_stored(*list, request.zone, intensity::Origin::kActual);
  if (!actual_info)
    return make_error(ErrorKind::kNotFound,
                      "no stored actual intensity data for zone " + request.zone + " in " + path);
  // An empty series when the stored span and the log's do not overlap.
  auto load = [&](const intensity::StoredSeriesInfo& info) -> Result<intensity::IntensitySeries> {
    const UtcTime from = std::max(lo_t, info.first), to = std::min(hi_t, info.last_end);
    if (from >= to) return intensity::IntensitySeries(info.key.zone, info.key.signal, info.key.origin);
    return store->load(info.key, from, to);
  };
  auto actual = load(*actual_info);
  if (!actual) return std::unexpected(actual.error());
  if (actual->empty())
    return make_error(ErrorKind::kNotFound, "stored data for zone " + request.zone + " (" +
                                                format_utc(actual_info->first) + " .. " +
                                                format_utc(actual_info->last_end) + ") does not overlap the log (" +
                                                out.source + ")");
  std::optional<intensity::IntensitySeries> forecast;
  std::vector<intensity::IntensitySeries> issued;
  std::string issued_text;
  if (request.plan_on == PlanOn::kIssued) {
    // The actual series' signal: plans and payment in the same unit.
    auto found = store->issues(actual_info->key.zone, actual_info->key.signal, lo_t, hi_t);
    if (!found) return std::unexpected(found.error());
    if (found->empty())
      return make_error(ErrorKind::kNotFound,
                        "--plan-on issued: no forecast with an issue time stored for zone " + request.zone + " (" +
                            std::string(intensity::to_string(actual_info->key.signal)) + ", " + format_utc(lo_t) +
                            " .. " + format_utc(hi_t) +
                            "); import forecasts with `intensity import --issued TIME` or fetch them");
    issued.reserve(found->size());
    for (const auto& f : *found) {
      auto s = store->load_issue(f);
      if (!s) return std::unexpected(s.error());
      issued.push_back(std::move(*s));
    }
    issued_text = std::to_string(issued.size()) + " issued forecasts (" + format_utc(found->front().issued) +
                  " .. " + format_utc(found->back().issued) + ")";
    o.issued = &issued;
  }
  if (request.plan_on == PlanOn::kForecast) {
    const auto* f = pick_stored(*list, request.zone, intensity::Origin::kForecast);
    if (!f)
      return make_error(ErrorKind::kNotFound, "--plan-on forecast: no stored forecast for zone " + request.zone);
    auto s = load(*f);
    if (!s) return std::unexpected(s.error());
    forecast = std::move(*s);
    o.forecast = &*forecast;
  }
  auto r = scheduling::replay_jobs(*actual, out.log, o);
  if (!r) return std::unexpected(r.error());
  out.result = std::move(*r);
  out.provenance = actual->provenance();
  out.data_from = actual->start();
  out.data_to = actual->end();
  out.data_points = actual->size();
  out.data = request.zone + ": " + out.provenance.source + " " + out.provenance.origin + ", " +
             format_utc(out.data_from) + " .. " + format_utc(out.data_to) + ", " + std::to_string(out.data_points) +
             " points";
  switch (request.plan_on) {
    case PlanOn::kActual:
      out.planned_on = "the actual series (perfect foresight) unless a setting adds error";
      break;
    case PlanOn::kForecast:
      out.planned_on = "the stored forecast, each point as last stored (issue times not considered)";
      break;
    case PlanOn::kIssued:
      out.planned_on = "the forecast as known at each decision: the latest of " + issued_text +
                       " issued by the job's submit time that covers its window";
      break;
  }
  return out;
}

}  // namespace greenrun::engine
