#include "engine/location_check.h"

#include <filesystem>

#include "intensity/store.h"

namespace greenrun::engine {

Result<intensity::Location> resolve_location(const std::optional<std::string>& zone,
                                             const std::optional<std::string>& region,
                                             const std::string& store_path) {
  if (zone && region)
    return make_error(ErrorKind::kUsage, "give --zone or --region, not both (got --zone " + *zone + " and --region " +
                                             *region + ")");
  auto known = intensity::ZoneCatalogue::embedded().resolve(zone, region);
  if (known) return known;
  if (zone && !store_path.empty() && std::filesystem::exists(store_path)) {
    if (auto store = intensity::IntensityStore::open(store_path)) {
      if (auto series = store->list()) {
        for (const auto& s : *series)
          if (s.key.zone == *zone)
            return intensity::Location{*zone, std::nullopt, *zone + " (imported data, not in greenrun's catalogue)"};
      }
    }
  }
  return make_error(ErrorKind::kNotFound, known.error().message);
}

}  // namespace greenrun::engine
