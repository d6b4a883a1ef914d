// UK Carbon Intensity API JSON (api.carbonintensity.org.uk), g CO2/kWh of the
// generation mix, so signal average-direct. Shapes accepted:
//
//   national   {"data":[{"from","to","intensity":{"forecast","actual","index"}}]}
//   regional   {"data":{"regionid","shortname",…,"data":[{"from","to","intensity":{…}}]}}
//   postcode / {"data":[{"regionid","shortname",…,"data":[…]}]}
//   country
//   all        {"data":[{"from","to","regions":[{"regionid","shortname","intensity":{…}}]}]}
//   regions
//
// Mapping:
// - Each period is a point [from, to).
// - National data gives two series: "actual" values -> Origin actual,
//   "forecast" values -> Origin forecast. Zone "GB", or --zone when given.
// - Regional data carries forecasts only -> Origin forecast, one series per
//   region, zone "GB-UKCI-<regionid>" (e.g. London, regionid 13 ->
//   GB-UKCI-13). The namespaced id cannot collide with Electricity Maps ids
//   (GB, GB-NIR, GB-ORK) or ISO 3166-2 codes (GB-LND); the region's shortname
//   goes into the provenance note. --zone accepts that id or the shortname
//   and keeps that region only (error when absent).
// - null (e.g. "actual" of future periods) is a missing point, never zero; the
//   count is reported in notes, null forecasts also in missing_values.
// - Series come forecast first, then actual, in order of first appearance.
// - {"error":{"code","message"}} (what the API answers for a bad request) is
//   an error quoting the API's message.
// - The live provider (providers/uk_carbon_intensity.cc) parses its answers
//   here too, with options.allow_empty.
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
constexpr int kNoRegion = -1;

enum class Shape : uint8_t { kNational, kRegional, kRegionArray, kAllRegions };

struct Record {
  int64_t from = kNoTime, to = kNoTime;
  double forecast = -1, actual = -1;  // -1: null or absent
  bool has_forecast_key = false, has_actual_key = false;
  int region = kNoRegion;  // index into regions, or kNoRegion (national)
  Shape shape = Shape::kNational;
  uint32_t i = 0, j = 0;  // indices for the JSON path
};

struct Region {
  long long id = -1;
  std::string shortname;
};

struct UkHandler final : JsonHandler {
  std::vector<Record> records;
  std::vector<Region> regions;
  Record period;  // $.data[i] (a national period or an all-regions period)
  Record cur;     // a region's period: $.data.data[j], $.data[i].data[j], $.data[i].regions[j]
  size_t period_first = 0;  // records.size() when $.data[i] began
  int single_region = -1;   // the region of the single-object shape
  int i_region = -1;        // the region of $.data[i] (postcode shape)
  size_t i_region_index = SIZE_MAX;
  bool data_seen = false;
  std::string api_error;  // $.error.code / $.error.message, joined

