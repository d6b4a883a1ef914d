// Glue between a run's timeline and the accounting and scheduling libraries:
// the run's intervals as accounting::EnergyTimeline (the job's attributed
// energy or the whole machine's), the intensity the run is priced with (the
// store's series for the run's span, the catalogue's annual mean where it has
// none, the marginal series when the store has one), and Flexible Start in
// hindsight: had the run started at another time within the next 24 h, how
// much less would it have emitted.
//
// All arithmetic lives in accounting (compute_emissions) and scheduling
// (plan_flexible_start); this file only chooses inputs and labels them.
//
// Thread-safety: pure functions, except that the store is read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/accounting/emissions.h"
#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/scheduling/plan.h"
#include "intensity/store.h"
#include "runner/timeline_writer.h"

namespace greenrun::runner {

enum class Share { kJob, kMachine };

// The run's intervals as an EnergyTimeline of `share` per component (cpu,
// dram, gpu; platform/psys is left out because it overlaps them). Methods are
// kept as they are (one Method; simulated stays simulated). Intervals of zero length or without components are
// skipped; a start that ms rounding put before the previous end is moved to
// it. Error: the timeline rejects an interval (names its start).
[[nodiscard]] Result<accounting::EnergyTimeline> energy_timeline(const std::vector<IntervalRecord>& intervals,
                                                                 Share share);

// The intensity a run in `zone` over [from, to) is priced with. `store` may
// be null (no store yet). An empty zone means the world average.
struct RunIntensity {
  intensity::IntensitySeries average;  // the store's average series for the span; may be empty
  std::optional<accounting::FallbackIntensity> fallback;  // the zone's annual mean (catalogue)
  std::optional<intensity::IntensitySeries> marginal;     // set when the store has marginal data
};
RunIntensity load_run_intensity(const intensity::IntensityStore* store, const std::string& zone, UtcTime from,
                                UtcTime to);

// Emissions of the job's attributed energy and of the whole machine
// (RunEmissions, greenrun/runner/run_record.h), with the same intensity, PUE
// and embodied share.
[[nodiscard]] Result<RunEmissions> run_emissions(const std::vector<IntervalRecord>& intervals,
                                                 const RunIntensity& prices,
                                                 const accounting::EmissionsOptions& options);

// The summary figure of one signal of a breakdown: operational + PUE
// overhead (embodied apart), the effective intensity, its source and the
// share of the energy priced at time-resolved data. `fallback` (the one the
// breakdown was computed with) labels time priced at it when no energy was.
EmissionsFigure emissions_figure(const accounting::EmissionsBreakdown& b, bool marginal,
                                 const std::optional<accounting::FallbackIntensity>& fallback = std::nullopt);

// Flexible Start over `series` for the run's own power profile (the job's
// attributed energy per interval, merged into at most `max_parts` pieces):
// every start in [started, started + window] (default 24 h), candidates
// aligned to the series (scheduling/flexible_start.h: the exact optimum).
// Error: no energy, or the series does not cover [started, started + window
// + the run's duration) (scheduling's message).
inline constexpr Duration kFlexibleWindow = std::chrono::hours(24);
[[nodiscard]] Result<scheduling::Plan> flexible_start_over(const intensity::IntensitySeries& series,
                                                           const std::vector<IntervalRecord>& intervals,
                                                           UtcTime started, size_t max_parts = 4096,
                                                           Duration window = kFlexibleWindow);

// Chooses the series (the store's actual data covering the window, used with
// hindsight; else a stored forecast; else the zone's typical profile,
// "typical profile, not a forecast") and plans. `computed` false with a
// one-line reason when no data allows.
FlexibleStartFigure flexible_start_hindsight(const intensity::IntensityStore* store, const std::string& zone,
                                             const std::vector<IntervalRecord>& intervals, UtcTime started,
                                             Duration window = kFlexibleWindow);

}  // namespace greenrun::runner
