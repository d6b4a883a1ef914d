// Carbon Aware SDK (Green Software Foundation) JSON, g CO2e/kWh:
//
//   EmissionsData    [{"location","time","rating","duration":"00:05:00"}]
//   data file        {"Emissions":[{"Location","Time","Rating","Duration":"08:00:00"}]}
//   forecasts        [{"generatedAt","location",…,"forecastData":[{"location",
//                      "timestamp","duration":30,"value"}],"optimalDataPoints":[…]}]
//   average          [{"location","startTime","endTime","carbonIntensity"}]
//
// Mapping:
// - Member names are matched case-insensitively (the data file is
//   PascalCase, the WebAPI camelCase); a leading UTF-8 BOM is skipped.
// - One series per (location, origin); zone = the location as written
//   ("eastus", "us-east-1"). forecastData -> Origin forecast (the
//   optimalDataPoints are a subset and are ignored); everything else actual.
// - A forecast's generatedAt is its issue time (store schema 3): forecasts
//   of one location with different generatedAt become separate series,
//   each with its issue time (imported in file order).
// - rating/value may be a number or a numeric string ("0.6").
// - duration: a TimeSpan string ("00:05:00", "01:00" = 1 h, "1.00:00:00")
//   or a number of minutes (forecastData). When absent, a point lasts until
//   the next point of its location, the last one as long as the one before;
//   a location with a single point and no duration is skipped (noted).
// - forecastData holds rolling means over windowSize minutes that advance by
//   the data step; overlapping windows are shortened to the step, and the
//   notes say so.
// - The SDK does not say which signal its source provides: the signal is
//   options.carbon_aware_signal (default marginal, WattTime being the SDK's
//   usual source) and the provenance says it was assumed.
#include <algorithm>
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

enum class Shape : uint8_t { kArray, kEmissions, kForecast, kForecastObject };

struct Record {
  int64_t t = kNoTime, end = kNoTime;
  int64_t duration_ms = 0;  // 0: not given
  double value = -1;
  bool has_value = false;
  int location = -1;
  Shape shape = Shape::kArray;
  uint32_t i = 0, j = 0;
  int64_t generated = kNoTime;  // a forecast point: its container's generatedAt
};

struct CarbonAwareHandler final : JsonHandler {
  std::vector<Record> records;
  std::vector<std::string> locations;
  Record cur;
  bool in_record = false;
  // A forecast container ($[i] or $): its location is the default for its
  // forecastData points, and may come after them.
  size_t parent_first = 0;
  int parent_location = -1;
  int64_t parent_generated = kNoTime;
  bool parent_has_forecast = false;
  bool shape_seen = false;

  explicit CarbonAwareHandler(size_t expected) { records.reserve(expected); }

  int location_id(std::string_view s) {
    for (size_t k = locations.size(); k-- > 0;)
      if (locations[k] == s) return static_cast<int>(k);
    locations.emplace_back(s);
    return static_cast<int>(locations.size()) - 1;
  }

  // Level at which a record's members are, or 0 when the path is not in one.
  static size_t record_base(const JsonPath& p, Shape& shape) {
    const size_t d = p.depth();
    if (d >= 1 && p.is_index(0)) {
      if (d >= 3 && !p.is_index(1) && iequals(p.key(1), "forecastData") && p.is_index(2)) {
        shape = Shape::kForecast;
        return 3;
      }
      shape = Shape::kArray;
      return 1;
    }
    if (d >= 2 && !p.is_index(0) && p.is_index(1)) {
      if (iequals(p.key(0), "Emissions")) {
        shape = Shape::kEmissions;
        return 2;
      }
      if (iequals(p.key(0), "forecastData")) {
        shape = Shape::kForecastObject;
        return 2;
      }
    }
    return 0;
  }

  Status on_begin(const JsonPath& p, bool is_array) override {
    const size_t d = p.depth();
    if (d == 0) {
      shape_seen = is_array;
      parent_first = records.size();
      parent_location = -1;
      parent_generated = kNoTime;
      parent_has_forecast = false;
      return {};
    }
    if (d == 1 && p.is_index(0)) {  // $[i]: a record or a forecast container
      if (is_array) return make_error("expected an object, got an array");
      parent_first = records.size();
      parent_location = -1;
      parent_generated = kNoTime;
      parent_has_forecast = false;
      begin_record(Shape::kArray, p.index(0), 0);
      return {};
    }
    if (d == 1 && (iequals(p.key(0), "Emissions") || iequals(p.key(0), "forecastData"))) {
      if (!is_array) return make_error("expected an array, got an object");
      shape_seen = true;
      if (iequals(p.key(0), "forecastData")) parent_has_forecast = true;
      return {};
    }
    if (d == 2 && p.is_index(0) && iequals(p.key(1), "forecastData")) {
      if (!is_array) return make_error("expected an array, got an object");
      parent_has_forecast = true;
      in_record = false;
      return {};
    }
    Shape shape = Shape::kArray;
    const size_t base = record_base(p, shape);
    if (base == d && base >= 2) {
      if (is_array) return make_error("expected an object, got an array");
      begin_record(shape, p.index(shape == Shape::kForecast ? 0 : 1), shape == Shape::kForecast ? p.index(2) : 0);
    }
    return {};
  }

