// WattTime API v3 JSON: /v3/historical, /v3/forecast and
// /v3/forecast/historical responses (../shared/reference/formats.md).
//
//   {"data":[{"point_time":"…","value":1016.0}, …],
//    "meta":{"region":"CAISO_NORTH","signal_type":"co2_moer",
//            "units":"lbs_co2_per_mwh","data_point_period_seconds":300,
//            "generated_at":"…", …}}
//   {"data":[{"generated_at":"…","forecast":[{"point_time","value"}, …]}, …],
//    "meta":{…}}
//
// Mapping:
// - value lbs/MWh x 0.45359237 -> g/kWh (meta.units lbs_co2_per_mwh, the
//   default; g_co2_per_kwh and kg_co2_per_mwh are taken as g/kWh, other units
//   such as percentiles are an error); signal co2_moer -> marginal, co2_aoer
//   -> average-direct; other signals (health_damage, …) are not carbon
//   intensity: error.
// - A null value is an error, or with options.null_is_missing (live API
//   answers) a missing point: a gap, counted in missing_values.
// - Each point lasts meta.data_point_period_seconds (300 s when absent),
//   shortened when the next point starts sooner.
// - Zone = meta.region; with --zone they must agree; without meta.region
//   --zone is required.
// - Origin: forecast when meta.generated_at is present (/v3/forecast) or the
//   body has generations (/v3/forecast/historical), actual otherwise;
//   options.watttime_origin overrides.
// - Issued (schema v3): a /v3/forecast answer's meta.generated_at is the
//   series' issue time (a time that does not parse leaves it unknown).
// - /v3/forecast/historical holds many forecasts of the same instants. They
//   become ONE forecast series: for each point, the value of the most recent
//   generation whose generated_at is at or before the point's start, i.e.
//   the freshest forecast a scheduler could have used when the interval
//   began. Points no generation had forecast by their start are skipped, as
//   are the values superseded by newer generations; both are counted in
//   skipped_rows and notes. Each generation is also kept whole, issued at its
//   generated_at (ImportResult::issues), for planning on the forecast as
//   known at each decision.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/importers/json_walk.h"
#include "intensity/importers/raw_points.h"

namespace greenrun::intensity {
namespace {

constexpr int64_t kNoTime = INT64_MIN;

struct WattTimeHandler final : JsonHandler {
  // Flat points (historical/forecast), or points of generations.
  struct Point {
    int64_t t_ms = kNoTime;
    double value = -1.0;  // in meta.units
    bool has_value = false;
    bool is_null = false;
    uint32_t record = 0;      // index in data[]
    uint32_t sub = 0;         // index in data[record].forecast[]
    uint32_t generation = 0;  // index into generations (forecast/historical)
  };
  struct Generation {
    int64_t generated_ms = kNoTime;
    uint32_t record = 0;
  };

  std::vector<Point> points;
  std::vector<Generation> generations;
  Point current;
  bool data_seen = false;
  bool nested = false;  // /v3/forecast/historical shape
  std::string region, signal_type, units, model_date, generated_at;
  bool null_is_missing = false;
  size_t nulls = 0;
  bool has_generated_at = false;
  double period_s = 300.0;
  bool period_seen = false;

  WattTimeHandler(size_t expected, bool null_ok) : null_is_missing(null_ok) { points.reserve(expected); }

  static Status want_string(const JsonScalar& v) {
    if (!v.is_string()) return make_error("expected a string, got " + v.describe());
    return {};
  }


  Status read_value(const JsonScalar& v) {
    if (v.is_null() && null_is_missing) {
      current.is_null = true;
      current.has_value = true;
      return {};
    }
    if (!v.is_number())
      return make_error(std::string(null_is_missing ? "expected a number or null, got " : "expected a number, got ") +
                        v.describe());
    if (v.number < 0) return make_error("expected a non-negative intensity, got " + v.describe().substr(11));
    current.value = v.number;
    current.has_value = true;
    return {};
  }