  static Status read_value(const JsonScalar& v, double& out, bool& key_seen) {
    key_seen = true;
    if (v.is_null()) return {};
    if (!v.is_number()) return make_error("expected a number or null, got " + v.describe());
    if (v.number < 0) return make_error("expected a non-negative intensity, got " + v.describe());
    out = v.number;
    return {};
  }
  Status region_field(Region& r, const JsonScalar& v, std::string_view key) {
    if (key == "regionid") {
      if (!v.is_number() || v.number < 0 || v.number > 1e6 ||
          v.number != static_cast<double>(static_cast<long long>(v.number)))
        return make_error("expected a whole region number, got " + v.describe());
      r.id = static_cast<long long>(v.number);
    } else if (key == "shortname" && v.is_string()) {
      r.shortname.assign(v.text);
    }
    return {};
  }
  int region_of_data_item(size_t i) {
    if (i_region_index != i) {
      regions.emplace_back();
      i_region = static_cast<int>(regions.size()) - 1;
      i_region_index = i;
    }
    return i_region;
  }
  static Record make_record(Shape shape, size_t i, size_t j, int region) {
    Record r;
    r.shape = shape;
    r.i = static_cast<uint32_t>(i);
    r.j = static_cast<uint32_t>(j);
    r.region = region;
    return r;
  }
  static Status validate(const Record& r) {
    if (r.from == kNoTime) return make_error("expected \"from\"");
    if (r.to == kNoTime) return make_error("expected \"to\"");
    if (!r.has_forecast_key && !r.has_actual_key) return make_error("expected \"intensity\" with \"forecast\"");
    if (r.to <= r.from)
      return make_error("expected \"to\" after \"from\", got " + format_utc(UtcTime(Duration(r.from))) + " to " +
                        format_utc(UtcTime(Duration(r.to))));
    if (r.to - r.from > kMaxStepMs) return make_error("expected a period of at most 366 days");
    return {};
  }
  Status on_begin(const JsonPath& p, bool is_array) override {
    const size_t d = p.depth();
    if (d == 1 && p.matches({"data"})) {
      data_seen = true;
      if (!is_array) {
        regions.emplace_back();
        single_region = static_cast<int>(regions.size()) - 1;
      }
    } else if (d == 2 && p.matches({"data", "[]"})) {
      if (is_array) return make_error("expected an object, got an array");
      period = make_record(Shape::kNational, p.index(1), 0, kNoRegion);
      period_first = records.size();
    } else if (d == 2 && p.matches({"data", "data"})) {
      if (!is_array) return make_error("expected an array of periods, got an object");
    } else if (d == 3 && p.matches({"data", "data", "[]"})) {
      if (is_array) return make_error("expected an object, got an array");
      cur = make_record(Shape::kRegional, p.index(2), 0, single_region);
    } else if (d == 3 && p.matches({"data", "[]", "data"})) {
      if (!is_array) return make_error("expected an array of periods, got an object");
      region_of_data_item(p.index(1));
    } else if (d == 4 && p.matches({"data", "[]", "data", "[]"})) {
      if (is_array) return make_error("expected an object, got an array");
      cur = make_record(Shape::kRegionArray, p.index(1), p.index(3), region_of_data_item(p.index(1)));
    } else if (d == 3 && p.matches({"data", "[]", "regions"})) {
      if (!is_array) return make_error("expected an array of regions, got an object");
    } else if (d == 4 && p.matches({"data", "[]", "regions", "[]"})) {
      if (is_array) return make_error("expected an object, got an array");
      regions.emplace_back();
      cur = make_record(Shape::kAllRegions, p.index(1), p.index(3), static_cast<int>(regions.size()) - 1);
    }
    return {};
  }

