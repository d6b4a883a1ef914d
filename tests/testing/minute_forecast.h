// A forecast at one-minute steps in a test's store, so carbon-aware
// schedules play out in minutes on the real clock: minute m (0 = the current
// UTC minute, from -2) has values[m] (the last value repeats), for `minutes`
// minutes. Returns the start of minute 0.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::testing {

// Sleeps until at least `left` remains of the current UTC minute (so a test
// that plans on "this minute" and "the next" is not split by a minute's end).
void wait_for_minute_left(std::chrono::seconds left);

[[nodiscard]] Result<UtcTime> store_minute_forecast(const std::filesystem::path& store, const std::string& zone,
                                                    const std::vector<double>& values, int minutes = 60);
// The same as the zone's actual (measured) series, for replays of jobs that
// just ran (`simulate --jobs` reads actuals).
[[nodiscard]] Result<UtcTime> store_minute_actual(const std::filesystem::path& store, const std::string& zone,
                                                  const std::vector<double>& values, int minutes = 60);

}  // namespace greenrun::testing