  void begin_record(Shape shape, size_t i, size_t j) {
    cur = Record{};
    cur.shape = shape;
    cur.i = static_cast<uint32_t>(i);
    cur.j = static_cast<uint32_t>(j);
    in_record = true;
  }


  Status on_scalar(const JsonPath& p, const JsonScalar& v) override {
    const size_t d = p.depth();
    if (d == 1 && p.is_index(0)) return make_error("expected an object, got " + v.describe());
    // The container's own location ($[i].location next to forecastData,
    // $.location next to a top-level forecastData); for an EmissionsData
    // record $[i].location is also the record's, read below.
    const bool container_location = ((d == 2 && p.is_index(0) && !p.is_index(1)) || (d == 1 && !p.is_index(0))) &&
                                     iequals(p.key(d - 1), "location") && v.is_string();
    int loc = -1;
    if (container_location) parent_location = loc = location_id(v.text);
    // The container's generatedAt: when its forecast was issued.
    if (((d == 2 && p.is_index(0) && !p.is_index(1)) || (d == 1 && !p.is_index(0))) &&
        iequals(p.key(d - 1), "generatedAt") && !v.is_null())
      if (auto st = read_utc_ms(v, parent_generated); !st) return st;
    Shape shape = Shape::kArray;
    const size_t base = record_base(p, shape);
    if (base == 0 || d != base + 1 || !in_record) return {};
    const std::string_view k = p.key(base);
    if (iequals(k, "location")) {
      if (!v.is_string()) return make_error("expected a location string, got " + v.describe());
      cur.location = loc >= 0 ? loc : location_id(v.text);
    } else if (iequals(k, "time") || iequals(k, "timestamp") || iequals(k, "startTime")) {
      return read_utc_ms(v, cur.t);
    } else if (iequals(k, "endTime")) {
      return read_utc_ms(v, cur.end);
    } else if (iequals(k, "rating") || iequals(k, "value") || iequals(k, "carbonIntensity")) {
      double x = 0;
      if (v.is_number()) x = v.number;
      else if (v.is_string() && parse_decimal(v.text, x)) {
      } else {
        return make_error("expected a number, got " + v.describe());
      }
      if (x < 0) return make_error("expected a non-negative intensity, got " + v.describe());
      cur.value = x;
      cur.has_value = true;
    } else if (iequals(k, "duration")) {
      if (v.is_number()) {
        auto s = step_from_seconds(v.number * 60.0);
        if (!s) return make_error(s.error().message);
        cur.duration_ms = *s;
      } else if (v.is_string()) {
        auto span = parse_timespan(v.text);
        if (!span) return make_error(span.error().message);
        if (span->count() <= 0 || span->count() > kMaxStepMs)
          return make_error("expected a duration between 1 ms and 366 days, got " + v.describe());
        cur.duration_ms = span->count();
      } else if (!v.is_null()) {
        return make_error("expected a TimeSpan string or minutes, got " + v.describe());
      }
    }
    return {};
  }

  Status on_end(const JsonPath& p, bool) override {
    const size_t d = p.depth();
    Shape shape = Shape::kArray;
    const size_t base = d == 0 ? 0 : record_base(p, shape);
    if (d >= 1 && base == d && in_record) {
      in_record = false;
      const bool container = d == 1 && parent_has_forecast;
      if (!container) {
        if (cur.t == kNoTime && !cur.has_value && shape == Shape::kArray)
          return make_error("expected an emissions record with time and rating, or a forecast with forecastData");
        if (cur.t == kNoTime) return make_error("expected \"time\" (or \"timestamp\")");
        if (!cur.has_value) return make_error("expected \"rating\" (or \"value\")");
        if (cur.end != kNoTime) {
          if (cur.end <= cur.t) return make_error("expected endTime after startTime");
          if (cur.end - cur.t > kMaxStepMs) return make_error("expected a period of at most 366 days");
          cur.duration_ms = cur.end - cur.t;
        }
        records.push_back(cur);
      }
    }
    // End of a forecast container: points without their own location take its.
    if ((d == 1 && p.is_index(0)) || d == 0) {
      for (size_t k = parent_first; k < records.size(); ++k) {
        if (records[k].location < 0) {
          if (parent_location < 0) return make_error("expected a \"location\"");
          records[k].location = parent_location;
        }
        if (records[k].shape == Shape::kForecast || records[k].shape == Shape::kForecastObject)
          records[k].generated = parent_generated;
      }
      parent_first = records.size();
      parent_has_forecast = false;
    }
    return {};
  }
};