  Status on_scalar(const JsonPath& p, const JsonScalar& v) override {
    const size_t d = p.depth();
    if (d >= 1 && !p.is_index(0) && p.key(0) == "error" && v.is_string()) {
      api_error += (api_error.empty() ? "" : ": ") + printable(v.text);
      return {};
    }
    if (d == 1 && p.matches({"data"})) return make_error("expected an array or object, got " + v.describe());
    if (d == 2 && p.matches({"data", "[]"})) return make_error("expected an object, got " + v.describe());
    // Which record (and at which level its members start)?
    Record* r = nullptr;
    size_t base = 0;
    if (d >= 3 && p.is_index(1) && !p.is_index(0) && p.key(0) == "data") {
      if (d >= 5 && !p.is_index(2) && (p.key(2) == "data" || p.key(2) == "regions") && p.is_index(3)) {
        r = &cur;
        base = 4;
        if (d == 5 && (p.key(4) == "regionid" || p.key(4) == "shortname"))
          return region_field(regions[static_cast<size_t>(cur.region)], v, p.key(4));
      } else {
        r = &period;
        base = 2;
        if (d == 3 && (p.key(2) == "regionid" || p.key(2) == "shortname"))
          return region_field(regions[static_cast<size_t>(region_of_data_item(p.index(1)))], v, p.key(2));
      }
    } else if (d >= 2 && !p.is_index(1) && p.key(0) == "data" && !p.is_index(0)) {
      if (d == 2 && (p.key(1) == "regionid" || p.key(1) == "shortname") && single_region >= 0)
        return region_field(regions[static_cast<size_t>(single_region)], v, p.key(1));
      if (d >= 4 && p.key(1) == "data" && p.is_index(2)) {
        r = &cur;
        base = 3;
      }
    }
    if (r == nullptr || d <= base) return {};
    // Members of the record: from, to, intensity.forecast, intensity.actual.
    if (d == base + 1 && !p.is_index(base)) {
      if (p.key(base) == "from") return read_utc_ms(v, r->from);
      if (p.key(base) == "to") return read_utc_ms(v, r->to);
      if (p.key(base) == "intensity") return make_error("expected an object, got " + v.describe());
    } else if (d == base + 2 && !p.is_index(base) && p.key(base) == "intensity" && !p.is_index(base + 1)) {
      if (p.key(base + 1) == "forecast") return read_value(v, r->forecast, r->has_forecast_key);
      if (p.key(base + 1) == "actual") return read_value(v, r->actual, r->has_actual_key);
    }
    return {};
  }

  Status on_end(const JsonPath& p, bool) override {
    const size_t d = p.depth();
    if ((d == 3 && p.matches({"data", "data", "[]"})) || (d == 4 && p.matches({"data", "[]", "data", "[]"}))) {
      if (auto st = validate(cur); !st) return st;
      records.push_back(cur);
    } else if (d == 4 && p.matches({"data", "[]", "regions", "[]"})) {
      if (!cur.has_forecast_key && !cur.has_actual_key) return make_error("expected \"intensity\" with \"forecast\"");
      records.push_back(cur);  // from/to come from the period, which may list them after "regions"
    } else if (d == 2 && p.matches({"data", "[]"})) {
      const bool has_children = records.size() > period_first;
      if (has_children && records.back().shape == Shape::kAllRegions) {
        for (size_t k = period_first; k < records.size(); ++k) {
          records[k].from = period.from;
          records[k].to = period.to;
          if (auto st = validate(records[k]); !st) return st;
        }
      } else if (has_children) {
        // A region of the postcode shape; its periods were checked already.
      } else if (period.from != kNoTime || period.has_forecast_key || period.has_actual_key) {
        if (auto st = validate(period); !st) return st;
        records.push_back(period);
      } else if (i_region_index != p.index(1)) {
        return make_error("expected a period with \"from\", \"to\" and \"intensity\", or a region with \"data\"");
      }
    }
    return {};
  }
};

std::string record_path(const Record& r) {
  switch (r.shape) {
    case Shape::kNational: return "$.data[" + std::to_string(r.i) + "]";
    case Shape::kRegional: return "$.data.data[" + std::to_string(r.i) + "]";
    case Shape::kRegionArray: return "$.data[" + std::to_string(r.i) + "].data[" + std::to_string(r.j) + "]";
    case Shape::kAllRegions: return "$.data[" + std::to_string(r.i) + "].regions[" + std::to_string(r.j) + "]";
  }
  return "$";
}

}  // namespace

