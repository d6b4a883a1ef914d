#include "greenrun/queries.h"

#include <algorithm>
#include <array>
#include <filesystem>

#include "engine/forecast_loader.h"
#include "engine/location_check.h"
#include "runner/run_store.h"

namespace greenrun::engine {

namespace {

// The order stored series are preferred in (intensity/forecast_selection.h).
constexpr std::array<intensity::Signal, 3> kSignalOrder = {
    intensity::Signal::kAverageLifecycle, intensity::Signal::kAverageDirect, intensity::Signal::kMarginal};

std::string describe(const intensity::SeriesKey& key, const intensity::IntensitySeries& s) {
  std::string label = std::string(to_string(key.origin)) + ", " + std::string(to_string(key.signal));
  if (!s.provenance().source.empty()) label += " (" + s.provenance().source + ")";
  return label;
}

bool store_exists(const Services& services) {
  std::error_code ec;
  return !services.store_path.empty() && std::filesystem::exists(services.store_path, ec);
}

}  // namespace

Result<intensity::Location> resolve(std::string_view name, const Services& services) {
  if (name.empty()) return make_error(ErrorKind::kUsage, "location: expected a zone or a cloud region, got nothing");
  const std::string text(name);
  auto as_zone = resolve_location(text, std::nullopt, services.store_path);
  if (as_zone) return as_zone;
  if (as_zone.error().kind == ErrorKind::kUsage) return as_zone;
  if (auto as_region = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, text)) return as_region;
  return as_zone;
}

Result<IntensityOutcome> intensity(const IntensityRequest& request, const Services& services) {
  if (request.from >= request.to)
    return make_error(ErrorKind::kUsage, "the range's start must be before its end");
  if (request.origin == intensity::Origin::kTypical)
    return make_error(ErrorKind::kUsage, "intensity(): ask for actual data or a stored forecast, not a typical profile");
  auto location = resolve(request.location, services);
  if (!location) return std::unexpected(location.error());

  IntensityOutcome out;
  out.location = std::move(*location);
  const intensity::Signal first = request.signal.value_or(kSignalOrder.front());
  out.key = intensity::SeriesKey{out.location.zone, first, request.origin};
  out.series = intensity::IntensitySeries(out.location.zone, first, request.origin);
  out.label = describe(out.key, out.series) + ": no data";
  if (!store_exists(services)) return out;

  auto store = intensity::IntensityStore::open_read_only(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  std::vector<intensity::Signal> signals;
  if (request.signal)
    signals.push_back(*request.signal);
  else
    signals.assign(kSignalOrder.begin(), kSignalOrder.end());
  for (auto signal : signals) {
    intensity::SeriesKey key{out.location.zone, signal, request.origin};
    auto series = store->load(key, request.from, request.to);
    if (!series) return as_kind(ErrorKind::kIo, series.error());
    if (series->empty()) continue;
    out.key = key;
    out.label = describe(key, *series);
    out.series = std::move(*series);
    break;
  }
  return out;
}

Result<std::vector<intensity::StoredSeriesInfo>> stored_series(const Services& services) {
  if (!store_exists(services)) return std::vector<intensity::StoredSeriesInfo>{};
  auto store = intensity::IntensityStore::open_read_only(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto list = store->list();
  if (!list) return as_kind(ErrorKind::kIo, list.error());
  return list;
}

Result<ForecastOutcome> forecast(const ForecastRequest& request, const Services& services) {
  if (request.from >= request.to)
    return make_error(ErrorKind::kUsage, "the forecast window's start must be before its end");
  auto location = resolve(request.location, services);
  if (!location) return std::unexpected(location.error());
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  auto loaded = load_forecast(ForecastQuery{location->zone, request.from, request.to, request.forecast.provider, std::nullopt},
                              services.store_path, services.env, clock, services.http);
  if (!loaded) return std::unexpected(loaded.error());
  return ForecastOutcome{std::move(*location), std::move(loaded->series), std::move(loaded->label),
                         std::move(loaded->warnings)};
}

namespace {
runner::RunQuery to_query(const RunFilter& f) {
  runner::RunQuery q{f.project, f.phase, f.since, f.until, f.limit, f.tag};
  return q;
}
}  // namespace

Result<std::vector<runner::RunRecord>> find_runs(const RunFilter& filter, const Services& services) {
  if (!store_exists(services)) return std::vector<runner::RunRecord>{};
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto runs = store->list(to_query(filter));
  if (!runs) return as_kind(ErrorKind::kIo, runs.error());
  return runs;
}

Result<std::vector<runner::RunRow>> find_run_rows(const RunFilter& filter, const Services& services) {
  if (!store_exists(services)) return std::vector<runner::RunRow>{};
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto rows = store->rows(to_query(filter));
  if (!rows) return as_kind(ErrorKind::kIo, rows.error());
  return rows;
}

Result<runner::RunRecord> get_run(const std::string& id_or_prefix, const Services& services) {
  if (!store_exists(services)) return make_error(ErrorKind::kNotFound, "no run " + id_or_prefix + " (the store " +
                                                                           services.store_path + " does not exist)");
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto record = store->get(id_or_prefix);
  if (!record) return as_kind(ErrorKind::kNotFound, record.error());
  return record;
}

Result<std::vector<runner::RunTotals>> run_totals(const std::string& by, const RunFilter& filter,
                                                  const Services& services) {
  if (by != "project" && by != "phase" && by != "zone" && by != "month")
    return make_error(ErrorKind::kUsage, "--by: expected project, phase, zone or month, got " + by);
  if (!store_exists(services)) return std::vector<runner::RunTotals>{};
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto totals = store->summary(by, to_query(filter));
  if (!totals) return std::unexpected(totals.error());
  return totals;
}

Result<std::vector<runner::RunTotals>> run_totals(const std::string& by, const std::optional<std::string>& project,
                                                  const Services& services) {
  RunFilter filter;
  filter.project = project;
  return run_totals(by, filter, services);
}

}  // namespace greenrun::engine
