// Parsing numbers and quantities typed by people or found in files:
// "6h", "1h30m", "90s", "500ms", "2d", ".NET TimeSpan" "08:00:00" and
// "1.00:00:00"; "300W", "0.3kW"; "3.1kWh", "500Wh", "12J", "1.2MJ".
//
// Errors describe what was expected; callers prefix the location.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun {

// A finite decimal number (no NaN, no inf, nothing trailing but spaces).
[[nodiscard]] Result<double> parse_number(std::string_view text);

// A duration with units (ms, s, m/min, h, d; concatenations such as "1h30m")
// or a TimeSpan "[d.]hh:mm:ss". Negative durations are rejected.
[[nodiscard]] Result<Duration> parse_duration(std::string_view text);

// "300W", "300 W", "0.3kW". Rejects negatives.
[[nodiscard]] Result<Power> parse_power(std::string_view text);

// "3.1kWh", "500Wh", "12J", "4kJ", "1.2MJ", "7mJ". Rejects negatives.
[[nodiscard]] Result<Energy> parse_energy(std::string_view text);

// Human text for a duration: "6h", "1h30m", "45s", "250ms".
std::string format_duration(Duration d);

}  // namespace greenrun