  Status on_begin(const JsonPath& p, bool is_array) override {
    if (p.matches({"data"})) {
      if (!is_array) return make_error("expected an array of points, got an object");
      data_seen = true;
    } else if (p.matches({"data", "[]"})) {
      if (is_array) return make_error("expected an object with point_time and value, got an array");
      current = Point{};
      current.record = static_cast<uint32_t>(p.index(1));
    } else if (p.matches({"data", "[]", "forecast"})) {
      if (!is_array) return make_error("expected an array of forecast points, got an object");
      nested = true;
      if (generations.empty() || generations.back().record != p.index(1))
        generations.push_back(Generation{kNoTime, static_cast<uint32_t>(p.index(1))});
    } else if (p.matches({"data", "[]", "forecast", "[]"})) {
      if (is_array) return make_error("expected an object with point_time and value, got an array");
      current = Point{};
      current.record = static_cast<uint32_t>(p.index(1));
      current.sub = static_cast<uint32_t>(p.index(3));
    } else if (p.matches({"data", "[]", "value"}) || p.matches({"data", "[]", "point_time"}) ||
               p.matches({"data", "[]", "forecast", "[]", "value"}) ||
               p.matches({"data", "[]", "forecast", "[]", "point_time"}) || p.matches({"meta", "region"}) ||
               p.matches({"meta", "units"}) || p.matches({"meta", "data_point_period_seconds"})) {
      return make_error(std::string("expected a scalar, got ") + (is_array ? "an array" : "an object"));
    } else if (p.matches({"meta"}) && is_array) {
      return make_error("expected an object, got an array");
    }
    return {};
  }

  Status on_scalar(const JsonPath& p, const JsonScalar& v) override {
    const size_t d = p.depth();
    if (d == 3 && p.matches({"data", "[]", "point_time"})) return read_utc_ms(v, current.t_ms);
    if (d == 3 && p.matches({"data", "[]", "value"})) return read_value(v);
    if (d == 5 && p.matches({"data", "[]", "forecast", "[]", "point_time"})) return read_utc_ms(v, current.t_ms);
    if (d == 5 && p.matches({"data", "[]", "forecast", "[]", "value"})) return read_value(v);
    if (d == 3 && p.matches({"data", "[]", "generated_at"})) {
      int64_t g = kNoTime;
      if (auto st = read_utc_ms(v, g); !st) return st;
      if (generations.empty() || generations.back().record != p.index(1))
        generations.push_back(Generation{kNoTime, static_cast<uint32_t>(p.index(1))});
      generations.back().generated_ms = g;
      nested = true;
      return {};
    }
    if (d == 2 && p.matches({"data", "[]"})) return make_error("expected an object, got " + v.describe());
    if (d == 1 && p.matches({"data"})) return make_error("expected an array of points, got " + v.describe());
    if (d == 2 && p.key(0) == "meta") {
      const std::string_view k = p.key(1);
      if (k == "region") {
        if (auto st = want_string(v); !st) return st;
        region.assign(v.text);
      } else if (k == "signal_type") {
        if (auto st = want_string(v); !st) return st;
        signal_type.assign(v.text);
      } else if (k == "units") {
        if (auto st = want_string(v); !st) return st;
        units.assign(v.text);
      } else if (k == "data_point_period_seconds") {
        if (!v.is_number()) return make_error("expected a number of seconds, got " + v.describe());
        period_s = v.number;
        period_seen = true;
      } else if (k == "generated_at") {
        if (!v.is_null()) has_generated_at = true;
        if (v.is_string()) generated_at.assign(v.text);
      }
      return {};
    }
    if (d == 3 && p.matches({"meta", "model", "date"}) && v.is_string()) model_date.assign(v.text);
    return {};
  }