std::string record_path(const Record& r) {
  switch (r.shape) {
    case Shape::kArray: return "$[" + std::to_string(r.i) + "]";
    case Shape::kEmissions: return "$.Emissions[" + std::to_string(r.i) + "]";
    case Shape::kForecast: return "$[" + std::to_string(r.i) + "].forecastData[" + std::to_string(r.j) + "]";
    case Shape::kForecastObject: return "$.forecastData[" + std::to_string(r.i) + "]";
  }
  return "$";
}

}  // namespace

Result<ImportResult> import_carbon_aware_json(std::string_view text, const std::string& name,
                                              const ImportOptions& options) {
  CarbonAwareHandler h(text.size() / 100 + 1);
  if (auto st = walk_json(text, name, h); !st) return make_error(st.error().message);
  if (!h.shape_seen)
    return make_error(name + ": $: expected a Carbon Aware SDK array of emissions or forecasts, or an object with "
                      "\"Emissions\"");
  if (h.records.empty()) return make_error(name + ": $: expected at least one emissions record, got none");

  ImportResult result;
  result.format = Format::kCarbonAwareJson;
  result.rows = h.records.size();

  struct Group {
    int location;
    Origin origin;
    int64_t generated;  // forecasts: one series per location and generatedAt
    std::vector<RawPoint> points;
  };
  std::vector<Group> groups;
  size_t not_selected = 0;
  const bool one_location = h.locations.size() == 1;
  for (size_t k = 0; k < h.records.size(); ++k) {
    const Record& r = h.records[k];
    const std::string& loc = h.locations[static_cast<size_t>(r.location)];
    if (options.zone && !iequals(*options.zone, loc)) {
      if (one_location)
        return make_error(name + ": " + record_path(r) + ".location: location \"" + printable(loc) +
                          "\" contradicts --zone " + *options.zone);
      ++not_selected;
      continue;
    }
    const Origin origin =
        r.shape == Shape::kForecast || r.shape == Shape::kForecastObject ? Origin::kForecast : Origin::kActual;
    Group* g = nullptr;
    for (auto& x : groups)
      if (x.location == r.location && x.origin == origin && x.generated == r.generated) g = &x;
    if (g == nullptr) {
      groups.push_back(Group{r.location, origin, r.generated, {}});
      g = &groups.back();
    }
    g->points.push_back(RawPoint{r.t, r.duration_ms, r.value, false, static_cast<uint32_t>(k)});
  }
  if (groups.empty()) {
    std::string list;
    for (size_t k = 0; k < h.locations.size() && k < 30; ++k) list += (k ? ", " : "") + printable(h.locations[k]);
    return make_error(name + ": $: --zone " + *options.zone + " names none of the locations in the file (" + list +
                      ")");
  }
  const auto where = [&](uint32_t ref) { return name + ": " + record_path(h.records[ref]); };
  size_t lone = 0, shortened_total = 0;
  for (auto& g : groups) {
    const std::string& loc = h.locations[static_cast<size_t>(g.location)];
    if (g.points.size() == 1 && g.points[0].duration_ms == 0) {
      ++lone;
      result.notes.push_back("location " + printable(loc) + ": a single point without a duration; skipped");
      continue;
    }
    if (auto st = fill_missing_durations(g.points, where); !st) return make_error(st.error().message);
    IntensitySeries series(loc, options.carbon_aware_signal, g.origin);
    auto shortened = append_points(series, g.points, where);
    if (!shortened) return make_error(shortened.error().message);
    if (g.origin == Origin::kForecast) shortened_total += *shortened;
    series.set_provenance(Provenance{"carbon-aware-sdk-json", name,
                                     "Carbon Aware SDK, g CO2e/kWh; signal " +
                                         std::string(to_string(options.carbon_aware_signal)) +
                                         " assumed (the SDK does not say which its source provides)"});
    if (g.origin == Origin::kForecast && g.generated != kNoTime) series.set_issued(UtcTime(Duration(g.generated)));
    result.series.push_back(std::move(series));
  }
  if (result.series.empty()) return make_error(name + ": $: expected a location with a usable series, got none");
  if (shortened_total > 0)
    result.notes.push_back(std::to_string(shortened_total) +
                           " forecast points overlap the next (rolling windows longer than the data step); each "
                           "was cut to the step");
  if (not_selected > 0)
    result.notes.push_back(std::to_string(not_selected) + " records of other locations skipped (--zone " +
                           *options.zone + ")");
  result.skipped_rows = not_selected + lone;
  return result;
}

}  // namespace greenrun::intensity
