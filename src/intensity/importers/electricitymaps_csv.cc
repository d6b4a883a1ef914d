// Electricity Maps CSV downloads: hourly (or 5/15-minute, daily, monthly,
// yearly) files with two header generations. The step is taken from the
// rows' timestamps (calendar months and years for monthly and yearly files);
// the file name only confirms it, or gives it for a single-row file. Columns are matched by name,
// case-insensitively, with the subscript "₂" or ASCII "2" accepted. The zone
// comes from the Zone Id column, never from the file name (green-dcc's
// DE-LU_* files hold Zone Id "DE").
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "intensity/importers/raw_points.h"

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

// A row's step: a fixed length (5 min, 15 min, 1 h, 1 day) or a calendar
// month or year (monthly and yearly files), whose lengths vary.
struct Step {
  enum Kind { kFixed, kMonth, kYear } kind = kFixed;
  int64_t ms = 0;  // kFixed only
  bool operator==(const Step&) const = default;
  bool operator<(const Step& o) const { return kind != o.kind ? kind < o.kind : ms < o.ms; }
};

std::string describe(const Step& s) {
  switch (s.kind) {
    case Step::kMonth: return "one month";
    case Step::kYear: return "one year";
    case Step::kFixed: break;
  }
  if (s.ms % 86'400'000 == 0) return std::to_string(s.ms / 86'400'000) + " d";
  if (s.ms % 3'600'000 == 0) return std::to_string(s.ms / 3'600'000) + " h";
  if (s.ms % 60'000 == 0) return std::to_string(s.ms / 60'000) + " min";
  return std::to_string(s.ms) + " ms";
}

// The step the file name claims (<ZONE>_<YEAR>_<5_minute|15_minute|hourly|
// daily|monthly|yearly>.csv); none for other names.
std::optional<Step> step_from_name(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string n = to_lower(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (n.find("_15_minute") != std::string::npos) return Step{Step::kFixed, 15 * 60'000};
  if (n.find("_5_minute") != std::string::npos) return Step{Step::kFixed, 5 * 60'000};
  if (n.find("_hourly") != std::string::npos) return Step{Step::kFixed, 3'600'000};
  if (n.find("_daily") != std::string::npos) return Step{Step::kFixed, 86'400'000};
  if (n.find("_monthly") != std::string::npos) return Step{Step::kMonth, 0};
  if (n.find("_yearly") != std::string::npos) return Step{Step::kYear, 0};
  return std::nullopt;
}

// The start of the month (or year) after the one holding t.
UtcTime next_calendar(UtcTime t, Step::Kind kind) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(t)};
  const year_month first = kind == Step::kYear ? year_month{ymd.year() + years{1}, January}
                                               : year_month{ymd.year(), ymd.month()} + months{1};
  return time_point_cast<Duration>(sys_days{first / 1});
}

bool at_month_start(UtcTime t) {
  using namespace std::chrono;
  const auto d = floor<days>(t);
  return t == d && year_month_day{d}.day() == day{1};
}

// What the gap from a to b says about the step.
std::optional<Step> step_between(UtcTime a, UtcTime b) {
  if (b <= a) return std::nullopt;
  if (at_month_start(a) && at_month_start(b)) {
    using namespace std::chrono;
    const year_month_day ya{floor<days>(a)};
    if (ya.month() == January && b == next_calendar(a, Step::kYear)) return Step{Step::kYear, 0};
    if (b == next_calendar(a, Step::kMonth)) return Step{Step::kMonth, 0};
  }
  return Step{Step::kFixed, (b - a).count()};
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
  if (auto q = check_quotes_closed(line, name, lines.line_number()); !q) return make_error(q.error().message);
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
    if (auto q = check_quotes_closed(line, name, ln); !q) return make_error(q.error().message);
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
    if (auto plausible = check_plausible(v); !plausible)
      return make_error(name + ":" + std::to_string(ln) + ": column " + std::to_string(col_value + 1) + ": " +
                        plausible.error().message);
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
  // The step comes from the rows: the commonest step between consecutive
  // timestamps (a missing row stays a gap). The file name only confirms it;
  // when they disagree the rows win and a note says so (docs/formats.md).
  std::map<Step, size_t> seen;
  for (size_t i = 0; i + 1 < rows.size(); ++i)
    if (auto s = step_between(rows[i].t, rows[i + 1].t)) ++seen[*s];
  const std::optional<Step> named = step_from_name(name);
  Step step;
  if (!seen.empty()) {
    size_t best = 0;
    for (const auto& [s, n] : seen)
      if (n > best) {
        step = s;
        best = n;
      }
    if (step.kind == Step::kFixed && step.ms > kMaxStepMs)
      return make_error(name + ":" + std::to_string(rows.front().line) +
                        ": the commonest gap between rows is over 366 days; expected hourly to yearly rows");
    if (named && !(*named == step))
      result.notes.push_back("the file name says a step of " + describe(*named) + " but the rows are " +
                             describe(step) + " apart; the rows' step is used");
  } else if (named) {
    step = *named;
  } else if (rows.size() > 1) {
    // No row follows another: the append below names the duplicate or
    // backward timestamp, which is the real fault.
    step = Step{Step::kFixed, 3'600'000};
  } else {
    return make_error(name + ":" + std::to_string(rows.front().line) +
                      ": a single row, and the file name does not give its step; expected a name ending in "
                      "_5_minute, _15_minute, _hourly, _daily, _monthly or _yearly .csv");
  }
  IntensitySeries series(zone, options.electricitymaps_signal, Origin::kActual);
  series.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    // Each point lasts one step; a shorter distance to the next row (mixed
    // resolution) shortens it. A longer distance leaves an explicit gap.
    Duration d = step.kind == Step::kFixed ? Duration(step.ms) : next_calendar(rows[i].t, step.kind) - rows[i].t;
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
