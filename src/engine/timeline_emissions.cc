// engine::timeline_emissions (greenrun/timeline_emissions.h).
#include "greenrun/timeline_emissions.h"

#include "engine/embodied_request.h"
#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "intensity/store.h"

namespace greenrun::engine {
namespace {

using intensity::IntensitySeries;
using intensity::Signal;

}  // namespace

Result<TimelineEmissions> timeline_emissions(const TimelineEmissionsRequest& request, const Services& services) {
  auto read = accounting::read_timeline_file(request.energy_file);
  if (!read) return std::unexpected(read.error());
  const accounting::EnergyTimeline& timeline = read->timeline;

  if (!request.zone && !request.region)
    return make_error(ErrorKind::kUsage, "emissions: expected --zone Z or --region provider:region");
  const auto& catalogue = intensity::ZoneCatalogue::embedded();
  auto location = catalogue.resolve(request.zone, request.region);
  if (!location) return std::unexpected(location.error());
  const std::string zone = location->zone;
  if (!intensity::is_average(request.signal))
    return make_error(ErrorKind::kUsage,
                      "--signal: expected average-lifecycle or average-direct (the marginal line comes from "
                      "--marginal-zone or the store), got " +
                          std::string(intensity::to_string(request.signal)));

  // Intensity from the store for the timeline's span.
  auto store = intensity::IntensityStore::open_read_only(services.store_path);  // reading never writes the store
  if (!store) return std::unexpected(store.error());
  const UtcTime from = timeline.start();
  const UtcTime to = timeline.end();
  auto load = [&](const std::string& z, Signal signal) {
    return store->load(intensity::SeriesKey{z, signal, intensity::Origin::kActual}, from, to);
  };
  auto average_series = load(zone, request.signal);
  if (!average_series) return std::unexpected(average_series.error());
  const auto fallback = accounting::annual_mean_fallback(zone);
  if (average_series->empty() && !fallback)
    return make_error(ErrorKind::kNotFound,
                      "no " + std::string(intensity::to_string(request.signal)) + " intensity data for zone " + zone +
                          " between " + format_utc(from) + " and " + format_utc(to) + " in the store (" +
                          store->path() + ") and no annual mean in the catalogue; import some with `greenrun "
                          "intensity import`");

  // The marginal signal, when the store has any for this span.
  const std::string marginal_zone = request.marginal_zone.value_or(zone);
  auto marginal_series = load(marginal_zone, Signal::kMarginal);
  if (!marginal_series) return std::unexpected(marginal_series.error());
  if (request.marginal_zone && marginal_series->empty())
    return make_error(ErrorKind::kNotFound, "--marginal-zone " + *request.marginal_zone +
                                                ": no marginal intensity data in the store (" + store->path() +
                                                ") between " + format_utc(from) + " and " + format_utc(to));

  accounting::EmissionsOptions options;
  if (request.pue) {
    options.pue = *request.pue;
    options.pue_source = "--pue";
  }
  auto e = embodied_input(request.embodied);
  if (!e) return std::unexpected(e.error());
  options.embodied = std::move(*e);

  std::optional<accounting::SignalInput> marginal;
  if (!marginal_series->empty()) marginal = accounting::SignalInput{Signal::kMarginal, &*marginal_series, std::nullopt};
  auto b = accounting::compute_emissions(timeline, accounting::SignalInput{request.signal, &*average_series, fallback},
                                         marginal, options);
  if (!b) return std::unexpected(b.error());

  TimelineEmissions out;
  out.breakdown = std::move(*b);
  out.context.zone = zone;
  out.context.region = location->cloud_region.value_or("");
  out.context.description = location->description;
  out.context.energy_source = request.energy_file;
  out.context.start = from;
  out.context.end = to;
  out.dropped_tail_lines = read->dropped_tail_lines;
  return out;
}

}  // namespace greenrun::engine
