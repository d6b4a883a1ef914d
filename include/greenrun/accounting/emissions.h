// Emissions accounting: an EnergyTimeline x carbon-intensity series ->
// grams of CO2e, the SCI way (methods.md): operational emissions are the sum
// over intervals of energy x the intensity at that time, datacentre overhead
// (PUE) is its own line, and embodied carbon (SCI's M) is its own line.
//
// Exact time-weighted overlap: an energy interval that straddles intensity
// steps is split at the steps, its energy taken as spread uniformly over the
// interval, so each piece is priced at its own step's intensity. Time the
// series does not cover is priced at a fallback intensity (the zone's annual
// mean) when one is given, and the result says how much energy that was
// ("annual mean, not time-resolved"); with no fallback that energy is left
// unpriced and the result is marked incomplete, never silently zero.
//
// Every figure carries its signal, its sources and whether it is an estimate
// (and why).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/signal.h"

namespace greenrun::accounting {

// The annual-mean intensity used where the series has no data.
struct FallbackIntensity {
  CarbonIntensity value;
  std::string source;  // e.g. "DE annual mean 2023, average-lifecycle, Electricity Maps via co2.js (ODbL)"
  bool operator==(const FallbackIntensity&) const = default;
};

// The catalogue's annual mean for `zone` (the world's for an empty zone) as
// the fallback, its source spelled out: "<ZONE> annual mean <year>, <signal>,
// <source>". The one builder behind `run`, `emissions` and `plan`'s ranking
// of a place without time-resolved data, so all three label it alike. None
// when the catalogue has no mean for the zone.
std::optional<FallbackIntensity> annual_mean_fallback(std::string_view zone);

// How energy or time priced at a fallback is labelled wherever it is shown
// (run, emissions, plan): "annual mean, not time-resolved (<source>)".
std::string annual_mean_label(std::string_view source);

// One signal's intensity data.
struct SignalInput {
  intensity::Signal signal = intensity::Signal::kAverageLifecycle;
  // May be null or empty (then everything uses the fallback). When set, its
  // signal must be `signal`. Not owned; must outlive the call.
  const intensity::IntensitySeries* series = nullptr;
  std::optional<FallbackIntensity> fallback;
};

// SCI's M for the hardware the job ran on: hardware_total x (time used /
// lifetime) x resource_share.
struct EmbodiedInput {
  Mass hardware_total;          // TE: embodied emissions of the whole machine
  double resource_share = 1.0;  // RR / ToR, e.g. instance vCPUs / host vCPUs; in (0, 1]
  Duration lifetime{0};         // EL: expected lifespan of the hardware
  std::string source;           // where TE and the share come from
  bool operator==(const EmbodiedInput&) const = default;
};

struct EmissionsOptions {
  double pue = 1.0;  // >= 1; 1 means no datacentre overhead
  std::string pue_source = "not given (1.0: no datacentre overhead counted)";
  std::optional<EmbodiedInput> embodied;
};

struct ComponentEmissions {
  std::string component;
  Energy energy;
  Method method = Method::kMeasured;
  Mass operational;  // energy x intensity, before PUE
  bool operator==(const ComponentEmissions&) const = default;
};

// Operational emissions under one signal.
struct SignalEmissions {
  intensity::Signal signal = intensity::Signal::kAverageLifecycle;
  std::vector<ComponentEmissions> components;  // in timeline component order
  Energy energy;     // the whole timeline's energy
  Mass operational;  // sum of components[].operational (what is shown)

  // Coverage of the energy by the kinds of intensity that priced it.
  Energy energy_time_resolved;  // priced at series points
  Energy energy_fallback;       // priced at the annual-mean fallback
  Energy energy_unpriced;       // no data and no fallback: not in `operational`
  Duration time_resolved{0};
  Duration time_fallback{0};
  Duration time_unpriced{0};
  Mass operational_fallback;            // part of `operational` from the fallback
  Energy energy_at_estimated_points;    // priced at points the provider estimated

  // Provenance.
  std::string series_zone;
  std::string series_source;  // "electricitymaps-csv: path (note)"; empty without a series
  intensity::Origin series_origin = intensity::Origin::kActual;
  std::optional<FallbackIntensity> fallback;  // set when it priced any energy

  bool estimate = false;
  std::vector<std::string> estimate_reasons;  // one line each, for the reader

  bool complete() const { return energy_unpriced.joules() == 0.0; }
  // operational / priced energy; zero when nothing was priced.
  CarbonIntensity effective_intensity() const;
  bool operator==(const SignalEmissions&) const = default;
};

struct EmbodiedLine {
  EmbodiedInput input;
  Duration time_used{0};  // the timeline's span (time reserved)
  Mass amount;
  bool operator==(const EmbodiedLine&) const = default;
};

struct EmissionsBreakdown {
  Energy energy;            // IT energy of the timeline
  Duration span{0};         // first start to last end
  Duration active_time{0};  // sum of interval durations

  SignalEmissions average;
  std::optional<SignalEmissions> marginal;

  double pue = 1.0;
  std::string pue_source;
  Energy pue_overhead_energy;                // energy x (PUE - 1)
  Mass pue_overhead;                         // average operational x (PUE - 1)
  std::optional<Mass> pue_overhead_marginal;  // marginal operational x (PUE - 1)

  std::optional<EmbodiedLine> embodied;

  // The lines shown add up to these: operational + PUE overhead + embodied.
  Mass total;                          // with the average signal
  std::optional<Mass> total_marginal;  // with the marginal signal
  bool estimate = false;               // any line is an estimate
  bool operator==(const EmissionsBreakdown&) const = default;
};

// Operational emissions of `timeline` under one signal. Errors: the series'
// signal differs from input.signal; the fallback is negative or not finite.
// REQUIRES: nothing; an empty timeline gives zeros.
[[nodiscard]] Result<SignalEmissions> operational_emissions(const EnergyTimeline& timeline,
                                                            const SignalInput& input);

// SCI's M. Errors: lifetime <= 0; hardware_total negative or not finite;
// resource_share outside (0, 1].
[[nodiscard]] Result<Mass> embodied_share(const EmbodiedInput& input, Duration time_used);

// The full breakdown. `average.signal` must be an average signal and
// `marginal->signal` the marginal one. Errors: those, a PUE below 1 or not
// finite, an empty timeline, and the errors of the functions above.
[[nodiscard]] Result<EmissionsBreakdown> compute_emissions(const EnergyTimeline& timeline,
                                                           const SignalInput& average,
                                                           const std::optional<SignalInput>& marginal,
                                                           const EmissionsOptions& options);

}  // namespace greenrun::accounting
