// engine::run_study: each zone's stored actual series for the study
// (greenrun/study.h).
#include "greenrun/study.h"

#include <algorithm>
#include <filesystem>

#include "engine/stored_pick.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "intensity/store.h"

namespace greenrun::engine {

Result<scheduling::StudyResult> run_study(const StudyRequest& request, const Services& services) {
  if (request.zones.empty()) return make_error(ErrorKind::kUsage, "simulate: expected --zone Z (repeatable)");
  const auto& o = request.options;
  if (o.min_pause.count() < 0 || o.min_pause > std::chrono::hours(24))  // as plan and run read it
    return make_error(ErrorKind::kUsage, "--min-pause: expected 0s to 24h, got " + format_duration(o.min_pause));
  const std::string& path = services.store_path;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec))
    return make_error(ErrorKind::kNotFound, "no store at " + path + "; import data with `greenrun intensity import`");
  auto store = intensity::IntensityStore::open(path);
  if (!store) return std::unexpected(store.error());
  auto list = store->list();
  if (!list) return std::unexpected(list.error());
  // Long enough for the longest job in its widest window.
  Duration longest{0};
  for (const auto& p : o.presets)
    for (const auto& w : o.windows) longest = std::max(longest, p.duration + w.resolve(p.duration));
  std::vector<intensity::IntensitySeries> series;
  for (const auto& z : request.zones) {
    const auto* pick = pick_stored(*list, z, intensity::Origin::kActual);
    if (!pick)
      return make_error(ErrorKind::kNotFound, "no stored actual intensity data for zone " + z + " in " + path);
    const UtcTime a = std::max(o.from.value_or(pick->first), pick->first);
    const UtcTime b = std::min(o.to ? *o.to + longest : pick->last_end, pick->last_end);
    intensity::IntensitySeries s(pick->key.zone, pick->key.signal, pick->key.origin);
    if (a < b) {
      auto loaded = store->load(pick->key, a, b);
      if (!loaded) return std::unexpected(loaded.error());
      s = std::move(*loaded);
    }
    if (s.empty())
      return make_error(ErrorKind::kNotFound, "stored data for zone " + z + " (" + format_utc(pick->first) + " .. " +
                                                  format_utc(pick->last_end) + ") does not overlap --from/--to");
    series.push_back(std::move(s));
  }
  std::vector<scheduling::StudyZone> zones;
  for (const auto& s : series) zones.push_back({s.zone(), &s});
  return scheduling::run_study(zones, o);
}

}  // namespace greenrun::engine
