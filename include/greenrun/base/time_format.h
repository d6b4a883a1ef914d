// Parsing and formatting UTC instants in the shapes the carbon-intensity
// sources use: "2022-01-01 00:00:00" (Electricity Maps CSV, UTC implied),
// "2020-01-01T00:00:00+00:00" (WattTime), "2018-01-20T12:00Z" (UK API, no
// seconds), "2023-01-23T17:00:00.000Z" (Electricity Maps API), and offsets
// such as "+01:00" or "-0500", which are converted to UTC.
//
// Hand-written (no locale, no allocation) because importers call it per row.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun {

// Parses an ISO 8601 date-time. A value with no offset is taken as UTC unless
// `default_offset` says otherwise (minutes east of UTC, for generic CSV
// imports with a --tz flag). A bare date "YYYY-MM-DD" means midnight.
// On failure the error says what was expected; the caller adds file:line.
[[nodiscard]] Result<UtcTime> parse_utc(std::string_view text,
                                        int default_offset_minutes = 0);

// "2022-01-01T00:00:00Z"; milliseconds are shown only when non-zero.
std::string format_utc(UtcTime t);

// Days since 1970-01-01 for a civil date (proleptic Gregorian), and back.
constexpr long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

struct CivilTime {
  int year;
  unsigned month;   // 1..12
  unsigned day;     // 1..31
  unsigned hour;    // 0..23
  unsigned minute;  // 0..59
  unsigned second;  // 0..59
};
CivilTime to_civil(UtcTime t);

}  // namespace greenrun