  Status on_end(const JsonPath& p, bool) override {
    const bool flat = p.matches({"data", "[]"}) && !nested_record(p.index(1));
    const bool inner = p.matches({"data", "[]", "forecast", "[]"});
    if (!flat && !inner) return {};
    if (current.t_ms == kNoTime) return make_error("expected a \"point_time\"");
    if (!current.has_value) return make_error("expected a \"value\"");
    if (current.is_null) {  // a missing point: no value, so nothing to order or keep
      ++nulls;
      return {};
    }
    if (inner) {
      current.generation = static_cast<uint32_t>(generations.size() - 1);
      // Within one generation, times must increase.
      if (!points.empty() && points.back().generation == current.generation && points.back().record == current.record &&
          current.t_ms <= points.back().t_ms)
        return make_error("expected a point_time after " + format_utc(UtcTime(Duration(points.back().t_ms))) +
                          " (times must increase), got " + format_utc(UtcTime(Duration(current.t_ms))));
    }
    points.push_back(current);
    return {};
  }

  // True when data[i] turned out to be a generation (it had a forecast array
  // or generated_at), so its end is not a flat point.
  bool nested_record(size_t i) const { return !generations.empty() && generations.back().record == i; }
};

std::string point_path(const WattTimeHandler::Point& p, bool nested) {
  std::string s = "$.data[" + std::to_string(p.record) + "]";
  if (nested) s += ".forecast[" + std::to_string(p.sub) + "]";
  return s;
}

}  // namespace

Result<ImportResult> import_watttime_json(std::string_view text, const std::string& name,
                                          const ImportOptions& options) {
  WattTimeHandler h(text.size() / 56 + 1, options.null_is_missing);
  if (auto st = walk_json(text, name, h); !st) return make_error(st.error().message);
  if (!h.data_seen) return make_error(name + ": $: expected a WattTime response with a \"data\" array");

  double factor = CarbonIntensity::kLbsPerMwhToGPerKwh;
  if (h.units == "g_co2_per_kwh" || h.units == "kg_co2_per_mwh") factor = 1.0;
  else if (!h.units.empty() && h.units != "lbs_co2_per_mwh")
    return make_error(name + ": $.meta.units: expected \"lbs_co2_per_mwh\" (or g_co2_per_kwh, kg_co2_per_mwh), got \"" +
                      printable(h.units) + "\"");
  Signal signal = Signal::kMarginal;
  if (h.signal_type.empty() || h.signal_type == "co2_moer") signal = Signal::kMarginal;
  else if (h.signal_type == "co2_aoer") signal = Signal::kAverageDirect;
  else
    return make_error(name + ": $.meta.signal_type: expected \"co2_moer\" or \"co2_aoer\", got \"" +
                      printable(h.signal_type) + "\"");
  auto step = step_from_seconds(h.period_s);
  if (!step) return make_error(name + ": $.meta.data_point_period_seconds: " + step.error().message);

  std::string zone;
  if (!h.region.empty()) {
    if (auto st = check_zone(options.zone, h.region, name + ": $.meta.region", "region"); !st)
      return make_error(st.error().message);
    zone = h.region;
  } else if (options.zone) {
    zone = *options.zone;
  } else {
    return make_error(name + ": $.meta.region: expected the WattTime region (or give --zone)");
  }

  ImportResult result;
  result.format = Format::kWattTimeJson;
  result.rows = h.points.size() + h.nulls;
  result.missing_values = h.nulls;
  result.skipped_rows = h.nulls;
  const Origin origin =
      options.watttime_origin.value_or(h.nested || h.has_generated_at ? Origin::kForecast : Origin::kActual);

  std::vector<RawPoint> raw;
  if (!h.nested) {
    raw.reserve(h.points.size());
    for (size_t i = 0; i < h.points.size(); ++i) {
      const auto& p = h.points[i];
      raw.push_back(RawPoint{p.t_ms, *step, p.value * factor, false,
                             static_cast<uint32_t>(i)});
    }
  } else {
    for (const auto& g : h.generations)
      if (g.generated_ms == kNoTime)
        return make_error(name + ": $.data[" + std::to_string(g.record) + "]: expected \"generated_at\"");
    // Sort by (point time, generation time); for each point time keep the
    // latest generation made at or before the point's start.
    std::vector<uint32_t> order(h.points.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    auto gen_ms = [&](uint32_t i) { return h.generations[h.points[i].generation].generated_ms; };
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      if (h.points[a].t_ms != h.points[b].t_ms) return h.points[a].t_ms < h.points[b].t_ms;
      return gen_ms(a) < gen_ms(b);
    });
    size_t unforecast = 0, superseded = 0;
    for (size_t i = 0; i < order.size();) {
      size_t j = i;
      const int64_t t = h.points[order[i]].t_ms;
      std::optional<uint32_t> best;
      while (j < order.size() && h.points[order[j]].t_ms == t) {
        if (gen_ms(order[j]) <= t) best = order[j];
        ++j;
      }
      if (best) {
        const auto& p = h.points[*best];
        raw.push_back(RawPoint{p.t_ms, *step, p.value * factor, false, *best});
        superseded += j - i - 1;
      } else {
        ++unforecast;
        superseded += j - i - 1;
      }
      i = j;
    }
    result.skipped_rows += unforecast + superseded;
    result.notes.push_back(std::to_string(h.generations.size()) +
                           " forecast generations merged: each point takes the latest forecast generated at or "
                           "before its start (" + std::to_string(superseded) + " older values superseded, " +
                           std::to_string(unforecast) + " points not yet forecast at their start skipped)");
  }
  if (h.nulls > 0)
    result.notes.push_back(std::to_string(h.nulls) + " null values: missing points, left as gaps (never zero)");
  if (raw.empty() && options.allow_empty) return result;
  if (raw.empty()) return make_error(name + ": $.data: expected at least one point, got none");

