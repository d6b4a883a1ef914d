// `greenrun intensity import|list|show|stats`: fills and reads the local
// intensity store (src/intensity/store.h). Every command prints the store
// path it used (text output) and the provenance of the figures it shows.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "commands.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/intensity/importers/import_options.h"
#include "greenrun/intensity/stored_series.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/intensity_import.h"
#include "greenrun/stored_data.h"

namespace greenrun::cli {
namespace {

using intensity::ImportRecord;
using intensity::SeriesKey;
using intensity::StoredSeriesInfo;
using json = nlohmann::ordered_json;

struct ImportFlags {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string zone;
  std::string region;
  std::string signal;  // Electricity Maps column
  // Generic CSV only; empty = not given.
  std::string unit, tz, step, origin, generic_signal;
  // WattTime JSON / Carbon Aware JSON.
  std::string watttime_origin, carbon_aware_signal;
  bool nulls_as_gaps = false;
  std::string issued;  // empty: not given
};

struct ShowFlags {
  std::string zone;
  std::string region;
  std::string from, to;
  std::string signal, origin;
  bool csv = false;
  bool json = false;
};

struct Flags {
  ImportFlags import;
  ShowFlags show;
  bool list_json = false;
  bool stats_json = false;
};

int fail(const Context& ctx, const std::string& message) {
  return report_error(ctx, Error{message, ErrorKind::kFailure});
}
int usage(const Context& ctx, const std::string& message) {
  return report_error(ctx, Error{message, ErrorKind::kUsage});
}

std::string describe(const SeriesKey& k) {
  return k.zone + " " + std::string(to_string(k.signal)) + " (" + std::string(to_string(k.origin)) + ")";
}

std::string percent(size_t part, size_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

json import_json(const ImportRecord& r) {
  return json{{"id", r.id},
              {"source", r.provenance.source},
              {"origin", r.provenance.origin},
              {"note", r.provenance.note},
              {"imported_at", format_utc(r.imported_at)},
              // A forecast's issue time; null when not known (actual data,
              // and forecasts imported before store schema 3).
              {"issued", r.issued ? json(format_utc(*r.issued)) : json(nullptr)}};
}

std::string import_line(const ImportRecord& r) {
  std::string s = fmt::format("  [{}] {}: {} (imported {}{})", r.id, r.provenance.source, r.provenance.origin,
                              format_utc(r.imported_at), r.issued ? ", issued " + format_utc(*r.issued) : "");
  if (!r.provenance.note.empty()) s += "; " + r.provenance.note;
  return s;
}

// ---- import ---------------------------------------------------------------

// "+01:00", "-05:30", "+0100", "+01", "Z", "UTC" -> minutes east of UTC.
Result<int> parse_tz_offset(std::string_view text) {
  const std::string_view t = trim(text);
  if (t == "Z" || t == "z" || iequals(t, "UTC")) return 0;
  const auto bad = [&] {
    return make_error("expected an offset from UTC such as +01:00, -05:30 or Z, got \"" + std::string(t) + "\"");
  };
  if (t.size() < 3 || (t[0] != '+' && t[0] != '-')) return bad();
  std::string digits;
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i] == ':' && i == 3) continue;
    if (t[i] < '0' || t[i] > '9') return bad();
    digits.push_back(t[i]);
  }
  if (digits.size() != 2 && digits.size() != 4) return bad();
  const int hours = std::stoi(digits.substr(0, 2));
  const int minutes = digits.size() == 4 ? std::stoi(digits.substr(2, 2)) : 0;
  if (hours > 18 || minutes > 59 || hours * 60 + minutes > 18 * 60) return bad();
  return (t[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
}

// Flags to ImportOptions; `format_specific` collects the flags that apply to
// one format only, so that run_import can refuse them for other formats.
Result<intensity::ImportOptions> import_options(const ImportFlags& f,
                                                std::vector<std::pair<std::string, intensity::Format>>& format_specific) {
  using intensity::Format;
  using intensity::Signal;
  intensity::ImportOptions o;
  auto format = intensity::parse_format(f.format);
  if (!format) return make_error("--format: " + format.error().message);
  o.format = *format;
  if (!f.signal.empty()) {
    auto signal = intensity::parse_signal(f.signal);
    if (!signal) return make_error("--signal: " + signal.error().message);
    if (!intensity::is_average(*signal))
      return make_error("--signal: Electricity Maps CSV carries the direct and life-cycle averages, not " +
                        std::string(to_string(*signal)) +
                        "; for a generic CSV use --generic-signal, for Carbon Aware JSON --carbon-aware-signal");
    o.electricitymaps_signal = *signal;
    format_specific.emplace_back("--signal", Format::kElectricityMapsCsv);
  }
  if (!f.unit.empty()) {
    if (auto factor = intensity::intensity_unit_factor(f.unit); !factor)
      return make_error("--unit: " + factor.error().message);
    o.generic_unit = f.unit;
    format_specific.emplace_back("--unit", Format::kGenericCsv);
  }
  if (!f.tz.empty()) {
    if (auto offset = parse_tz_offset(f.tz)) {
      o.generic_tz_offset_minutes = *offset;
    } else {
      // A zone name (Europe/Berlin): read across DST changes (importer.h).
      auto zone = TimeZone::load(f.tz);
      if (!zone)
        return make_error("--tz: expected an offset such as +01:00 or a time zone such as Europe/Berlin, got \"" +
                          f.tz + "\"");
      o.generic_tz = std::move(*zone);
    }
    format_specific.emplace_back("--tz", Format::kGenericCsv);
  }
  if (!f.step.empty()) {
    auto step = parse_duration(f.step);
    if (!step) return make_error("--step: " + step.error().message);
    if (step->count() <= 0) return make_error("--step: expected a positive step, got " + f.step);
    o.generic_step = *step;
    format_specific.emplace_back("--step", Format::kGenericCsv);
  }
  if (!f.origin.empty()) {
    auto origin = intensity::parse_origin(f.origin);
    if (!origin) return make_error("--origin: " + origin.error().message);
    if (*origin == intensity::Origin::kTypical)
      return make_error("--origin: expected actual or forecast; typical profiles are built in, not imported");
    o.generic_origin = *origin;
    format_specific.emplace_back("--origin", Format::kGenericCsv);
  }
  if (!f.generic_signal.empty()) {
    auto signal = intensity::parse_signal(f.generic_signal);
    if (!signal) return make_error("--generic-signal: " + signal.error().message);
    o.generic_signal = *signal;
    format_specific.emplace_back("--generic-signal", Format::kGenericCsv);
  }
  if (!f.watttime_origin.empty()) {
    auto origin = intensity::parse_origin(f.watttime_origin);
    if (!origin || *origin == intensity::Origin::kTypical)
      return make_error("--watttime-origin: expected actual or forecast, got \"" + f.watttime_origin + "\"");
    o.watttime_origin = *origin;
    format_specific.emplace_back("--watttime-origin", Format::kWattTimeJson);
  }
  if (f.nulls_as_gaps) {
    o.null_is_missing = true;
    format_specific.emplace_back("--nulls-as-gaps", Format::kWattTimeJson);
  }
  if (!f.carbon_aware_signal.empty()) {
    auto signal = intensity::parse_signal(f.carbon_aware_signal);
    if (!signal) return make_error("--carbon-aware-signal: " + signal.error().message);
    o.carbon_aware_signal = *signal;
    format_specific.emplace_back("--carbon-aware-signal", Format::kCarbonAwareJson);
  }
  if (o.format != Format::kAuto)
    for (const auto& [flag, for_format] : format_specific)
      if (for_format != o.format)
        return make_error(flag + " applies to " + std::string(to_string(for_format)) + " only, not --format " +
                          std::string(to_string(o.format)));
  return o;
}

int run_import(const Context& ctx, const ImportFlags& f) {
  std::vector<std::pair<std::string, intensity::Format>> format_specific;
  auto parsed = import_options(f, format_specific);
  if (!parsed) return usage(ctx, parsed.error().message);  // a flag's value: exit 2
  const std::string path = ctx.store_path();
  engine::IntensityImportRequest request;
  request.files = f.files;
  request.options = std::move(*parsed);
  request.format_specific = std::move(format_specific);
  request.zone = f.zone;
  request.region = f.region;
  if (!f.issued.empty()) {
    auto t = parse_time_arg(f.issued, SystemClock().utc_now());
    if (!t) return usage(ctx, "--issued: " + t.error().message);
    request.issued = *t;
  }
  engine::Services services;
  services.store_path = path;
  auto imported = engine::import_intensity(request, services);
  // A refusal exits by its kind: 2 for a flag that does not fit the file, 1 for bad data or I/O.
  if (!imported) return report_error(ctx, imported.error());
  const auto* summary = &imported->summary;
  const auto& series_file = imported->series_file;
  const auto& notes = imported->notes;
  std::ostream& out = *ctx.out;
  out << "store: " << path << "\n";
  out << fmt::format("imported {} file{} ({} series, {} points) in one transaction: {} new, {} replaced, {} unchanged\n",
                     f.files.size(), f.files.size() == 1 ? "" : "s", imported->series, imported->points, summary->inserted,
                     summary->replaced, summary->unchanged);
  for (size_t i = 0; i < summary->records.size(); ++i) {
    const ImportRecord& r = summary->records[i];
    out << fmt::format("  [{}] {}: {}, ", r.id, series_file[i], describe(r.key));
    if (r.points > 0)
      out << format_utc(r.first) << " .. " << format_utc(r.last_end) << ", ";
    out << fmt::format("{} points ({} estimated): {} new, {} replaced, {} unchanged\n", r.points,
                       r.estimated_points, r.inserted, r.replaced, r.unchanged);
  }
  for (const std::string& n : notes) out << "note: " << n << "\n";
  return 0;
}

// ---- list -----------------------------------------------------------------

int run_list(const Context& ctx, bool as_json) {
  const std::string path = ctx.store_path();
  engine::Services services;
  services.store_path = path;
  auto listing = engine::list_stored(services);
  if (!listing) return fail(ctx, listing.error().message);
  const auto* stored = &listing->series;
  const auto& by_id = listing->imports;
  std::ostream& out = *ctx.out;
  if (as_json) {
    json arr = json::array();
    for (const StoredSeriesInfo& s : *stored) {
      json imports = json::array();
      for (int64_t id : s.import_ids)
        if (auto it = by_id.find(id); it != by_id.end()) imports.push_back(import_json(it->second));
      arr.push_back(json{{"zone", s.key.zone},
                         {"signal", to_string(s.key.signal)},
                         {"origin", to_string(s.key.origin)},
                         {"from", format_utc(s.first)},
                         {"to", format_utc(s.last_end)},
                         {"points", s.points},
                         {"estimated", s.estimated_points},
                         {"imports", imports}});
    }
    out << arr.dump(2) << "\n";
    return 0;
  }
  out << "store: " << path << "\n";
  if (stored->empty()) {
    out << "no intensity data yet; add some with `greenrun intensity import FILE`\n";
    return 0;
  }
  out << fmt::format("{:<14} {:<18} {:<9} {:<21} {:<21} {:>8} {:>16}  {}\n", "zone", "signal", "origin", "from",
                     "to", "points", "estimated", "imports");
  std::set<int64_t> used;
  for (const StoredSeriesInfo& s : *stored) {
    std::string ids;
    for (int64_t id : s.import_ids) {
      ids += (ids.empty() ? "[" : ",[") + std::to_string(id) + "]";
      used.insert(id);
    }
    out << fmt::format("{:<14} {:<18} {:<9} {:<21} {:<21} {:>8} {:>7} ({:>6})  {}\n", s.key.zone,
                       to_string(s.key.signal), to_string(s.key.origin), format_utc(s.first),
                       format_utc(s.last_end), s.points, s.estimated_points, percent(s.estimated_points, s.points),
                       ids);
  }
  out << "sources:\n";
  for (int64_t id : used)
    if (auto it = by_id.find(id); it != by_id.end()) out << import_line(it->second) << "\n";
  return 0;
}

// ---- show -----------------------------------------------------------------

Result<UtcTime> parse_flag_time(const std::string& flag, const std::string& text) {
  auto t = parse_time_arg(text, SystemClock().utc_now());
  if (!t) return make_error(ErrorKind::kUsage, flag + ": " + t.error().message);
  return *t;
}

int run_show(const Context& ctx, const ShowFlags& f) {
  if (f.csv && f.json) return usage(ctx, "choose one of --csv and --json");
  const std::string path = ctx.store_path();
  if (f.zone.empty() == f.region.empty()) return usage(ctx, "show: give ZONE or --region provider:region (one of them)");
  engine::StoredWindowRequest request;
  request.zone = f.zone;
  request.region = f.region;
  if (!f.signal.empty()) {
    auto s = intensity::parse_signal(f.signal);
    if (!s) return usage(ctx, "--signal: " + s.error().message);
    request.signal = *s;
  }
  if (!f.origin.empty()) {
    auto o = intensity::parse_origin(f.origin);
    if (!o) return usage(ctx, "--origin: " + o.error().message);
    request.origin = *o;
  }
  if (!f.from.empty()) {
    auto t = parse_flag_time("--from", f.from);
    if (!t) return fail(ctx, t.error().message);
    request.from = *t;
  }
  if (!f.to.empty()) {
    auto t = parse_flag_time("--to", f.to);
    if (!t) return fail(ctx, t.error().message);
    request.to = *t;
  }
  engine::Services services;
  services.store_path = path;
  auto shown = engine::stored_window(request, services);
  if (!shown) return report_error(ctx, shown.error());
  const std::string* zone = &shown->zone;
  const SeriesKey& key = shown->key;
  const UtcTime from = shown->from, to = shown->to;
  const intensity::LoadedWindow* window = &shown->window;
  const intensity::IntensitySeries& series = window->series;
  const std::vector<intensity::Gap>& gaps = shown->gaps;
  const Duration missing = shown->missing;
  const size_t estimated = shown->estimated;
  const std::optional<CarbonIntensity>& mean = shown->mean;

  std::ostream& out = *ctx.out;
  if (f.json) {
    json points = json::array();
    for (size_t i = 0; i < series.size(); ++i) {
      const auto p = series.point(i);
      points.push_back(json{{"start", format_utc(p.start)},
                            {"end", format_utc(p.end())},
                            {"g_per_kwh", p.value.grams_per_kwh()},
                            {"estimated", p.estimated},
                            {"import", window->import_ids[i]}});
    }
    json gap_arr = json::array();
    for (const auto& g : gaps) gap_arr.push_back(json{{"start", format_utc(g.start)}, {"end", format_utc(g.end)}});
    json imports = json::array();
    for (const ImportRecord& r : window->imports) imports.push_back(import_json(r));
    json doc{{"store", path},
             {"zone", *zone},
             {"signal", to_string(key.signal)},
             {"origin", to_string(key.origin)},
             {"from", format_utc(from)},
             {"to", format_utc(to)},
             {"points", points},
             {"estimated_points", estimated},
             {"gaps", gap_arr},
             {"mean_g_per_kwh", mean ? json(mean->grams_per_kwh()) : json(nullptr)},
             {"imports", imports}};
    out << doc.dump(2) << "\n";
    return 0;
  }
  // Points (whole, as stored) and gap rows, in time order.
  struct Row {
    UtcTime start, end;
    std::optional<size_t> point;
  };
  std::vector<Row> rows;
  size_t gi = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto p = series.point(i);
    while (gi < gaps.size() && gaps[gi].start < p.start) {
      rows.push_back({gaps[gi].start, gaps[gi].end, std::nullopt});
      ++gi;
    }
    rows.push_back({p.start, p.end(), i});
  }
  for (; gi < gaps.size(); ++gi) rows.push_back({gaps[gi].start, gaps[gi].end, std::nullopt});

  if (f.csv) {
    out << "start,end,g_per_kwh,status,import\n";
    for (const Row& r : rows) {
      if (!r.point) {
        out << format_utc(r.start) << "," << format_utc(r.end) << ",,gap,\n";
        continue;
      }
      const auto p = series.point(*r.point);
      out << format_utc(r.start) << "," << format_utc(r.end) << "," << fmt::format("{}", p.value.grams_per_kwh())
          << "," << (p.estimated ? "estimated" : "ok") << "," << window->import_ids[*r.point] << "\n";
    }
    return 0;
  }
  out << "store: " << path << "\n";
  out << describe(key) << ", " << format_utc(from) << " .. " << format_utc(to) << "\n";
  if (!window->imports.empty()) {
    out << "sources:\n";
    for (const ImportRecord& r : window->imports) out << import_line(r) << "\n";
  }
  out << fmt::format("{:<21} {:<21} {:>10}  {:<6} {}\n", "start", "end", "g/kWh", "import", "note");
  for (const Row& r : rows) {
    if (!r.point) {
      out << fmt::format("{:<21} {:<21} {:>10}  {:<6} GAP: no data for {}\n", format_utc(r.start),
                         format_utc(r.end), "-", "-", format_duration(r.end - r.start));
      continue;
    }
    const auto p = series.point(*r.point);
    out << fmt::format("{:<21} {:<21} {:>10.2f}  {:<6} {}\n", format_utc(r.start), format_utc(r.end),
                       p.value.grams_per_kwh(), "[" + std::to_string(window->import_ids[*r.point]) + "]",
                       p.estimated ? "estimated (modelled by the provider)" : "");
  }
  out << fmt::format("{} point{} ({} estimated), {} gap{}", series.size(), series.size() == 1 ? "" : "s", estimated,
                     gaps.size(), gaps.size() == 1 ? "" : "s");
  if (!gaps.empty()) out << " totalling " << format_duration(missing);
  out << "\n";
  if (mean)
    out << fmt::format("time-weighted mean over the window: {:.2f} g/kWh\n", mean->grams_per_kwh());
  else
    out << "time-weighted mean over the window: not available (the window is not fully covered)\n";
  return 0;
}

// ---- stats ----------------------------------------------------------------

int run_stats(const Context& ctx, bool as_json) {
  const std::string path = ctx.store_path();
  engine::Services services;
  services.store_path = path;
  auto listing = engine::stored_stats(services);
  if (!listing) return fail(ctx, listing.error().message);
  const auto* stats = &listing->stats;
  const auto& by_id = listing->imports;
  std::ostream& out = *ctx.out;
  if (as_json) {
    json arr = json::array();
    for (const auto& s : *stats) {
      json sources = json::array();
      for (int64_t id : s.import_ids)
        if (auto it = by_id.find(id); it != by_id.end()) sources.push_back(import_json(it->second));
      arr.push_back(json{{"zone", s.zone},
                         {"year", s.year},
                         {"signal", to_string(s.signal)},
                         {"origin", to_string(s.origin)},
                         {"count", s.count},
                         {"estimated", s.estimated},
                         {"mean", s.mean},
                         {"min", s.min},
                         {"max", s.max},
                         {"imports", sources}});
    }
    out << arr.dump(2) << "\n";
    return 0;
  }
  out << "store: " << path << "\n";
  if (stats->empty()) {
    out << "no intensity data yet; add some with `greenrun intensity import FILE`\n";
    return 0;
  }
  out << "per zone, UTC calendar year, signal and origin; mean is time-weighted; g CO2e/kWh\n";
  out << fmt::format("{:<14} {:>4} {:<18} {:<9} {:>7} {:>16} {:>8} {:>8} {:>8}  {}\n", "zone", "year", "signal",
                     "origin", "points", "estimated", "mean", "min", "max", "imports");
  std::set<int64_t> used;
  for (const auto& s : *stats) {
    std::string ids;
    for (int64_t id : s.import_ids) {
      ids += (ids.empty() ? "[" : ",[") + std::to_string(id) + "]";
      used.insert(id);
    }
    out << fmt::format("{:<14} {:>4} {:<18} {:<9} {:>7} {:>7} ({:>6}) {:>8.1f} {:>8.1f} {:>8.1f}  {}\n", s.zone,
                       s.year, to_string(s.signal), to_string(s.origin), s.count, s.estimated,
                       percent(s.estimated, s.count), s.mean, s.min, s.max, ids);
  }
  out << "sources:\n";
  for (int64_t id : used)
    if (auto it = by_id.find(id); it != by_id.end()) out << import_line(it->second) << "\n";
  return 0;
}

}  // namespace

