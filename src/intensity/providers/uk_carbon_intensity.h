// UK Carbon Intensity API (api.carbonintensity.org.uk, no key): national
// forecasts and actuals (/intensity/{from}/fw24h|fw48h|pt24h|{to}) and
// regional forecasts by postcode outward code
// (/regional/intensity/{from}/fw48h/postcode/{pc}). Half-hour periods,
// g CO2/kWh of the generation mix (treated as Signal::kAverageDirect: the
// API counts operational emissions, not life-cycle).
//
// Shapes (../shared/reference/formats.md): national "data" is an array of
// periods; regional "data" is one region object holding "data" periods on
// /regional/intensity/... and an array of such region objects on
// /regional/postcode/{pc}. Both are accepted everywhere.
//
// Thread-safety: the parser is pure; one client per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/providers/http_client.h"
#include "intensity/providers/provider_json.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

// National series carry zone "GB"; a region's default zone is
// "GB-UKCI-<regionid>" (the API's numbered regions, 18 = England ...), the
// same id the file importer gives, unless the caller names one.
inline constexpr std::string_view kUkNationalZone = "GB";

// The API's time form: "2018-01-20T12:00Z" (minutes, no seconds).
std::string uk_time(UtcTime t);

// "RG10", "rg10 9ab" -> "RG10" (the outward code the API wants). Error for
// anything that is not 2-4 letters and digits starting with a letter.
[[nodiscard]] Result<std::string> uk_outward_code(std::string_view postcode);

// Parsed by the file importer (import_uk_json), so answers and saved files
// follow the same rules. Periods with a forecast become an Origin::kForecast
// series and periods with an actual an Origin::kActual series (either may be
// absent; forecast first). A null forecast is a missing point (counted in
// missing); a null actual is normal for the future and not counted. `zone`
// labels every series when given (error when the answer holds several
// regions). An answer without points is an empty batch; {"error":…} is an
// error quoting the API's message.
[[nodiscard]] Result<SeriesBatch> parse_uk_intensity(std::string_view body, const std::string& name,
                                                     const std::optional<std::string>& zone);

struct UkCarbonIntensityOptions {
  std::string base_url = "https://api.carbonintensity.org.uk";
  RetryPolicy retry;
  Duration range_chunk = std::chrono::hours(24 * 14);  // the API's limit per call
};

class UkCarbonIntensityClient {
 public:
  UkCarbonIntensityClient(HttpClient& http, Clock& clock, UkCarbonIntensityOptions options = {});

  // Forecast from `from` (rounded down to the half hour) for 24 or 48 hours
  // (horizon_hours <= 24 asks fw24h, else fw48h); national when no postcode.
  [[nodiscard]] FetchResult<SeriesBatch> forward(UtcTime from, int horizon_hours,
                                                 const std::optional<std::string>& postcode,
                                                 const std::optional<std::string>& zone);
  // The 24 hours before `to` (pt24h).
  [[nodiscard]] FetchResult<SeriesBatch> past_day(UtcTime to, const std::optional<std::string>& postcode,
                                                  const std::optional<std::string>& zone);
  // [from, to), split into 14-day calls. REQUIRES: from < to.
  [[nodiscard]] FetchResult<SeriesBatch> range(UtcTime from, UtcTime to, const std::optional<std::string>& postcode,
                                               const std::optional<std::string>& zone);

 private:
  [[nodiscard]] FetchResult<SeriesBatch> get(const std::string& path, const std::optional<std::string>& zone);
  [[nodiscard]] FetchResult<std::string> regional_suffix(const std::optional<std::string>& postcode);

  HttpClient& http_;
  Clock& clock_;
  UkCarbonIntensityOptions options_;
};

}  // namespace greenrun::intensity