  IntensitySeries series(zone, signal, origin);
  const auto where = [&](uint32_t ref) { return name + ": " + point_path(h.points[ref], h.nested); };
  auto appended = append_points(series, raw, where);
  if (!appended) return make_error(appended.error().message);
  std::string note = "WattTime " + (h.signal_type.empty() ? std::string("co2_moer") : h.signal_type) +
                     (factor == 1.0 ? ", " + h.units + " as g/kWh" : std::string(", lbs/MWh x 0.45359237"));
  if (!h.model_date.empty()) note += ", model " + h.model_date;
  if (!h.generated_at.empty()) note += ", generated " + printable(h.generated_at);
  if (!h.period_seen) result.notes.push_back("meta.data_point_period_seconds absent; assumed 300 s");
  series.set_provenance(Provenance{"watttime-v3-json", name, note});
  // A /v3/forecast answer says when it was issued; forecast/historical
  // holds many generations merged into one series, which has no one issue:
  // each generation is also kept whole with its own (result.issues).
  if (origin == Origin::kForecast && !h.nested && !h.generated_at.empty())
    if (auto t = parse_utc(h.generated_at)) series.set_issued(*t);
  if (origin == Origin::kForecast && h.nested) {
    std::vector<std::vector<RawPoint>> by_generation(h.generations.size());
    for (uint32_t i = 0; i < h.points.size(); ++i) {
      const auto& p = h.points[i];
      by_generation[p.generation].push_back(RawPoint{p.t_ms, *step, p.value * factor, false, i});
    }
    size_t kept = 0;
    for (size_t g = 0; g < by_generation.size(); ++g) {
      auto& pts = by_generation[g];
      if (pts.empty()) continue;
      std::stable_sort(pts.begin(), pts.end(),
                       [](const RawPoint& a, const RawPoint& b) { return a.start_ms < b.start_ms; });
      IntensitySeries issue(zone, signal, Origin::kForecast);
      // The reader already refuses times that do not increase within a
      // generation; should one still not make a series, the merged series
      // keeps its points and the note says which generation and why.
      if (auto ok = append_points(issue, pts, where); !ok) {
        result.notes.push_back("forecast generation $.data[" + std::to_string(h.generations[g].record) +
                               "] not kept as an issued forecast: " + ok.error().message);
        continue;
      }
      issue.set_provenance(series.provenance());
      issue.set_issued(UtcTime(Duration(h.generations[g].generated_ms)));
      result.issues.push_back(std::move(issue));
      ++kept;
    }
    result.notes.push_back(std::to_string(kept) +
                           " forecast generations also kept whole with their generated_at as issue time (for "
                           "simulate --plan-on issued)");
  }
  result.series.push_back(std::move(series));
  return result;
}

}  // namespace greenrun::intensity
