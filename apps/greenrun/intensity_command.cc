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

#include <fmt/format.h>

#include "base/quantity_parse.h"
#include "base/text_reader.h"
#include "base/time_format.h"
#include "commands.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"

namespace greenrun::cli {
namespace {

using intensity::ImportRecord;
using intensity::IntensityStore;
using intensity::SeriesKey;
using intensity::StoredSeriesInfo;
using json = nlohmann::ordered_json;

struct ImportFlags {
  std::vector<std::string> files;
  std::string format = "auto";
  std::string zone;
  std::string signal;
};

struct ShowFlags {
  std::string zone;
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
  *ctx.err << "greenrun: " << message << "\n";
  return 1;
}

// The zone id that a ZONE / --zone argument names. Stored zone ids are
// matched case-insensitively ("gb" -> "GB"). With `must_exist`, an id the
// store lacks is an error listing the stored zones; otherwise it is returned
// as typed (a zone new to the store). The one place that turns user text
// into a zone id, so `--region provider:region` resolution plugs in here.
Result<std::string> resolve_zone(const std::string& text, const std::vector<StoredSeriesInfo>& stored,
                                 const std::string& store_path, bool must_exist) {
  const std::string_view t = trim(text);
  if (t.empty()) return make_error("expected a zone id, got an empty one");
  for (const StoredSeriesInfo& s : stored)
    if (iequals(s.key.zone, t)) return s.key.zone;
  if (!must_exist) return std::string(t);
  std::set<std::string> zones;
  for (const StoredSeriesInfo& s : stored) zones.insert(s.key.zone);
  std::string list;
  for (const std::string& z : zones) list += (list.empty() ? "" : ", ") + z;
  return make_error("no intensity data for zone \"" + std::string(t) + "\" in " + store_path +
                    (zones.empty() ? std::string(" (the store is empty; add data with `greenrun intensity import`)")
                                   : " (stored zones: " + list + ")"));
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
              {"imported_at", format_utc(r.imported_at)}};
}

std::string import_line(const ImportRecord& r) {
  std::string s = fmt::format("  [{}] {}: {} (imported {})", r.id, r.provenance.source, r.provenance.origin,
                              format_utc(r.imported_at));
  if (!r.provenance.note.empty()) s += "; " + r.provenance.note;
  return s;
}

std::map<int64_t, ImportRecord> imports_by_id(const IntensityStore& store, Result<void>& status) {
  std::map<int64_t, ImportRecord> out;
  auto all = store.imports();
  if (!all) {
    status = make_error(all.error().message);
    return out;
  }
  for (ImportRecord& r : *all) out.emplace(r.id, std::move(r));
  return out;
}

// ---- import ---------------------------------------------------------------

int run_import(const Context& ctx, const ImportFlags& f) {
  intensity::ImportOptions options;
  auto format = intensity::parse_format(f.format);
  if (!format) return fail(ctx, "--format: " + format.error().message);
  options.format = *format;
  if (!f.signal.empty()) {
    auto signal = intensity::parse_signal(f.signal);
    if (!signal) return fail(ctx, "--signal: " + signal.error().message);
    options.generic_signal = *signal;
    if (*signal == intensity::Signal::kMarginal && options.format == intensity::Format::kElectricityMapsCsv)
      return fail(ctx, "--signal: Electricity Maps CSV carries the direct and life-cycle averages, not marginal");
    if (intensity::is_average(*signal)) options.electricitymaps_signal = *signal;
  }
  const std::string path = ctx.store_path();
  auto store = IntensityStore::open(path);
  if (!store) return fail(ctx, store.error().message);
  if (!f.zone.empty()) {
    auto stored = store->list();
    if (!stored) return fail(ctx, stored.error().message);
    auto zone = resolve_zone(f.zone, *stored, path, /*must_exist=*/false);
    if (!zone) return fail(ctx, "--zone: " + zone.error().message);
    options.zone = *zone;
  }
  // Parse every file before writing anything: one bad file imports nothing.
  std::vector<intensity::IntensitySeries> series;
  std::vector<std::string> series_file;
  for (const std::string& file : f.files) {
    auto result = intensity::import_file(file, options);
    if (!result) return fail(ctx, result.error().message + " (nothing was imported)");
    for (auto& s : result->series) {
      series.push_back(std::move(s));
      series_file.push_back(file);
    }
  }
  auto summary = store->import(series);
  if (!summary) return fail(ctx, summary.error().message + " (nothing was imported)");
  std::ostream& out = *ctx.out;
  out << "store: " << path << "\n";
  size_t points = 0;
  for (const auto& s : series) points += s.size();
  out << fmt::format("imported {} file{} ({} series, {} points) in one transaction: {} new, {} replaced, {} unchanged\n",
                     f.files.size(), f.files.size() == 1 ? "" : "s", series.size(), points, summary->inserted,
                     summary->replaced, summary->unchanged);
  for (size_t i = 0; i < summary->records.size(); ++i) {
    const ImportRecord& r = summary->records[i];
    out << fmt::format("  [{}] {}: {}, ", r.id, series_file[i], describe(r.key));
    if (r.points > 0)
      out << format_utc(r.first) << " .. " << format_utc(r.last_end) << ", ";
    out << fmt::format("{} points ({} estimated): {} new, {} replaced, {} unchanged\n", r.points,
                       r.estimated_points, r.inserted, r.replaced, r.unchanged);
  }
  return 0;
}

// ---- list -----------------------------------------------------------------

int run_list(const Context& ctx, bool as_json) {
  const std::string path = ctx.store_path();
  auto store = IntensityStore::open(path);
  if (!store) return fail(ctx, store.error().message);
  auto stored = store->list();
  if (!stored) return fail(ctx, stored.error().message);
  Result<void> status;
  auto by_id = imports_by_id(*store, status);
  if (!status) return fail(ctx, status.error().message);
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
  auto t = parse_utc(text);
  if (!t) return make_error(flag + ": " + t.error().message);
  return *t;
}

int run_show(const Context& ctx, const ShowFlags& f) {
  if (f.csv && f.json) return fail(ctx, "choose one of --csv and --json");
  const std::string path = ctx.store_path();
  auto store = IntensityStore::open(path);
  if (!store) return fail(ctx, store.error().message);
  auto stored = store->list();
  if (!stored) return fail(ctx, stored.error().message);
  auto zone = resolve_zone(f.zone, *stored, path, /*must_exist=*/true);
  if (!zone) return fail(ctx, zone.error().message);
  std::optional<intensity::Signal> want_signal;
  std::optional<intensity::Origin> want_origin;
  if (!f.signal.empty()) {
    auto s = intensity::parse_signal(f.signal);
    if (!s) return fail(ctx, "--signal: " + s.error().message);
    want_signal = *s;
  }
  if (!f.origin.empty()) {
    auto o = intensity::parse_origin(f.origin);
    if (!o) return fail(ctx, "--origin: " + o.error().message);
    want_origin = *o;
  }
  std::vector<const StoredSeriesInfo*> matches;
  std::string all;
  for (const StoredSeriesInfo& s : *stored) {
    if (s.key.zone != *zone) continue;
    all += (all.empty() ? "" : ", ") + std::string(to_string(s.key.signal)) + "/" + std::string(to_string(s.key.origin));
    if (want_signal && s.key.signal != *want_signal) continue;
    if (want_origin && s.key.origin != *want_origin) continue;
    matches.push_back(&s);
  }
  if (matches.empty())
    return fail(ctx, "no series for zone " + *zone + " with the signal/origin asked for in " + path +
                         " (stored for " + *zone + ": " + all + ")");
  if (matches.size() > 1)
    return fail(ctx, "zone " + *zone + " has several series (" + all + "); choose one with --signal and --origin");
  const StoredSeriesInfo& info = *matches.front();
  UtcTime from = info.first, to = info.last_end;
  if (!f.from.empty()) {
    auto t = parse_flag_time("--from", f.from);
    if (!t) return fail(ctx, t.error().message);
    from = *t;
  }
  if (!f.to.empty()) {
    auto t = parse_flag_time("--to", f.to);
    if (!t) return fail(ctx, t.error().message);
    to = *t;
  }
  if (from >= to) return fail(ctx, "expected --from before --to, got " + format_utc(from) + " .. " + format_utc(to));
  auto window = store->load_window(info.key, from, to);
  if (!window) return fail(ctx, window.error().message);
  const intensity::IntensitySeries& series = window->series;

  // Gaps inside [from, to): before the first point, between points, after the last.
  std::vector<intensity::Gap> gaps;
  UtcTime cursor = from;
  size_t estimated = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const intensity::IntensityPoint p = series.point(i);
    if (p.start > cursor) gaps.push_back({cursor, p.start});
    cursor = std::max(cursor, p.end());
    estimated += p.estimated ? 1 : 0;
  }
  if (cursor < to) gaps.push_back({cursor, to});
  Duration missing{0};
  for (const auto& g : gaps) missing += g.end - g.start;
  const auto mean = series.mean(from, to);

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
             {"signal", to_string(info.key.signal)},
             {"origin", to_string(info.key.origin)},
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
  out << describe(info.key) << ", " << format_utc(from) << " .. " << format_utc(to) << "\n";
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
  auto store = IntensityStore::open(path);
  if (!store) return fail(ctx, store.error().message);
  auto stats = store->stats();
  if (!stats) return fail(ctx, stats.error().message);
  Result<void> status;
  auto by_id = imports_by_id(*store, status);
  if (!status) return fail(ctx, status.error().message);
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
  imp->add_option("--zone", flags->import.zone,
                  "Zone id: required for formats without one; must agree with the zone inside the data otherwise "
                  "(matched case-insensitively to stored zones)");
  imp->add_option("--signal", flags->import.signal,
                  "direct or lifecycle: which Electricity Maps column to import (default lifecycle); the signal of "
                  "a generic CSV");
  imp->footer(
      "Importing the same data again changes nothing; newer data replaces older data where they overlap, and "
      "every import is recorded with its source file.\n"
      "Example: greenrun intensity import DE_2023_hourly.csv --signal direct");
  imp->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_import(ctx, flags->import); }; });

  CLI::App* list = cmd->add_subcommand("list", "List the stored series with their span, points and sources");
  list->fallthrough();
  list->add_flag("--json", flags->list_json, "Print a JSON array of series");
  list->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_list(ctx, flags->list_json); }; });

  CLI::App* show = cmd->add_subcommand(
      "show", "Print one zone's stored points in a window, marking estimated points and gaps");
  show->fallthrough();
  show->add_option("ZONE", flags->show.zone, "Zone id (case-insensitive), e.g. DE, GB, US-CAL-CISO")->required();
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
