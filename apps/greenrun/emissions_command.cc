// `greenrun emissions`: the emissions of an energy log (JSON Lines or CSV) in a
// grid zone, from the intensity series in the store, with the zone's annual
// mean (from the embedded catalogue) for time the store does not cover.
#include <CLI/CLI.hpp>
#include <cmath>
#include <ostream>

#include "accounting/embodied.h"
#include "accounting/emissions.h"
#include "accounting/emissions_report.h"
#include "accounting/energy_timeline.h"
#include "base/quantity_parse.h"
#include "base/text_reader.h"
#include "base/time_format.h"
#include "commands.h"
#include "intensity/store.h"
#include "intensity/zone_catalogue.h"

namespace greenrun::cli {
namespace {

using accounting::EmissionsOptions;
using accounting::FallbackIntensity;
using accounting::SignalInput;
using intensity::IntensitySeries;
using intensity::Signal;

struct EmissionsArgs {
  std::string energy;
  std::optional<std::string> zone;
  std::optional<std::string> region;
  std::string signal = "average-lifecycle";
  std::optional<std::string> marginal_zone;
  double pue = 1.0;
  bool pue_given = false;
  std::optional<std::string> instance;
  std::optional<double> embodied_kg;
  double share = 1.0;
  std::string lifetime = "4y";
  bool json = false;
};

// The part of the store's series for `zone` and `signal` that overlaps
// [from, to); an empty series when the store has none.
Result<IntensitySeries> load_series(const intensity::IntensityStore& store, const std::string& zone, Signal signal,
                                    UtcTime from, UtcTime to) {
  auto s = store.load(intensity::SeriesKey{zone, signal, intensity::Origin::kActual}, from, to);
  if (!s) return make_error(s.error().message);
  return std::move(*s);
}

int run_emissions(const EmissionsArgs& a, Context& ctx) {
  std::ostream& err = *ctx.err;
  auto fail = [&](const std::string& msg) {
    err << "greenrun: " << msg << "\n";
    return 1;
  };

  // The energy log.
  auto read = accounting::read_timeline_file(a.energy);
  if (!read) return fail(read.error().message);
  const accounting::EnergyTimeline& timeline = read->timeline;

  // Where.
  if (!a.zone && !a.region) {
    err << "greenrun: emissions: expected --zone Z or --region provider:region\n";
    return 2;
  }
  const auto& catalogue = intensity::ZoneCatalogue::embedded();
  auto location = catalogue.resolve(a.zone, a.region);
  if (!location) return fail(location.error().message);
  const std::string zone = location->zone;

  auto signal = intensity::parse_signal(a.signal);
  if (!signal) return fail("--signal: " + signal.error().message);
  if (!intensity::is_average(*signal))
    return fail("--signal: expected average-lifecycle or average-direct (the marginal line comes from "
                "--marginal-zone or the store), got " + a.signal);

  // Intensity from the store for the timeline's span.
  auto store = intensity::IntensityStore::open(ctx.store_path());
  if (!store) return fail(store.error().message);
  const UtcTime from = timeline.start();
  const UtcTime to = timeline.end();
  auto average_series = load_series(*store, zone, *signal, from, to);
  if (!average_series) return fail(average_series.error().message);

  std::optional<FallbackIntensity> fallback;
  if (const intensity::ZoneInfo* info = catalogue.find_zone(zone); info && info->annual_mean_g_per_kwh > 0) {
    std::string src = std::string(info->id) + " annual mean";
    if (info->year > 0) src += " " + std::to_string(info->year);
    src += ", " + std::string(intensity::to_string(info->signal));
    if (!info->source.empty()) src += ", " + std::string(info->source);
    fallback = FallbackIntensity{CarbonIntensity::grams_per_kwh(info->annual_mean_g_per_kwh), src};
  }
  if (average_series->empty() && !fallback)
    return fail("no " + a.signal + " intensity data for zone " + zone + " between " + format_utc(from) + " and " +
                format_utc(to) + " in the store (" + store->path() + ") and no annual mean in the catalogue; import "
                "some with `greenrun intensity import`");

  // The marginal signal, when the store has any for this span.
  const std::string marginal_zone = a.marginal_zone.value_or(zone);
  auto marginal_series = load_series(*store, marginal_zone, Signal::kMarginal, from, to);
  if (!marginal_series) return fail(marginal_series.error().message);
  if (a.marginal_zone && marginal_series->empty())
    return fail("--marginal-zone " + *a.marginal_zone + ": no marginal intensity data in the store (" + store->path() +
                ") between " + format_utc(from) + " and " + format_utc(to));

  EmissionsOptions options;
  options.pue = a.pue;
  if (a.pue_given) options.pue_source = "--pue";
  auto lifetime = accounting::parse_lifetime(a.lifetime);
  if (!lifetime) return fail("--lifetime: " + lifetime.error().message);
  if (a.instance) {
    auto inst = accounting::find_instance(*a.instance);
    if (!inst) return fail("--instance: " + inst.error().message);
    options.embodied = accounting::embodied_input(**inst, *lifetime);
  } else if (a.embodied_kg) {
    if (!std::isfinite(*a.embodied_kg) || *a.embodied_kg < 0) return fail("--embodied-kg: expected a non-negative number");
    options.embodied = accounting::EmbodiedInput{Mass::kilograms(*a.embodied_kg), a.share, *lifetime,
                                                 "--embodied-kg " + std::to_string(*a.embodied_kg) + " kg"};
  }
  if (options.embodied) {
    const bool default_lifetime = a.lifetime == "4y";
    options.embodied->source += "; lifetime " + format_duration(*lifetime) +
                                (default_lifetime ? " (" + std::string(accounting::kLifetimeSource) + ")" : " (--lifetime)");
  }

  std::optional<SignalInput> marginal;
  if (!marginal_series->empty()) marginal = SignalInput{Signal::kMarginal, &*marginal_series, std::nullopt};
  auto b = accounting::compute_emissions(timeline, SignalInput{*signal, &*average_series, fallback}, marginal, options);
  if (!b) return fail(b.error().message);

  accounting::ReportContext rc;
  rc.zone = zone;
  rc.region = location->cloud_region.value_or("");
  rc.description = location->description;
  rc.energy_source = a.energy;
  rc.start = from;
  rc.end = to;
  *ctx.out << (a.json ? accounting::breakdown_to_json(*b, rc) : accounting::breakdown_to_text(*b, rc));
  if (read->dropped_tail_lines > 0)
    err << "greenrun: warning: dropped " << read->dropped_tail_lines << " truncated line(s) at the end of " << a.energy
        << "\n";
  return 0;
}

}  // namespace

void add_emissions_command(CLI::App& app, Context& ctx, Action& action) {
  auto args = std::make_shared<EmissionsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "emissions",
      "Emissions of an energy log: energy x grid intensity over time (exact overlap), PUE overhead and embodied "
      "carbon as separate lines");
  cmd->footer(
      "The energy log is JSON Lines (greenrun run's timeline.jsonl) or CSV (start,duration_s,<component>_j,...); see "
      "docs/formats.md. Intensity comes from the store for the log's span; time the store does not cover is priced "
      "at the zone's annual mean and labelled \"annual mean, not time-resolved\". The marginal line appears when the "
      "store holds a marginal series (e.g. WattTime) for the zone or --marginal-zone.\n\nExample:\n  greenrun "
      "emissions --energy run/timeline.jsonl --region aws:us-east-1 --pue 1.1 --instance aws:p3.2xlarge");
  cmd->add_option("--energy", args->energy, "Energy log (JSON Lines or CSV)")->required();
  auto* zone = cmd->add_option("--zone", args->zone, "Grid zone (Electricity Maps zone id, e.g. DE, US-CAL-CISO)");
  auto* region = cmd->add_option("--region", args->region, "Cloud region as provider:region, e.g. azure:westus");
  zone->excludes(region);
  cmd->add_option("--signal", args->signal, "Average signal: average-lifecycle (default) or average-direct");
  cmd->add_option("--marginal-zone", args->marginal_zone,
                  "Zone of the marginal series (e.g. a WattTime region); default: the same zone");
  cmd->add_option("--pue", args->pue, "Datacentre PUE (>= 1); the overhead is shown as its own line")
      ->each([args](const std::string&) { args->pue_given = true; });
  auto* inst = cmd->add_option("--instance", args->instance,
                               "Cloud instance for embodied carbon, provider:type, e.g. aws:p3.2xlarge");
  auto* kg = cmd->add_option("--embodied-kg", args->embodied_kg, "Embodied carbon of the hardware, kg CO2e");
  inst->excludes(kg);
  cmd->add_option("--share", args->share, "With --embodied-kg: the share of that hardware used, in (0, 1]")->needs(kg);
  cmd->add_option("--lifetime", args->lifetime, "Hardware lifetime for embodied carbon (default 4y, CCF's assumption)");
  cmd->add_flag("--json", args->json, "Print one JSON object (schema greenrun.emissions/1)");
  cmd->callback([&ctx, &action, args] { action = [&ctx, args] { return run_emissions(*args, ctx); }; });
}

}  // namespace greenrun::cli
