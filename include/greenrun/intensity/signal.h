// What a carbon-intensity figure means: which signal (marginal, or the average
// mix counted directly or over the life cycle) and where it came from (an
// actual/historical value, a forecast, or a typical profile used only for
// planning advice). Accounting and steering signals must never be mixed up
// silently, so every series and every reported figure carries both.
//
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "greenrun/base/result.h"

namespace greenrun::intensity {

enum class Signal {
  kMarginal,          // WattTime MOER: the plant that answers one more kWh
  kAverageDirect,     // the mix, combustion only
  kAverageLifecycle,  // the mix, life-cycle (Electricity Maps default)
};

enum class Origin {
  kActual,    // historical / measured (may still be a provider estimate)
  kForecast,  // a provider forecast
  kTypical,   // month x hour-of-day means: a typical profile, not a forecast
};

std::string_view to_string(Signal s);  // "marginal", "average-direct", "average-lifecycle"
std::string_view to_string(Origin o);  // "actual", "forecast", "typical"

// Accepts the names above and short forms: "direct", "lifecycle", "lca", "moer".
[[nodiscard]] Result<Signal> parse_signal(std::string_view text);
[[nodiscard]] Result<Origin> parse_origin(std::string_view text);

inline bool is_average(Signal s) { return s != Signal::kMarginal; }

}  // namespace greenrun::intensity