Result<ImportResult> import_uk_json(std::string_view text, const std::string& name, const ImportOptions& options) {
  UkHandler h;
  if (auto st = walk_json(text, name, h); !st) return make_error(st.error().message);
  if (!h.data_seen && !h.api_error.empty())
    return make_error(name + ": $: expected a UK Carbon Intensity response with \"data\", got an API error: " +
                      h.api_error);
  if (!h.data_seen) return make_error(name + ": $: expected a UK Carbon Intensity response with \"data\"");
  ImportResult result;
  result.format = Format::kUkJson;
  result.rows = h.records.size();
  if (h.records.empty() && options.allow_empty) return result;
  if (h.records.empty()) return make_error(name + ": $.data: expected at least one period, got none");

  // Region ids -> zone names; group records by (zone, origin) preserving order.
  struct Group {
    std::string zone;
    Origin origin;
    std::string shortname;
    std::vector<RawPoint> points;
  };
  std::vector<Group> groups;
  auto group_for = [&](const std::string& zone, Origin origin, const std::string& shortname) -> Group& {
    for (auto& g : groups)
      if (g.zone == zone && g.origin == origin) return g;
    groups.push_back(Group{zone, origin, shortname, {}});
    return groups.back();
  };
  size_t null_actual = 0, null_forecast = 0, not_selected = 0;
  bool any_regional = false;
  std::vector<std::string> region_zones;
  for (size_t k = 0; k < h.records.size(); ++k) {
    const Record& r = h.records[k];
    std::string zone, shortname;
    if (r.region == kNoRegion) {
      zone = options.zone.value_or("GB");
    } else {
      any_regional = true;
      const Region& reg = h.regions[static_cast<size_t>(r.region)];
      if (reg.id < 0) return make_error(name + ": " + record_path(r) + ": expected the region's \"regionid\"");
      zone = "GB-UKCI-" + std::to_string(reg.id);
      shortname = reg.shortname;
      if (std::find(region_zones.begin(), region_zones.end(), zone) == region_zones.end()) region_zones.push_back(zone);
      if (options.zone && !iequals(*options.zone, zone) && !iequals(*options.zone, shortname)) {
        ++not_selected;
        continue;
      }
    }
    const auto ref = static_cast<uint32_t>(k);
    if (r.forecast >= 0)
      group_for(zone, Origin::kForecast, shortname).points.push_back(RawPoint{r.from, r.to - r.from, r.forecast, false, ref});
    else if (r.has_forecast_key) ++null_forecast;
    if (r.actual >= 0) group_for(zone, Origin::kActual, shortname).points.push_back(RawPoint{r.from, r.to - r.from, r.actual, false, ref});
    else if (r.has_actual_key) ++null_actual;
  }
  if (any_regional && options.zone && groups.empty()) {
    std::string list;
    for (const auto& z : region_zones) list += (list.empty() ? "" : ", ") + z;
    return make_error(name + ": $.data: --zone " + *options.zone + " names none of the regions in the file (" +
                      list + ")");
  }
  result.missing_values = null_forecast;
  if (groups.empty() && options.allow_empty) {
    result.notes.push_back(std::to_string(null_forecast + null_actual) + " null values: no points");
    return result;
  }
  if (groups.empty()) return make_error(name + ": $.data: expected at least one non-null intensity, got none");

  // The all-regions shape interleaves regions by period; within a group the
  // periods must still increase.
  for (auto& g : groups) {
    IntensitySeries series(g.zone, Signal::kAverageDirect, g.origin);
    auto appended =
        append_points(series, g.points, [&](uint32_t ref) { return name + ": " + record_path(h.records[ref]); });
    if (!appended) return make_error(appended.error().message);
    std::string note = "UK Carbon Intensity API (National Grid ESO), g CO2/kWh, CC BY 4.0";
    if (!g.shortname.empty()) note += "; region " + g.shortname;
    series.set_provenance(Provenance{"uk-carbon-intensity-json", name, note});
    result.series.push_back(std::move(series));
  }
  if (null_actual > 0)
    result.notes.push_back(std::to_string(null_actual) + " periods have no actual value yet (null): left as gaps");
  if (null_forecast > 0)
    result.notes.push_back(std::to_string(null_forecast) + " periods have no forecast (null): left as gaps");
  if (not_selected > 0)
    result.notes.push_back(std::to_string(not_selected) + " periods of other regions skipped (--zone " +
                           *options.zone + ")");
  result.skipped_rows = not_selected;
  return result;
}

}  // namespace greenrun::intensity
