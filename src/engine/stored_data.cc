// engine::list_stored / stored_stats (greenrun/stored_data.h).
#include "greenrun/stored_data.h"

#include <set>
#include <utility>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "intensity/store.h"

namespace greenrun::engine {
namespace {

Result<std::map<int64_t, intensity::ImportRecord>> imports_by_id(const intensity::IntensityStore& store) {
  auto all = store.imports();
  if (!all) return std::unexpected(all.error());
  std::map<int64_t, intensity::ImportRecord> out;
  for (intensity::ImportRecord& r : *all) out.emplace(r.id, std::move(r));
  return out;
}

}  // namespace

Result<StoredSeriesListing> list_stored(const Services& services) {
  auto store = intensity::IntensityStore::open_read_only(services.store_path);  // reading never writes the store
  if (!store) return std::unexpected(store.error());
  auto series = store->list();
  if (!series) return std::unexpected(series.error());
  auto imports = imports_by_id(*store);
  if (!imports) return std::unexpected(imports.error());
  return StoredSeriesListing{std::move(*series), std::move(*imports)};
}

Result<StoredStats> stored_stats(const Services& services) {
  auto store = intensity::IntensityStore::open_read_only(services.store_path);
  if (!store) return std::unexpected(store.error());
  auto stats = store->stats();
  if (!stats) return std::unexpected(stats.error());
  auto imports = imports_by_id(*store);
  if (!imports) return std::unexpected(imports.error());
  return StoredStats{std::move(*stats), std::move(*imports)};
}

Result<std::string> resolve_stored_zone(std::string_view zone, std::string_view region,
                                        const std::vector<intensity::StoredSeriesInfo>& stored,
                                        const std::string& store_path, bool must_exist) {
  std::string zone_text(trim(zone));
  std::string via;  // "azure:westus (West US) -> US-CAL-CISO", for messages
  std::string region_text(trim(region));
  if (region_text.empty() && zone_text.find(':') != std::string::npos) region_text = std::exchange(zone_text, "");
  if (!region_text.empty()) {
    auto location = intensity::ZoneCatalogue::embedded().resolve(std::nullopt, region_text);
    if (!location) return make_error(ErrorKind::kNotFound, "--region " + region_text + ": " + location.error().message);
    zone_text = location->zone;
    via = location->description;
  }
  const std::string_view t = zone_text;
  if (t.empty()) return make_error("expected a zone id, got an empty one");
  for (const auto& s : stored)
    if (iequals(s.key.zone, t)) return s.key.zone;
  if (!must_exist) return std::string(t);
  if (!via.empty()) via = " (" + via + ")";
  std::set<std::string> zones;
  for (const auto& s : stored) zones.insert(s.key.zone);
  std::string list;
  for (const std::string& z : zones) list += (list.empty() ? "" : ", ") + z;
  return make_error(ErrorKind::kNotFound,
                    "no intensity data for zone \"" + std::string(t) + "\"" + via + " in " + store_path +
                        (zones.empty() ? std::string(" (the store is empty; add data with `greenrun intensity import`)")
                                       : " (stored zones: " + list + ")"));
}

Result<StoredWindow> stored_window(const StoredWindowRequest& request, const Services& services) {
  const std::string& path = services.store_path;
  auto store = intensity::IntensityStore::open_read_only(path);  // reading never writes the store
  if (!store) return std::unexpected(store.error());
  auto stored = store->list();
  if (!stored) return std::unexpected(stored.error());
  auto zone = resolve_stored_zone(request.zone, request.region, *stored, path, /*must_exist=*/true);
  if (!zone) return std::unexpected(zone.error());
  std::vector<const intensity::StoredSeriesInfo*> matches;
  std::string all;
  for (const auto& s : *stored) {
    if (s.key.zone != *zone) continue;
    all += (all.empty() ? "" : ", ") + std::string(to_string(s.key.signal)) + "/" + std::string(to_string(s.key.origin));
    if (request.signal && s.key.signal != *request.signal) continue;
    if (request.origin && s.key.origin != *request.origin) continue;
    matches.push_back(&s);
  }
  if (matches.empty())
    return make_error(ErrorKind::kNotFound, "no series for zone " + *zone + " with the signal/origin asked for in " +
                                                path + " (stored for " + *zone + ": " + all + ")");
  if (matches.size() > 1)
    return make_error(ErrorKind::kUsage,
                      "zone " + *zone + " has several series (" + all + "); choose one with --signal and --origin");
  const auto& info = *matches.front();
  StoredWindow out;
  out.zone = *zone;
  out.key = info.key;
  out.from = request.from.value_or(info.first);
  out.to = request.to.value_or(info.last_end);
  if (out.from >= out.to)
    return make_error(ErrorKind::kUsage,
                      "expected --from before --to, got " + format_utc(out.from) + " .. " + format_utc(out.to));
  auto window = store->load_window(info.key, out.from, out.to);
  if (!window) return std::unexpected(window.error());
  out.window = std::move(*window);
  const auto& series = out.window.series;
  UtcTime cursor = out.from;
  for (size_t i = 0; i < series.size(); ++i) {
    const intensity::IntensityPoint p = series.point(i);
    if (p.start > cursor) out.gaps.push_back({cursor, p.start});
    cursor = std::max(cursor, p.end());
    out.estimated += p.estimated ? 1 : 0;
  }
  if (cursor < out.to) out.gaps.push_back({cursor, out.to});
  for (const auto& g : out.gaps) out.missing += g.end - g.start;
  if (auto m = series.mean(out.from, out.to)) out.mean = *m;
  return out;
}

}  // namespace greenrun::engine
