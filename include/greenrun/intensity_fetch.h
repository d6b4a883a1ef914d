// Filling the store from a live provider (WattTime, Electricity Maps, the UK
// Carbon Intensity API): the store's import is the cache of the responses,
// each series' provenance says when it was fetched. When the provider cannot
// be reached the outcome says so, and what planning will fall back to
// (stored data or the typical profile, as intensity::decide_fallback
// decides) — the same rule a carbon-aware run follows. What `greenrun
// intensity fetch` does; Python and the server fetch the same way.
//
// Credentials come from the settings file and the environment (Services::env)
// and are never in a message.
//
// Thread-safety: one call at a time per Services; each call opens the store
// itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/intensity/providers/fetch_request.h"
#include "greenrun/intensity/stored_series.h"

namespace greenrun::engine {

struct IntensityFetchRequest {
  intensity::FetchRequest fetch;       // which provider, what and where (REQUIRES: validate() passes)
  std::optional<std::string> config;   // a settings file; none: the default one (a missing file is fine)
  Duration timeout = std::chrono::seconds(60);  // per request, with Services::http unset
  bool dry_run = false;                         // fetch and summarise, store nothing
};

struct FetchedSeries {
  std::string zone;
  intensity::Signal signal = intensity::Signal::kAverageLifecycle;
  intensity::Origin origin = intensity::Origin::kForecast;
  size_t points = 0;
  UtcTime start{}, end{};
};

struct IntensityFetchOutcome {
  std::vector<std::string> warnings;  // from the settings, one line each
  // Set when nothing was fetched: the provider's failure (one line) and,
  // for a failure that may pass, what planning falls back to.
  std::optional<std::string> failure;
  std::optional<std::string> fallback_note;
  std::vector<FetchedSeries> series;
  size_t missing = 0;  // null values left as gaps (missing, not zero)
  std::optional<intensity::ImportSummary> stored;  // none on a dry run or a failure
  std::string store_path;
};

// Errors (nothing fetched, and nothing to explain): settings that cannot be
// read (kBadData), a store that cannot be written (kIo).
[[nodiscard]] Result<IntensityFetchOutcome> fetch_intensity(const IntensityFetchRequest& request,
                                                            const Services& services);

}  // namespace greenrun::engine
