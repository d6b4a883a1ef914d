// greenrun's read-only queries: what the grid's intensity was (or is
// forecast to be) at a place, and which runs the store holds. The CLI, the
// Python module, the server and the reports ask these instead of opening the
// store themselves, so every front end reads a location, a series and a run
// the same way.
//
//   resolve()    a zone id ("DE"), a cloud region ("aws:eu-central-1", or a
//                bare region one provider uses: "eastus", "us-east-1"), or a
//                zone with imported data, to a Location.
//   intensity()  the stored series for a location over [from, to): actual
//                data, or a stored forecast; no data is an empty series,
//                not an error.
//   forecast()   the forecast a plan would use (the engine's one policy:
//                live provider, store, typical profile — each labelled).
//   find_runs(), find_run_rows(), get_run(), run_totals()   the run records.
//
// Errors carry a kind (greenrun/base/result.h): kUsage for a request that cannot be
// valid (from >= to), kNotFound for an unknown location or run, kIo for a
// store that cannot be read. No exception crosses this API.
//
// Thread-safety: each call opens the store itself; calls from several
// threads are safe (SQLite serialises them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/stored_series.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/runner/run_rows.h"

namespace greenrun::engine {

// ---------------------------------------------------------------- locations

// Tries `name` as a zone (the catalogue's, else one with imported data),
// then as a cloud region. Error kNotFound naming `name`, with the
// catalogue's suggestions.
[[nodiscard]] Result<intensity::Location> resolve(std::string_view name, const Services& services);

// ---------------------------------------------------------------- intensity

struct IntensityRequest {
  std::string location;  // as resolve() reads it
  UtcTime from{};        // REQUIRES: from < to
  UtcTime to{};
  intensity::Origin origin = intensity::Origin::kActual;  // kActual or kForecast
  // None: the best the store has with points in the range — life-cycle
  // before direct before marginal (the forecast selection's order).
  std::optional<intensity::Signal> signal;
};

struct IntensityOutcome {
  intensity::Location location;
  // Whole points overlapping [from, to), in order; empty when the store has
  // none (the key then names the series that was looked for).
  intensity::IntensitySeries series;
  intensity::SeriesKey key;
  std::string label;  // "actual, average-lifecycle (electricitymaps-csv: ...)"
};

[[nodiscard]] Result<IntensityOutcome> intensity(const IntensityRequest& request, const Services& services);

// Every stored series (zone x signal x origin) with its span, for listing.
[[nodiscard]] Result<std::vector<intensity::StoredSeriesInfo>> stored_series(const Services& services);

// ---------------------------------------------------------------- forecast

struct ForecastRequest {
  std::string location;  // as resolve() reads it
  UtcTime from{};        // REQUIRES: from < to
  UtcTime to{};
  ForecastChoice forecast;  // "" : environment / config file, else the store
};

struct ForecastOutcome {
  intensity::Location location;
  intensity::IntensitySeries series;  // covers [from, to)
  std::string label;                  // what the numbers are (forecast, stored, typical profile ...)
  std::vector<std::string> warnings;  // fallbacks taken, each one line
};

// Errors: as resolve(); a malformed provider spec (kUsage); nothing covers
// the window (kNotFound).
[[nodiscard]] Result<ForecastOutcome> forecast(const ForecastRequest& request, const Services& services);

// ---------------------------------------------------------------- runs

struct RunFilter {
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<UtcTime> since;  // runs that started at or after
  std::optional<UtcTime> until;  // runs that started before
  size_t limit = 1000;           // newest first
  std::optional<std::pair<std::string, std::string>> tag;  // KEY=VALUE (run_admin.h)
};

// Newest first. An absent store holds no runs (not an error).
[[nodiscard]] Result<std::vector<runner::RunRecord>> find_runs(const RunFilter& filter, const Services& services);

// By exact id or unique prefix. Errors: kNotFound (none, or ambiguous).
[[nodiscard]] Result<runner::RunRecord> get_run(const std::string& id_or_prefix, const Services& services);

// The same runs as the store's typed columns (no record parsed): what a
// table of many runs needs.
[[nodiscard]] Result<std::vector<runner::RunRow>> find_run_rows(const RunFilter& filter, const Services& services);

// Totals grouped by "project", "phase", "zone" or "month" (UTC, "2026-12")
// over the runs the filter selects (its limit does not apply). Error kUsage
// for another `by`.
[[nodiscard]] Result<std::vector<runner::RunTotals>> run_totals(const std::string& by, const RunFilter& filter,
                                                                const Services& services);
// The same within one project (or all).
[[nodiscard]] Result<std::vector<runner::RunTotals>> run_totals(const std::string& by,
                                                                const std::optional<std::string>& project,
                                                                const Services& services);

}  // namespace greenrun::engine