void add_intensity_command(CLI::App& app, Context& ctx, Action& action) {
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "intensity", "Import, list, show and summarise grid carbon-intensity data in the local store");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  cmd->footer(
      "The store is a SQLite file: --store PATH, else $GREENRUN_STORE, else "
      "$XDG_DATA_HOME/greenrun/greenrun.db (~/.local/share/greenrun/greenrun.db).");

  CLI::App* imp = cmd->add_subcommand("import", "Import carbon-intensity files into the store (one transaction)");
  imp->fallthrough();
  imp->add_option("FILE", flags->import.files, "Files to import; all of them or none are imported")
      ->required();
  imp->add_option("--format", flags->import.format,
                  "auto (detect), electricitymaps-csv, watttime-json, watttime-csv, uk-json, carbon-aware-json "
                  "or generic-csv")
      ->default_str("auto");
  auto* imp_zone = imp->add_option(
      "--zone", flags->import.zone,
      "Zone id: required for formats without one; must agree with the zone inside the data otherwise "
      "(matched case-insensitively to stored zones); for UK regional JSON selects a region (GB-UKCI-13 or "
      "its shortname)");
  imp->add_option("--region", flags->import.region,
                  "Cloud region as provider:region (azure:westus), resolved to its grid zone; instead of --zone")
      ->excludes(imp_zone);
  imp->add_option("--signal", flags->import.signal,
                  "Electricity Maps CSV: direct or lifecycle, which column to import (default lifecycle)");
  imp->add_option("--unit", flags->import.unit,
                  "Generic CSV: unit of the values: g/kWh (default), lbs/MWh, kg/kWh, t/kWh (converted to g/kWh)");
  imp->add_option("--tz", flags->import.tz,
                  "Generic CSV: UTC offset or time zone of timestamps written without one, e.g. +01:00, -05:30, "
                  "Europe/Berlin (across DST changes; default Z)");
  imp->add_option("--step", flags->import.step,
                  "Generic CSV: each row's duration, e.g. 1h, 30m (default: the gap to the next row)");
  imp->add_option("--origin", flags->import.origin, "Generic CSV: actual (default) or forecast");
  imp->add_option("--generic-signal", flags->import.generic_signal,
                  "Generic CSV: the values' signal: lifecycle (default), direct or marginal");
  imp->add_option("--watttime-origin", flags->import.watttime_origin,
                  "WattTime JSON: actual or forecast (default: forecast when the file has generated_at)");
  imp->add_option("--issued", flags->import.issued,
                  "When the forecasts in the files were issued (UTC, e.g. 2022-03-01T06:00Z); kept so that "
                  "`simulate --jobs --plan-on issued` plans on the forecast as known then");
  imp->add_flag("--nulls-as-gaps", flags->import.nulls_as_gaps,
                "WattTime JSON: a null value is a missing point (a gap, counted and reported) instead of an error");
  imp->add_option("--carbon-aware-signal", flags->import.carbon_aware_signal,
                  "Carbon Aware SDK JSON: the signal of its source: marginal (default; WattTime), lifecycle or direct");
  imp->footer(
      "Importing the same data again changes nothing; newer data replaces older data where they overlap, and "
      "every import is recorded with its source file. Flags for one format are refused for files of another. "
      "Rows read but not imported (nulls, superseded forecasts, other regions) are counted in 'note:' lines.\n"
      "Examples: greenrun intensity import DE_2023_hourly.csv --signal direct\n"
      "          greenrun intensity import site.csv --format generic-csv --region azure:westus --unit lbs/MWh "
      "--tz -08:00 --step 1h");
  imp->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_import(ctx, flags->import); }; });

  CLI::App* list = cmd->add_subcommand("list", "List the stored series with their span, points and sources");
  list->fallthrough();
  list->add_flag("--json", flags->list_json, "Print a JSON array of series");
  list->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_list(ctx, flags->list_json); }; });

  CLI::App* show = cmd->add_subcommand(
      "show", "Print one zone's stored points in a window, marking estimated points and gaps");
  show->fallthrough();
  auto* show_zone = show->add_option("ZONE", flags->show.zone, "Zone id (case-insensitive), e.g. DE, GB, US-CAL-CISO");
  show->add_option("--region", flags->show.region,
                   "Cloud region as provider:region (azure:westus) instead of ZONE: shows its grid zone")
      ->excludes(show_zone);
  show->add_option("--from", flags->show.from,
                   "Window start, UTC (ISO 8601, e.g. 2023-01-01 or 2023-01-01T06:00Z); default: the series start");
  show->add_option("--to", flags->show.to, "Window end, exclusive; default: the series end");
  show->add_option("--signal", flags->show.signal, "marginal, direct or lifecycle (needed when the zone has several)");
  show->add_option("--origin", flags->show.origin, "actual, forecast or typical (needed when the zone has several)");
  show->add_flag("--csv", flags->show.csv, "CSV: start,end,g_per_kwh,status (ok|estimated|gap),import");
  show->add_flag("--json", flags->show.json, "JSON object with points, gaps, the window mean and the imports");
  show->footer("Points are shown whole, as stored (the first and last may extend past the window).");
  show->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_show(ctx, flags->show); }; });

  CLI::App* stats = cmd->add_subcommand(
      "stats", "Per zone, UTC calendar year, signal and origin: points, estimated points, time-weighted mean, min, max");
  stats->fallthrough();
  stats->add_flag("--json", flags->stats_json,
                  "Print a JSON array of {zone, year, signal, origin, count, estimated, mean, min, max, imports}");
  stats->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_stats(ctx, flags->stats_json); }; });

  add_intensity_fetch_command(*cmd, ctx, action);
}

}  // namespace greenrun::cli
