// RawPoint and the rules every importer shares for turning rows read from a
// file into IntensitySeries points: step bounds, durations taken from the gap
// to the next row, shortening a step when the next row starts sooner (mixed
// resolution), zone checks against --zone, number and TimeSpan parsing, and
// intensity units. Kept here so that all importers agree.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/importers/import_options.h"
#include "greenrun/intensity/intensity_series.h"

namespace greenrun::intensity {

// One row as read, before it becomes a point. duration_ms == 0 means "not
// given": take the gap to the next row (fill_missing_durations).
struct RawPoint {
  int64_t start_ms = 0;
  int64_t duration_ms = 0;
  double g_per_kwh = 0.0;
  bool estimated = false;
  uint32_t ref = 0;  // a line number or record index, for error messages
};

// The longest step accepted anywhere (a year of 366 days), so that sums of
// durations can never overflow.
inline constexpr int64_t kMaxStepMs = 366LL * 86400 * 1000;

// The plausibility bound every importer applies (docs/formats.md, "Importing
// carbon-intensity files"): the dirtiest grids average about 1,000 g/kWh and
// marginal (MOER) figures reach about 1,500 g/kWh, so a value above this is a
// unit or data error, not a grid. Values are refused, never clamped.
inline constexpr double kMaxPlausibleGPerKwh = 5000.0;

// Error unless 0 <= g_per_kwh <= kMaxPlausibleGPerKwh (NaN and infinity
// refused): "expected an intensity between 0 and 5000 g/kWh, got X g/kWh".
[[nodiscard]] Status check_plausible(double g_per_kwh);

// A CSV record (as LineReader returns it) whose quotes do not balance: its
// quoted field was opened and never closed, so LineReader joined every later
// line into it. Error "<name>:<line>: a quoted field opened on this line is
// never closed ..." (the line where the quote opened).
[[nodiscard]] Status check_quotes_closed(std::string_view record, const std::string& name, size_t line);

// The commonest positive gap between consecutive points' starts (ties: the
// shorter), or 0 when there are fewer than two points. REQUIRES: points in
// the order read.
int64_t commonest_gap_ms(std::span<const RawPoint> points);

// Seconds (possibly fractional) to a step; error unless 1 ms <= step <= 366 days.
[[nodiscard]] Result<int64_t> step_from_seconds(double seconds);

// Where a RawPoint came from, e.g. "file.csv:12" or "file.json: $.data[3]".
using PointLocator = std::function<std::string(uint32_t ref)>;

// Gives each point with duration 0 the gap to the next point, and the last
// one the duration of the point before it. Error when a point has no
// following or preceding duration to borrow (a lone point without a step),
// or the gap is not positive (duplicate / non-monotonic timestamps).
[[nodiscard]] Status fill_missing_durations(std::span<RawPoint> points, const PointLocator& where);

// Appends points in order: each lasts its duration, shortened to the gap to
// the next point when that starts sooner (mixed steps, rolling windows).
// Returns how many points were shortened. Errors (duplicate, non-monotonic,
// values outside the plausibility bound) name the point's location.
[[nodiscard]] Result<size_t> append_points(IntensitySeries& series, std::span<const RawPoint> points,
                                           const PointLocator& where);

// A decimal number: finite, nothing else in the cell but spaces.
bool parse_decimal(std::string_view text, double& value);

// .NET TimeSpan text as the Carbon Aware SDK writes it: "d", "hh:mm",
// "hh:mm:ss", "d.hh:mm:ss", with optional ".fffffff" seconds fraction.
// Negative spans are rejected.
[[nodiscard]] Result<Duration> parse_timespan(std::string_view text);

// intensity_unit_factor: greenrun/intensity/importers/import_options.h.

// The --zone rule for a file that names its own zone: error
// "<where>: <what> \"X\" contradicts --zone Y" when they differ
// (ASCII case-insensitively).
[[nodiscard]] Status check_zone(const std::optional<std::string>& wanted, std::string_view found,
                                const std::string& where, std::string_view what);

}  // namespace greenrun::intensity
