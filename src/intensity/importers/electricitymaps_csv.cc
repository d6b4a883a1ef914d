// Electricity Maps CSV downloads: hourly (or 5/15-minute, daily, monthly,
// yearly) files with two header generations. Columns are matched by name,
// case-insensitively, with the subscript "₂" or ASCII "2" accepted. The zone
// comes from the Zone Id column, never from the file name (green-dcc's
// DE-LU_* files hold Zone Id "DE").
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "base/text_reader.h"
#include "base/time_format.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {
namespace {

// Lower-cases and maps "co₂" to "co2" so both spellings compare equal.
std::string normalise_header(std::string_view h) {
  std::string out;
  out.reserve(h.size());
  for (size_t i = 0; i < h.size(); ++i) {
    const auto c = static_cast<unsigned char>(h[i]);
    // U+2082 SUBSCRIPT TWO is E2 82 82.
    if (c == 0xE2 && i + 2 < h.size() && static_cast<unsigned char>(h[i + 1]) == 0x82 &&
        static_cast<unsigned char>(h[i + 2]) == 0x82) {
      out.push_back('2');
      i += 2;
      continue;
    }
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  return std::string(trim(out));
}

// The step implied by the file name (…_5_minute.csv, …_daily.csv); hourly otherwise.
Duration step_from_name(std::string_view name) {
  using namespace std::chrono;
  if (name.find("5_minute") != std::string_view::npos) return duration_cast<Duration>(minutes(5));
  if (name.find("15_minute") != std::string_view::npos) return duration_cast<Duration>(minutes(15));
  if (name.find("_daily") != std::string_view::npos) return duration_cast<Duration>(hours(24));
  return duration_cast<Duration>(hours(1));
}

bool parse_double(std::string_view s, double& v) {
  s = trim(s);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(v);
}

}  // namespace

Result<ImportResult> import_electricitymaps_csv(std::string_view text, const std::string& name,
                                                const ImportOptions& options) {
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  if (!lines.next(line) || trim(line).empty())
    return make_error(name + ":1: expected an Electricity Maps CSV header, got an empty file");
  split_csv(line, f, scratch);
  int col_time = -1, col_zone = -1, col_direct = -1, col_lca = -1, col_est = -1;
  for (size_t i = 0; i < f.size(); ++i) {
    const std::string h = normalise_header(f[i]);
    const int idx = static_cast<int>(i);
    if (h == "datetime (utc)") col_time = idx;
    else if (h == "zone id") col_zone = idx;
    else if (h.starts_with("carbon intensity gco2eq/kwh (direct)")) col_direct = idx;
    else if (h.starts_with("carbon intensity gco2eq/kwh (lca)") ||
             h.starts_with("carbon intensity gco2eq/kwh (life cycle)"))
      col_lca = idx;
    else if (h == "data estimated") col_est = idx;
  }
  const bool want_direct = options.electricitymaps_signal == Signal::kAverageDirect;
  const int col_value = want_direct ? col_direct : col_lca;
  if (col_time < 0 || col_zone < 0 || col_value < 0) {
    return make_error(name + ":1: expected an Electricity Maps header with \"Datetime (UTC)\", \"Zone Id\" and "
                      "\"Carbon Intensity gCO2eq/kWh (" + std::string(want_direct ? "direct" : "LCA / Life cycle") +
                      ")\" columns");
  }
  const Duration step = step_from_name(name);
  const size_t needed = static_cast<size_t>(std::max({col_time, col_zone, col_value, col_est})) + 1;

  ImportResult result;
  result.format = Format::kElectricityMapsCsv;
  struct Row {
    UtcTime t;
    double v;
    bool est;
    size_t line;
  };
  std::vector<Row> rows;
  rows.reserve(text.size() / 90 + 1);
  std::string zone;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const size_t ln = lines.line_number();
    split_csv(line, f, scratch);
    if (f.size() < needed)
      return make_error(name + ":" + std::to_string(ln) + ": expected at least " + std::to_string(needed) +
                        " columns, got " + std::to_string(f.size()));
    auto t = parse_utc(f[static_cast<size_t>(col_time)]);
    if (!t)
      return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_time + 1) + ": " +
                        t.error().message);
    const std::string_view z = trim(f[static_cast<size_t>(col_zone)]);
    if (z.empty())
      return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_zone + 1) +
                        ": expected a Zone Id, got an empty cell");
    if (zone.empty()) {
      zone = std::string(z);
      if (options.zone && !iequals(*options.zone, zone))
        return make_error(name + ":" + std::to_string(ln) + ": Zone Id \"" + zone +
                          "\" contradicts --zone " + *options.zone);
    } else if (z != zone) {
      return make_error(name + ":" + std::to_string(ln) + ": expected one zone per file (\"" + zone +
                        "\"), got \"" + std::string(z) + "\"");
    }
    double v = 0;
    const std::string_view cell = f[static_cast<size_t>(col_value)];
    if (!parse_double(cell, v))
      return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_value + 1) +
                        ": expected a number, got \"" + std::string(trim(cell)) + "\"");
    if (v < 0)
      return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_value + 1) +
                        ": expected a non-negative intensity, got " + std::string(trim(cell)));
    bool est = false;
    if (col_est >= 0) {
      const std::string_view e = trim(f[static_cast<size_t>(col_est)]);
      if (iequals(e, "true")) est = true;
      else if (!e.empty() && !iequals(e, "false"))
        return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_est + 1) +
                          ": expected true or false, got \"" + std::string(e) + "\"");
    }
    rows.push_back(Row{*t, v, est, ln});
  }
  if (rows.empty()) return make_error(name + ":2: expected data rows after the header, got none");
  IntensitySeries series(zone, options.electricitymaps_signal, Origin::kActual);
  series.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    // Each point lasts one step; a shorter distance to the next row (mixed
    // resolution) shortens it. A longer distance leaves an explicit gap.
    Duration d = step;
    if (i + 1 < rows.size() && rows[i + 1].t > rows[i].t && rows[i + 1].t - rows[i].t < d)
      d = rows[i + 1].t - rows[i].t;
    auto ok = series.append(rows[i].t, d, CarbonIntensity::grams_per_kwh(rows[i].v), rows[i].est);
    if (!ok) return make_error(name + ":" + std::to_string(rows[i].line) + ": " + ok.error().message);
    if (rows[i].est) ++result.estimated_rows;
  }
  result.rows = rows.size();
  series.set_provenance(Provenance{"electricitymaps-csv", name, "Data (c) Electricity Maps, ODbL 1.0"});
  result.series.push_back(std::move(series));
  return result;
}

}  // namespace greenrun::intensity
