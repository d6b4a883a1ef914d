// engine::timeline_emissions: the emissions of an energy log (timeline.jsonl
// as `greenrun run` writes it, or CSV) at a place — energy x the store's
// intensity by exact overlap, the zone's annual mean (labelled "annual mean,
// not time-resolved") for time the store does not cover, a marginal line
// when the store holds a marginal series, PUE and embodied carbon as lines
// of their own (greenrun/accounting/emissions.h). What `greenrun emissions` prints;
// Python and the server get the same breakdown.
//
// Errors carry a kind: kUsage for a request that cannot be valid (no zone
// or region, a signal that is not an average); kIo or kBadData for an energy
// log that cannot be read (naming the file and line); kNotFound for an
// unknown zone, region or instance, or no data at all for the span (neither
// stored series nor annual mean), or a --marginal-zone with no stored
// marginal data. Reading never writes the store.
//
// Thread-safety: each call opens the store read-only itself.
#pragma once

#include <optional>
#include <string>

#include "greenrun/accounting/emissions.h"
#include "greenrun/accounting/emissions_report.h"
#include "greenrun/engine.h"

namespace greenrun::engine {

struct TimelineEmissionsRequest {
  std::string energy_file;            // REQUIRES: not empty
  std::optional<std::string> zone;    // one of zone and region
  std::optional<std::string> region;  // "aws:us-east-1"
  intensity::Signal signal = intensity::Signal::kAverageLifecycle;  // an average signal
  std::optional<std::string> marginal_zone;  // none: the zone itself (when the store has marginal data)
  std::optional<double> pue;                 // none: 1.0, labelled "not given"
  // Embodied carbon of an instance type, or of given hardware (`hardware`
  // with its `share`); lifetime as given (lifetime_given labels it).
  std::optional<EmbodiedRequest> embodied;
};

struct TimelineEmissions {
  accounting::EmissionsBreakdown breakdown;
  accounting::ReportContext context;  // what to print above it: where, when, the log
  size_t dropped_tail_lines = 0;      // truncated lines at the end of the log (a run still writing)
};

[[nodiscard]] Result<TimelineEmissions> timeline_emissions(const TimelineEmissionsRequest& request,
                                                           const Services& services);

}  // namespace greenrun::engine
