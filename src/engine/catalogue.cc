// engine::list_zones / list_regions (greenrun/catalogue.h).
#include "greenrun/catalogue.h"

#include <cctype>
#include <string>

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
    out.push_back(ZoneEntry{&z, profile});
  }
  if (out.empty())
    return make_error(ErrorKind::kNotFound,
                      "no zone matches \"" + std::string(search) + "\" (searched ids, names and kinds)");
  return out;
}

std::vector<RegionEntry> list_regions(std::optional<std::string_view> provider) {
  const auto& cat = intensity::ZoneCatalogue::embedded();
  std::vector<RegionEntry> out;
  for (const intensity::CloudRegion& r : cat.regions())
    if (!provider || provider->empty() || r.provider == *provider) out.push_back(RegionEntry{&r, cat.find_zone(r.zone)});
  return out;
}

}  // namespace greenrun::engine
