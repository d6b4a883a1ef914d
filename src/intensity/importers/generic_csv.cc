// Generic "time,value" CSV for data from anywhere else:
//
//   time,value                      (the header is optional)
//   2024-03-01T00:00:00Z,312.5
//   2024-03-01 01:00,298
//
// The first column is the interval start, the second the intensity; further
// columns are ignored. A first row whose first cell is not a time is a
// header. Options: unit (g/kWh, lbs/MWh, kg/kWh, t/kWh; converted to g/kWh),
// the offset for times written without one (generic_tz_offset_minutes), the
// step (default: the gap to the next row, the last row repeating the step
// before it; give the step when rows may be missing, or a missing row
// silently stretches its predecessor), signal and origin. The file names no
// zone: --zone is required. Separator: ',' or ';' (detected from the first
// line), so European spreadsheet exports work too.
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

// The instant of `text` in `tz` (text written with its own offset is taken
// as written). A wall time in a DST gap is an error; one in an overlap is
// the earlier instant unless that is not after `previous` (the second pass
// through the repeated hour), then the later.
Result<UtcTime> in_zone(std::string_view text, const TimeZone& tz, const std::optional<UtcTime>& previous) {
  auto wall = parse_utc(text, 0);
  if (!wall) return std::unexpected(wall.error());
  if (auto shifted = parse_utc(text, 60); shifted && *shifted == *wall) return *wall;  // an explicit offset
  std::vector<UtcTime> candidates;
  for (const Duration probe : {Duration(0), Duration(-std::chrono::hours(26)), Duration(std::chrono::hours(26))}) {
    const int64_t off = tz.offset_seconds(*wall + probe);
    const UtcTime c = *wall - std::chrono::seconds(off);
    if (tz.offset_seconds(c) == off && std::find(candidates.begin(), candidates.end(), c) == candidates.end())
      candidates.push_back(c);
  }
  if (candidates.empty())
    return make_error("local time " + std::string(trim(text)) + " does not exist in " + tz.name() +
                      " (the clocks jump forward over it)");
  std::sort(candidates.begin(), candidates.end());
  if (previous && candidates.front() <= *previous && candidates.back() > *previous) return candidates.back();
  return candidates.front();
}

}  // namespace

Result<ImportResult> import_generic_csv(std::string_view text, const std::string& name,
                                        const ImportOptions& options) {
  auto factor = intensity_unit_factor(options.generic_unit);
  if (!factor) return make_error(name + ": --unit: " + factor.error().message);
  if (!options.zone) return make_error(name + ": a generic time,value CSV names no zone; give --zone");
  if (options.generic_tz_offset_minutes < -18 * 60 || options.generic_tz_offset_minutes > 18 * 60)
    return make_error(name + ": --tz: expected an offset within +-18:00");
  int64_t fixed_step = 0;
  if (options.generic_step) {
    if (options.generic_step->count() <= 0 || options.generic_step->count() > kMaxStepMs)
      return make_error(name + ": --step: expected a step between 1 ms and 366 days");
    fixed_step = options.generic_step->count();
  }

  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  char sep = ',';
  bool first = true;
  std::vector<RawPoint> raw;
  raw.reserve(text.size() / 24 + 1);
  std::optional<UtcTime> previous;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const size_t ln = lines.line_number();
    auto at = [&](const std::string& msg) { return make_error(name + ":" + std::to_string(ln) + ": " + msg); };
    if (auto q = check_quotes_closed(line, name, ln); !q) return make_error(q.error().message);
    if (first && line.find(',') == std::string_view::npos && line.find(';') != std::string_view::npos) sep = ';';
    split_csv(line, f, scratch, sep);
    auto t = parse_utc(f[0], options.generic_tz_offset_minutes);
    if (t && options.generic_tz) {
      auto local = in_zone(f[0], *options.generic_tz, previous);
      if (!local) return at("column 1: " + local.error().message);
      t = *local;
    }
    if (!t) {
      if (first) {  // a header
        first = false;
        if (f.size() < 2)
          return at("expected a header \"time,value\" or a first row of two columns, got \"" + printable(line) + "\"");
        continue;
      }
      return at("column 1: " + t.error().message);
    }
    first = false;
    if (f.size() < 2) return at("expected two columns (time,value), got one");
    double v = 0;
    if (!parse_decimal(f[1], v))
      return at("column 2: expected a number, got \"" + printable(trim(f[1])) + "\"");
    if (v < 0) return at("column 2: expected a non-negative intensity, got " + printable(trim(f[1])));
    raw.push_back(RawPoint{t->time_since_epoch().count(), fixed_step, v * *factor, false, static_cast<uint32_t>(ln)});
    previous = *t;
  }
  if (raw.empty()) return make_error(name + ": expected time,value rows, got none");
  const auto where = [&](uint32_t ref) { return name + ":" + std::to_string(ref); };
  if (auto st = fill_missing_durations(raw, where); !st) return make_error(st.error().message);

  ImportResult result;
  result.format = Format::kGenericCsv;
  result.rows = raw.size();
  IntensitySeries series(*options.zone, options.generic_signal, options.generic_origin);
  auto appended = append_points(series, raw, where);
  if (!appended) return make_error(appended.error().message);
  series.set_provenance(Provenance{"generic-csv", name,
                                   "time,value CSV in " + options.generic_unit + "; signal " +
                                       std::string(to_string(options.generic_signal)) + " as given by the user"});
  if (!options.generic_step) result.notes.push_back("step taken from the gap to the next row");
  result.series.push_back(std::move(series));
  return result;
}

}  // namespace greenrun::intensity
