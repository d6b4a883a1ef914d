// What to plan with when a live fetch fails: the decision is a pure function
// (decide_fallback) so every branch is tested; obtain_series applies it with
// the fetch, the store and the typical profile passed in as functions.
//
// Policy (docs/formats.md, "Live providers"):
//   - fetched                         -> use it
//   - transient failure (offline, timeout, 5xx, 429, garbled body)
//       and the store covers >= min_stored_coverage of the window -> stored data, warning
//       else a typical profile exists -> the typical profile ("a typical profile,
//                                        not a forecast"), warning
//       else                          -> error
//   - auth, client or config failure  -> error (bad credentials are never
//                                        papered over)
//
// Thread-safety: pure functions; obtain_series is as safe as its callbacks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/providers/fetch_error.h"

namespace greenrun::intensity {

enum class FallbackChoice { kFetched, kStored, kTypical, kNone };
std::string_view to_string(FallbackChoice c);

struct FallbackInputs {
  std::optional<FetchError> failure;  // nullopt: the fetch succeeded
  double stored_coverage = 0;         // fraction of the window the store covers, 0..1
  bool has_typical_profile = false;
  double min_stored_coverage = 0.5;
};

struct FallbackDecision {
  FallbackChoice choice = FallbackChoice::kNone;
  // kStored / kTypical: the warning to show; kNone: the error to show.
  std::string message;
};

FallbackDecision decide_fallback(const FallbackInputs& in, std::string_view zone);

struct ObtainedSeries {
  IntensitySeries series;
  FallbackChoice choice = FallbackChoice::kFetched;
  std::string warning;  // empty when fetched
};

struct SeriesSources {
  std::function<FetchResult<IntensitySeries>()> fetch;
  // Stored points for the window (an empty series when none).
  std::function<Result<IntensitySeries>(UtcTime from, UtcTime to)> stored;
  // The zone's typical profile over the window; an error when it has none.
  std::function<Result<IntensitySeries>(UtcTime from, UtcTime to)> typical;
};

// Fetches, and on failure falls back as decide_fallback says. REQUIRES: from < to.
[[nodiscard]] Result<ObtainedSeries> obtain_series(const SeriesSources& sources, std::string_view zone,
                                                   UtcTime from, UtcTime to, double min_stored_coverage = 0.5);

}  // namespace greenrun::intensity
