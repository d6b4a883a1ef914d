// Choosing which stored series serves as the forecast for a zone and window:
// a forecast before actual data, life-cycle before direct before marginal,
// and only a series that covers the whole window. `plan` and carbon-aware
// `run` share this rule so they never disagree about the data they plan on.
//
// Thread-safety: as the IntensityStore passed in (one thread at a time).
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "intensity/store.h"

namespace greenrun::intensity {

struct StoredForecast {
  IntensitySeries series;
  SeriesKey key;
  std::string label;  // "forecast from the store (average-lifecycle; electricitymaps-csv)"
};

struct ForecastSelection {
  std::optional<StoredForecast> chosen;         // the best series covering [from, to)
  std::optional<StoredSeriesInfo> partial;      // the best one with data in the window but gaps
};

// Error only when the store cannot be read. `only`: series of that origin
// alone (`plan --plan-on`). REQUIRES: from < to.
[[nodiscard]] Result<ForecastSelection> select_stored_forecast(const IntensityStore& store,
                                                               const std::string& zone, UtcTime from,
                                                               UtcTime to,
                                                               std::optional<Origin> only = std::nullopt);

}  // namespace greenrun::intensity
