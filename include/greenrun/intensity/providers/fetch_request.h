// What a live fetch is asked for: which provider (WattTime, Electricity Maps,
// the UK's Carbon Intensity API), what (forecast, history, latest) and where.
// The fetch itself is intensity's (src/intensity/providers/live_fetch.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/signal.h"

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

}  // namespace greenrun::intensity
