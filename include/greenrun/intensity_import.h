// Importing carbon-intensity files into the store, all or nothing: every file
// is parsed before anything is written, a flag meant for one format is
// refused for a file of another (it would be ignored without a word), a zone
// or cloud region names the zone as resolve_stored_zone reads it, and the
// store takes every series in one transaction. What `greenrun intensity
// import` does; Python and the server import the same way.
//
// Errors name the file (and line) and end "(nothing was imported)" where a
// file was refused; a read-only store is kIo. No exception crosses this API.
//
// Thread-safety: each call opens the store itself; SQLite serialises writers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/intensity/importers/import_options.h"
#include "greenrun/intensity/stored_series.h"

namespace greenrun::engine {

struct IntensityImportRequest {
  std::vector<std::string> files;  // REQUIRES: not empty
  intensity::ImportOptions options;
  // The options given that apply to one format only, by the name the user
  // gave them ("--unit" -> generic CSV): a file of another format is refused.
  std::vector<std::pair<std::string, intensity::Format>> format_specific;
  std::string zone;    // optional: as resolve_stored_zone reads it
  std::string region;  // optional: "azure:westus"
  // `--issued`: when the forecasts in the files were issued; it overrides a
  // provider's own generated-at time. Applies to the forecast series; a
  // request whose files hold no forecast is refused (kUsage).
  std::optional<UtcTime> issued;
};

struct IntensityImportOutcome {
  size_t series = 0;  // imported series
  size_t points = 0;
  std::vector<std::string> series_file;  // the file of each series, in the summary's order
  intensity::ImportSummary summary;      // one record per series
  std::vector<std::string> notes;        // "<file>: <what was not imported and why>", one line each
};

[[nodiscard]] Result<IntensityImportOutcome> import_intensity(const IntensityImportRequest& request,
                                                              const Services& services);

}  // namespace greenrun::engine
