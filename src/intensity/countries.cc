#include "intensity/countries.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "greenrun/intensity/zone_catalogue.h"

namespace greenrun::intensity {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const Country* find_country(std::string_view code) {
  const std::string key = upper(code);
  const auto table = detail::country_table();
  if (key.size() == 2) {
    auto it = std::lower_bound(table.begin(), table.end(), key,
                               [](const Country& c, const std::string& k) { return c.iso2 < k; });
    return it != table.end() && it->iso2 == key ? &*it : nullptr;
  }
  if (key.size() == 3) {
    for (const auto& c : table)
      if (c.iso3 == key) return &c;
  }
  return nullptr;
}

const Country* country_of_zone(std::string_view zone) {
  const auto& catalogue = ZoneCatalogue::embedded();
  const ZoneInfo* info = catalogue.find_zone(zone);
  if (info && !info->fallback_zone.empty()) return country_of_zone(info->fallback_zone);
  if (info && info->kind == "world") return nullptr;
  if (info && info->kind == "country") return find_country(info->id);
  // Nordic bidding zones: "NO1", "SE3", "DK2".
  if (info && info->kind == "bidding-zone") return find_country(info->id.substr(0, 2));
  // Electricity Maps zone ids start with the country's alpha-2 code.
  const std::string_view id = info ? info->id : zone;
  const auto dash = id.find('-');
  const std::string_view head = id.substr(0, dash);
  if (head.size() == 2) return find_country(head);
  if (head.size() == 3 && dash == std::string_view::npos) return find_country(head);
  return nullptr;
}

}  // namespace greenrun::intensity
