// An hourly zone-DE forecast in a test's store, aligned to the current UTC
// hour: hour h (0 = the current one, from -2) has pattern[(h + 2) % size].
// For end-to-end tests of carbon-aware runs on the real clock.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::testing {

// Imports the series into `store`; an error names what failed.
[[nodiscard]] Status store_hourly_forecast(const std::filesystem::path& store, const std::vector<double>& pattern,
                                           int hours = 30, const std::string& zone = "DE");

// Hours 0 (the current one) .. hours-1 (and the two before): 100 g/kWh in
// the `clean` hours, 900 in the others.
[[nodiscard]] Status store_clean_hours(const std::filesystem::path& store, const std::vector<int>& clean,
                                       int hours = 30);

// A forecast under which a carbon-aware run (--expected-duration 4h
// --max-delay 600%) pauses for a long time whatever the load: the current
// hour is dirty, hours 1-3 clean, 4-23 dirty, 24-29 clean. Planned in hour
// slots from now, the job starts within the hour and runs two or three
// clean hours (time for any job to install its checkpoint handler), then is
// paused for some 20 hours (20 s of real time at 3600x: a test sees the job
// stopped or checkpointed and acts on it at leisure) and runs again from
// hour 24. A job of more than three and less than four hours of schedule
// (checkpointing_job.py --units 72 --unit-seconds 0.05 at 3600x: 3.6 h)
// always pauses.
[[nodiscard]] Status store_long_pause_forecast(const std::filesystem::path& store);

}  // namespace greenrun::testing
