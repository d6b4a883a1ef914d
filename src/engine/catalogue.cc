// engine::list_zones / list_regions (greenrun/catalogue.h).
#include "greenrun/catalogue.h"

#include <cctype>
#include <string>

#include "greenrun/intensity/zone_catalogue.h"

namespace greenrun::engine {
namespace {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ci(std::string_view haystack, const std::string& needle_lower) {
  return to_lower(haystack).find(needle_lower) != std::string::npos;
}

}  // namespace

Result<std::vector<ZoneEntry>> list_zones(std::string_view search) {
  const auto& cat = intensity::ZoneCatalogue::embedded();
  const std::string needle = to_lower(search);
  std::vector<ZoneEntry> out;
  for (const intensity::ZoneInfo& z : cat.zones()) {
    if (!needle.empty() && !contains_ci(z.id, needle) && !contains_ci(z.name, needle) && !contains_ci(z.kind, needle))
      continue;
    const bool profile = cat.find_profile(z.id, intensity::Signal::kAverageLifecycle) != nullptr ||
                         cat.find_profile(z.id, intensity::Signal::kAverageDirect) != nullptr;
    out.push_back(ZoneEntry{std::string(z.id), std::string(z.name), std::string(z.kind), z.annual_mean_g_per_kwh,
                            z.signal, z.year, std::string(z.source), std::string(z.fallback_zone), profile});
  }
  if (out.empty())
    return make_error(ErrorKind::kNotFound,
                      "no zone matches \"" + std::string(search) + "\" (searched ids, names and kinds)");
  return out;
}

std::vector<RegionEntry> list_regions(std::optional<std::string_view> provider) {
  const auto& cat = intensity::ZoneCatalogue::embedded();
  std::vector<RegionEntry> out;
  for (const intensity::CloudRegion& r : cat.regions()) {
    if (provider && !provider->empty() && r.provider != *provider) continue;
    RegionEntry e;
    e.provider = r.provider;
    e.region = r.region;
    e.name = r.name;
    e.location = r.location;
    e.latitude = r.latitude;
    e.longitude = r.longitude;
    e.zone = r.zone;
    if (const intensity::ZoneInfo* z = cat.find_zone(r.zone)) {
      e.zone_annual_mean_g_per_kwh = z->annual_mean_g_per_kwh;
      e.zone_year = z->year;
    }
    e.provider_g_per_kwh = r.grid_g_per_kwh;
    e.provider_source = r.grid_source;
    e.watttime_region = r.watttime_region;
    e.source = r.source;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace greenrun::engine
