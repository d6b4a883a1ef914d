// engine::price_energy: the emissions of a given energy spent evenly over a
// window at a place, priced exactly as a run is priced (the store's
// time-resolved series where it has one, else the zone's annual mean,
// labelled; PUE on top). What `greenrun.emissions(...)` in Python calls.
//
// Thread-safety: reads the store; one call at a time per Services.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/engine.h"

namespace greenrun::engine {

struct PriceRequest {
  std::optional<std::string> zone;    // none and no region: the world average
  std::optional<std::string> region;  // "aws:eu-central-1"
  Energy energy;                      // REQUIRES: >= 0
  UtcTime from{};                     // REQUIRES: from < to
  UtcTime to{};
  double pue = 1.0;
};

struct PricedEnergy {
  std::string zone;            // "" = world average
  Mass emissions;              // energy x PUE x intensity
  CarbonIntensity mean_intensity;
  std::string source;          // where the intensity came from
  double coverage = 0;         // share of the energy priced at time-resolved data
  std::optional<Mass> marginal;  // when the store has marginal data
};

// Errors: kUsage for a bad request (names the parameter), kNotFound for an
// unknown zone or region.
[[nodiscard]] Result<PricedEnergy> price_energy(const PriceRequest& request, const Services& services);

// Several energies at one place, each spent evenly over its own window,
// priced together: the same figures as the sum of price_energy over each
// (the pricing is linear), with the store opened and the series loaded once.
// What a Slurm job's per-node records are priced with (greenrun/job_energy.h).
struct EnergyInterval {
  Energy energy;  // REQUIRES: >= 0
  UtcTime from{};  // REQUIRES: from < to
  UtcTime to{};
};
struct PriceIntervalsRequest {
  std::optional<std::string> zone;
  std::optional<std::string> region;
  std::vector<EnergyInterval> intervals;  // REQUIRES: not empty
  double pue = 1.0;
};
// Errors: as price_energy, naming the interval ("intervals[3].energy: ...").
[[nodiscard]] Result<PricedEnergy> price_intervals(const PriceIntervalsRequest& request, const Services& services);

}  // namespace greenrun::engine
