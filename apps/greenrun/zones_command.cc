// `greenrun zones` and `greenrun regions`: list the embedded catalogue of grid
// zones (annual means, typical profiles) and cloud regions (location, zone).
// Rendering only: the listing and its search are engine::list_zones and
// list_regions (greenrun/catalogue.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "greenrun/catalogue.h"

namespace greenrun::cli {
namespace {

struct ZonesOptions {
  bool json = false;
  std::string search;
};

int run_zones(const Context& ctx, const ZonesOptions& opt) {
  auto zones = engine::list_zones(opt.search);
  if (!zones) return report_error(ctx, zones.error());
  const auto& picked = *zones;
  if (opt.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& zone : picked) {
      const auto* z = &zone;
      nlohmann::ordered_json j{{"id", z->id},
                       {"name", z->name},
                       {"kind", z->kind},
                       {"annual_mean_g_per_kwh", z->annual_mean_g_per_kwh},
                       {"signal", intensity::to_string(z->signal)},
                       {"year", z->year},
                       {"source", z->source},
                       {"typical_profile", z->typical_profile}};
      if (!z->fallback_zone.empty()) j["fallback_zone"] = z->fallback_zone;
      out.push_back(std::move(j));
    }
    *ctx.out << out.dump(2) << "\n";
    return 0;
  }
  *ctx.out << fmt::format("{:<17} {:<15} {:<34} {:>10} {:>5} {:<7} {}\n", "ZONE", "KIND", "NAME",
                          "MEAN g/kWh", "YEAR", "PROFILE", "SOURCE");
  for (const auto& zone : picked) {
    const auto* z = &zone;
    std::string name(z->name);
    if (name.size() > 34) name = name.substr(0, 31) + "...";
    *ctx.out << fmt::format("{:<17} {:<15} {:<34} {:>10.1f} {:>5} {:<7} {}\n", z->id, z->kind, name,
                            z->annual_mean_g_per_kwh, z->year,
                            z->typical_profile ? "typical" : "-", z->source);
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
  const auto picked = engine::list_regions(opt.provider);
  if (opt.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& region : picked) {
      const auto* r = &region;
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
                       {"provider_source", r->provider_source},
                       {"watttime_region", r->watttime_region},
                       {"source", r->source}};
      if (r->zone_annual_mean_g_per_kwh) {
        j["zone_annual_mean_g_per_kwh"] = *r->zone_annual_mean_g_per_kwh;
        j["zone_year"] = r->zone_year.value_or(0);
      }
      if (r->provider_g_per_kwh) j["provider_g_per_kwh"] = *r->provider_g_per_kwh;
      out.push_back(std::move(j));
    }
    *ctx.out << out.dump(2) << "\n";
    return 0;
  }
  *ctx.out << fmt::format("{:<8} {:<24} {:<34} {:>8} {:>9}  {:<13} {:>9} {:>9}\n", "PROVIDER",
                          "REGION", "LOCATION", "LAT", "LON", "ZONE", "ZONE MEAN", "PROVIDER");
  for (const auto& region : picked) {
    const auto* r = &region;
    std::string location(r->location);
    if (location.size() > 34) location = location.substr(0, 31) + "...";
    *ctx.out << fmt::format(
        "{:<8} {:<24} {:<34} {:>8.3f} {:>9.3f}  {:<13} {:>9} {:>9}\n", r->provider, r->region,
        location, r->latitude, r->longitude, r->zone,
        r->zone_annual_mean_g_per_kwh ? fmt::format("{:.1f}", *r->zone_annual_mean_g_per_kwh) : std::string("-"),
        r->provider_g_per_kwh ? fmt::format("{:.1f}", *r->provider_g_per_kwh) : std::string("-"));
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
