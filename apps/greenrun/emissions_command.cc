// `greenrun emissions`: the emissions of an energy log (JSON Lines or CSV) in a
// grid zone, from the intensity series in the store, with the zone's annual
// mean (from the embedded catalogue) for time the store does not cover.
// Parsing and rendering only: the pricing is engine::timeline_emissions
// (greenrun/timeline_emissions.h).
#include <CLI/CLI.hpp>
#include <cmath>
#include <ostream>

#include "commands.h"
#include "greenrun/accounting/embodied.h"
#include "greenrun/accounting/emissions_report.h"
#include "greenrun/timeline_emissions.h"

namespace greenrun::cli {
namespace {

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
  bool lifetime_given = false;  // --lifetime given, even as 4y
  bool json = false;
};

int run_emissions(const EmissionsArgs& a, Context& ctx) {
  auto fail = [&](const std::string& msg) { return report_error(ctx, Error{msg, ErrorKind::kFailure}); };
  engine::TimelineEmissionsRequest request;
  request.energy_file = a.energy;
  request.zone = a.zone;
  request.region = a.region;
  request.marginal_zone = a.marginal_zone;
  auto signal = intensity::parse_signal(a.signal);
  if (!signal) return fail("--signal: " + signal.error().message);
  if (!intensity::is_average(*signal))
    return fail("--signal: expected average-lifecycle or average-direct (the marginal line comes from "
                "--marginal-zone or the store), got " + a.signal);
  request.signal = *signal;
  if (a.pue_given) request.pue = a.pue;
  // The embodied flags are read as `run` reads them: a usage error names the
  // flag; the engine checks and labels the line (engine/embodied_request.h).
  auto lifetime = accounting::parse_lifetime(a.lifetime);
  if (!lifetime) return report_error(ctx, Error{"--lifetime: " + lifetime.error().message, ErrorKind::kUsage});
  if (a.instance || a.embodied_kg) {
    engine::EmbodiedRequest e;
    e.instance = a.instance;
    if (a.embodied_kg) e.hardware = Mass::kilograms(*a.embodied_kg);
    e.share = a.share;
    e.lifetime = *lifetime;
    e.lifetime_given = a.lifetime_given;
    request.embodied = e;
  }
  engine::Services services;
  services.store_path = ctx.store_path();
  auto r = engine::timeline_emissions(request, services);
  if (!r) return report_error(ctx, r.error());
  *ctx.out << (a.json ? accounting::breakdown_to_json(r->breakdown, r->context)
                      : accounting::breakdown_to_text(r->breakdown, r->context));
  if (r->dropped_tail_lines > 0)
    *ctx.err << "greenrun: warning: dropped " << r->dropped_tail_lines << " truncated line(s) at the end of "
             << a.energy << "\n";
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
  cmd->add_option("--lifetime", args->lifetime, "Hardware lifetime for embodied carbon (default 4y, CCF's assumption)")
      ->each([args](const std::string&) { args->lifetime_given = true; });
  cmd->add_flag("--json", args->json, "Print one JSON object (schema greenrun.emissions/1)");
  cmd->callback([&ctx, &action, args] { action = [&ctx, args] { return run_emissions(*args, ctx); }; });
}

}  // namespace greenrun::cli
