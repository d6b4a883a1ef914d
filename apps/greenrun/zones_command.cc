// `greenrun zones` and `greenrun regions`: list the embedded catalogue of grid
// zones (annual means, typical profiles) and cloud regions (location, zone).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "intensity/zone_catalogue.h"

namespace greenrun::cli {
namespace {

using intensity::CloudRegion;
using intensity::Signal;
using intensity::ZoneCatalogue;
using intensity::ZoneInfo;

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ci(std::string_view haystack, const std::string& needle_lower) {
  return to_lower(haystack).find(needle_lower) != std::string::npos;
}

bool has_profile(const ZoneCatalogue& cat, std::string_view zone) {
  return cat.find_profile(zone, Signal::kAverageLifecycle) != nullptr ||
         cat.find_profile(zone, Signal::kAverageDirect) != nullptr;
}

struct ZonesOptions {
  bool json = false;
  std::string search;
};

int run_zones(const Context& ctx, const ZonesOptions& opt) {
  const ZoneCatalogue& cat = ZoneCatalogue::embedded();
  const std::string needle = to_lower(opt.search);
  std::vector<const ZoneInfo*> picked;
  for (const ZoneInfo& z : cat.zones()) {
    if (needle.empty() || contains_ci(z.id, needle) || contains_ci(z.name, needle) ||
        contains_ci(z.kind, needle))
      picked.push_back(&z);
  }
  if (picked.empty()) {
    *ctx.err << "greenrun: no zone matches \"" << opt.search
             << "\" (searched ids, names and kinds)\n";
    return 1;
  }
  if (opt.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const ZoneInfo* z : picked) {
      nlohmann::ordered_json j{{"id", z->id},
                       {"name", z->name},
                       {"kind", z->kind},
                       {"annual_mean_g_per_kwh", z->annual_mean_g_per_kwh},
                       {"signal", intensity::to_string(z->signal)},
                       {"year", z->year},
                       {"source", z->source},
                       {"typical_profile", has_profile(cat, z->id)}};
      if (!z->fallback_zone.empty()) j["fallback_zone"] = z->fallback_zone;
      out.push_back(std::move(j));
    }
    *ctx.out << out.dump(2) << "\n";
    return 0;
  }
  *ctx.out << fmt::format("{:<17} {:<15} {:<34} {:>10} {:>5} {:<7} {}\n", "ZONE", "KIND", "NAME",
                          "MEAN g/kWh", "YEAR", "PROFILE", "SOURCE");
  for (const ZoneInfo* z : picked) {
    std::string name(z->name);
    if (name.size() > 34) name = name.substr(0, 31) + "...";
    *ctx.out << fmt::format("{:<17} {:<15} {:<34} {:>10.1f} {:>5} {:<7} {}\n", z->id, z->kind, name,
                            z->annual_mean_g_per_kwh, z->year,
                            has_profile(cat, z->id) ? "typical" : "-", z->source);
  }
  *ctx.out << fmt::format(
      "{} zone(s). Means are annual life-cycle averages. \"typical\": a month x hour-of-day "
      "profile exists (a typical profile, not a forecast).\n",
      picked.size());
  return 0;
}

struct RegionsOptions {
  bool json = false;
  std::string provider;
};

int run_regions(const Context& ctx, const RegionsOptions& opt) {
  const ZoneCatalogue& cat = ZoneCatalogue::embedded();
  std::vector<const CloudRegion*> picked;
  for (const CloudRegion& r : cat.regions())
    if (opt.provider.empty() || r.provider == opt.provider) picked.push_back(&r);
  if (opt.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const CloudRegion* r : picked) {
      const ZoneInfo* z = cat.find_zone(r->zone);
      nlohmann::ordered_json j{{"provider", r->provider},
                       {"region", r->region},
                       {"name", r->name},
                       {"location", r->location},
                       {"latitude", r->latitude},
                       {"longitude", r->longitude},
                       {"zone", r->zone},
                       {"zone_annual_mean_g_per_kwh", nullptr},
                       {"zone_year", nullptr},
                       {"provider_g_per_kwh", nullptr},
                       {"provider_source", r->grid_source},
                       {"watttime_region", r->watttime_region},
                       {"source", r->source}};
      if (z != nullptr) {
        j["zone_annual_mean_g_per_kwh"] = z->annual_mean_g_per_kwh;
        j["zone_year"] = z->year;
      }
      if (r->grid_g_per_kwh) j["provider_g_per_kwh"] = *r->grid_g_per_kwh;
      out.push_back(std::move(j));
    }
    *ctx.out << out.dump(2) << "\n";
    return 0;
  }
  *ctx.out << fmt::format("{:<8} {:<24} {:<34} {:>8} {:>9}  {:<13} {:>9} {:>9}\n", "PROVIDER",
                          "REGION", "LOCATION", "LAT", "LON", "ZONE", "ZONE MEAN", "PROVIDER");
  for (const CloudRegion* r : picked) {
    const ZoneInfo* z = cat.find_zone(r->zone);
    std::string location(r->location);
    if (location.size() > 34) location = location.substr(0, 31) + "...";
    *ctx.out << fmt::format(
        "{:<8} {:<24} {:<34} {:>8.3f} {:>9.3f}  {:<13} {:>9} {:>9}\n", r->provider, r->region,
        location, r->latitude, r->longitude, r->zone,
        z ? fmt::format("{:.1f}", z->annual_mean_g_per_kwh) : std::string("-"),
        r->grid_g_per_kwh ? fmt::format("{:.1f}", *r->grid_g_per_kwh) : std::string("-"));
  }
  *ctx.out << fmt::format(
      "{} region(s). ZONE MEAN: the grid zone's annual life-cycle average (g/kWh); PROVIDER: the "
      "provider table's own figure (see --json for its source). Use --region provider:region.\n",
      picked.size());
  return 0;
}

}  // namespace

void add_zones_commands(CLI::App& app, Context& ctx, Action& action) {
  auto zones_opt = std::make_shared<ZonesOptions>();
  CLI::App* zones = app.add_subcommand(
      "zones",
      "List the embedded grid zones (Electricity Maps zones, countries, bidding zones, WattTime "
      "regions) with their annual mean intensity, its year and source, and whether a typical "
      "profile exists");
  zones->add_flag("--json", zones_opt->json, "Print a JSON array instead of a table");
  zones->add_option("--search", zones_opt->search,
                    "Only zones whose id, name or kind contains TEXT (case-insensitive)")
      ->type_name("TEXT");
  zones->callback([&ctx, &action, zones_opt] {
    action = [&ctx, zones_opt] { return run_zones(ctx, *zones_opt); };
  });

  auto regions_opt = std::make_shared<RegionsOptions>();
  CLI::App* regions = app.add_subcommand(
      "regions",
      "List the AWS, Azure and GCP regions: location, coordinates, grid zone, the zone's annual "
      "mean and the provider's own figure");
  regions->add_option("--provider", regions_opt->provider, "Only this provider: aws, azure or gcp")
      ->transform(CLI::IsMember({"aws", "azure", "gcp"}, CLI::ignore_case));
  regions->add_flag("--json", regions_opt->json, "Print a JSON array instead of a table");
  regions->callback([&ctx, &action, regions_opt] {
    action = [&ctx, regions_opt] { return run_regions(ctx, *regions_opt); };
  });
}

}  // namespace greenrun::cli
