// An hourly zone-DE forecast in a test's store, aligned to the current UTC
// hour: hour h (0 = the current one, from -2) has pattern[(h + 2) % size].
// For end-to-end tests of carbon-aware runs on the real clock.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace greenrun::testing {

// Imports the series into `store`; an error names what failed.
[[nodiscard]] Status store_hourly_forecast(const std::filesystem::path& store, const std::vector<double>& pattern,
                                           int hours = 30, const std::string& zone = "DE");

}  // namespace greenrun::testing
