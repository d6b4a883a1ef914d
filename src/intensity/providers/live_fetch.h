// One entry point over the three live providers, for the CLI
// (`greenrun intensity fetch`) and for execution (re-planning on a fresh
// forecast): a FetchRequest says which provider, what and where; fetch_series
// validates it, builds the provider client and returns the series.
//
// Thread-safety: as safe as the HttpClient and Clock passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/providers/http_client.h"
#include "intensity/providers/provider_json.h"
#include "intensity/providers/provider_settings.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

enum class ProviderKind { kWattTime, kElectricityMaps, kUk };
enum class FetchKind { kForecast, kHistory, kLatest };

std::string_view to_string(ProviderKind p);  // "watttime", "electricitymaps", "uk"
std::string_view to_string(FetchKind k);     // "forecast", "history", "latest"
// Also accepts "electricity-maps", "em", "carbonintensity", "uk-carbon-intensity".
[[nodiscard]] Result<ProviderKind> parse_provider(std::string_view text);
[[nodiscard]] Result<FetchKind> parse_fetch_kind(std::string_view text);

struct FetchRequest {
  ProviderKind provider = ProviderKind::kUk;
  FetchKind kind = FetchKind::kForecast;
  std::optional<std::string> zone;      // WattTime region, Electricity Maps zone, UK zone label
  std::optional<std::string> postcode;  // UK regional only
  std::optional<double> latitude;       // WattTime (region-from-loc) and Electricity Maps
  std::optional<double> longitude;
  std::optional<UtcTime> from;  // history: [from, to); forecast: UK start time
  std::optional<UtcTime> to;
  int horizon_hours = 24;
  Signal signal = Signal::kAverageLifecycle;  // Electricity Maps only
};

// Errors (kConfig) for combinations a provider does not offer: a postcode
// outside the UK provider, latest outside Electricity Maps, from without to,
// a missing zone, a signal the provider lacks.
[[nodiscard]] Status validate(const FetchRequest& request);

// History without --from/--to means the last 24 hours before now.
[[nodiscard]] FetchResult<SeriesBatch> fetch_series(const FetchRequest& request, const ProviderSettings& settings,
                                                    HttpClient& http, Clock& clock, const RetryPolicy& retry = {});

}  // namespace greenrun::intensity
