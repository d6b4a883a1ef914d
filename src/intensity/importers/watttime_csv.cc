// WattTime historical CSV export:
//
//   timestamp,MOER,MOER version,frequency
//   2020-01-01T00:00:00+00:00,1016.0,3.0,300
//
// Columns are matched by name, case-insensitively ("timestamp" or
// "point_time"; "MOER" or "value"; "frequency" optional), separated by ',' or
// ';' (taken from the header line). MOER is lbs/MWh (x 0.45359237 -> g/kWh),
// signal marginal, origin actual. `frequency` is the step in seconds of that
// row. When the column is absent or a cell is empty or "None" (WattTime's own
// 2018 exports), the step is the commonest gap between the rows' timestamps
// (a missing row stays a gap, it never stretches its predecessor), or 300 s,
// WattTime's documented step, for a single row. A step is shortened when the
// next row starts sooner. The file names no region, so --zone is required.
#include <string>
#include <vector>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/importers/json_walk.h"
#include "intensity/importers/raw_points.h"

namespace greenrun::intensity {

Result<ImportResult> import_watttime_csv(std::string_view text, const std::string& name,
                                         const ImportOptions& options) {
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  while (lines.next(line) && trim(line).empty()) {
  }
  if (trim(line).empty())
    return make_error(name + ":1: expected a WattTime CSV header (timestamp,MOER,MOER version,frequency), "
                      "got an empty file");
  const size_t header_line = lines.line_number();
  if (auto q = check_quotes_closed(line, name, header_line); !q) return make_error(q.error().message);
  const char sep = line.find(',') == std::string_view::npos && line.find(';') != std::string_view::npos ? ';' : ',';
  split_csv(line, f, scratch, sep);
  int col_time = -1, col_value = -1, col_freq = -1, col_version = -1;
  for (size_t i = 0; i < f.size(); ++i) {
    const std::string_view h = trim(f[i]);
    const int idx = static_cast<int>(i);
    if (iequals(h, "timestamp") || iequals(h, "point_time")) col_time = idx;
    else if (iequals(h, "moer") || iequals(h, "value")) col_value = idx;
    else if (iequals(h, "frequency")) col_freq = idx;
    else if (iequals(h, "moer version") || iequals(h, "version")) col_version = idx;
  }
  if (col_time < 0 || col_value < 0)
    return make_error(name + ":" + std::to_string(header_line) +
                      ": expected a WattTime CSV header with \"timestamp\" and \"MOER\" columns, got \"" +
                      printable(line, 80) + "\"");
  if (!options.zone)
    return make_error(name + ": WattTime CSV exports name no region; give --zone (e.g. CAISO_NORTH)");

  ImportResult result;
  result.format = Format::kWattTimeCsv;
  std::vector<RawPoint> raw;
  raw.reserve(text.size() / 40 + 1);
  std::string version;
  const size_t needed = static_cast<size_t>(std::max(col_time, col_value)) + 1;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const size_t ln = lines.line_number();
    auto at = [&](const std::string& msg) { return make_error(name + ":" + std::to_string(ln) + ": " + msg); };
    if (auto q = check_quotes_closed(line, name, ln); !q) return make_error(q.error().message);
    split_csv(line, f, scratch, sep);
    if (f.size() < needed)
      return at("expected at least " + std::to_string(needed) + " columns, got " + std::to_string(f.size()));
    auto t = parse_utc(f[static_cast<size_t>(col_time)]);
    if (!t) return at("column " + std::to_string(col_time + 1) + ": " + t.error().message);
    double v = 0;
    const std::string_view cell = f[static_cast<size_t>(col_value)];
    if (!parse_decimal(cell, v))
      return at("column " + std::to_string(col_value + 1) + ": expected a number, got \"" + printable(trim(cell)) +
                "\"");
    if (v < 0)
      return at("column " + std::to_string(col_value + 1) + ": expected a non-negative MOER, got " +
                printable(trim(cell)));
    int64_t step_ms = 0;  // 0: from the timestamps (below)
    if (col_freq >= 0 && static_cast<size_t>(col_freq) < f.size() && !trim(f[static_cast<size_t>(col_freq)]).empty() &&
        !iequals(trim(f[static_cast<size_t>(col_freq)]), "none")) {
      double secs = 0;
      const std::string_view fc = f[static_cast<size_t>(col_freq)];
      if (!parse_decimal(fc, secs))
        return at("column " + std::to_string(col_freq + 1) + ": expected a step in seconds, got \"" +
                  printable(trim(fc)) + "\"");
      auto s = step_from_seconds(secs);
      if (!s) return at("column " + std::to_string(col_freq + 1) + ": " + s.error().message);
      step_ms = *s;
    }
    if (version.empty() && col_version >= 0 && static_cast<size_t>(col_version) < f.size())
      version = printable(trim(f[static_cast<size_t>(col_version)]), 20);
    raw.push_back(RawPoint{t->time_since_epoch().count(), step_ms, v * CarbonIntensity::kLbsPerMwhToGPerKwh, false,
                           static_cast<uint32_t>(ln)});
  }
  if (raw.empty())
    return make_error(name + ":" + std::to_string(header_line + 1) + ": expected data rows after the header, got none");
  result.rows = raw.size();
  size_t from_timestamps = 0;
  int64_t gap = 0;
  for (const RawPoint& p : raw) from_timestamps += p.duration_ms == 0 ? 1 : 0;
  if (from_timestamps > 0) {
    gap = commonest_gap_ms(raw);
    if (gap > kMaxStepMs)
      return make_error(name + ":" + std::to_string(raw.front().ref) +
                        ": the commonest gap between rows is over 366 days; expected a frequency column");
    const bool assumed = gap == 0;
    if (assumed) gap = 300000;
    for (RawPoint& p : raw)
      if (p.duration_ms == 0) p.duration_ms = gap;
    result.notes.push_back(std::to_string(from_timestamps) + " row" + (from_timestamps == 1 ? "" : "s") +
                           " without a frequency: step " + std::to_string(gap / 1000) + " s " +
                           (assumed ? "(WattTime's documented step; a single row has no gap to measure)"
                                    : "(the commonest gap between the rows' timestamps)"));
  }
  IntensitySeries series(*options.zone, Signal::kMarginal, Origin::kActual);
  auto appended = append_points(series, raw, [&](uint32_t ref) { return name + ":" + std::to_string(ref); });
  if (!appended) return make_error(appended.error().message);
  std::string note = "WattTime MOER, lbs/MWh x 0.45359237";
  if (!version.empty()) note += ", MOER version " + version;
  series.set_provenance(Provenance{"watttime-csv", name, note});
  result.series.push_back(std::move(series));
  return result;
}

}  // namespace greenrun::intensity
