// What an import is asked for: the file formats greenrun reads and the
// options that say how (zone, signal, unit, time zone, step, origin). The
// importers themselves are intensity's (src/intensity/importers/importer.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/signal.h"

namespace greenrun::intensity {

enum class Format {
  kAuto,
  kElectricityMapsCsv,
  kWattTimeJson,
  kWattTimeCsv,
  kUkJson,
  kCarbonAwareJson,
  kGenericCsv,
};

std::string_view to_string(Format f);
[[nodiscard]] Result<Format> parse_format(std::string_view name);

// The largest file import_file reads (256 MiB; a year of 5-minute
// Electricity Maps rows is about 20 MiB). Larger inputs are refused with a
// message naming the file, so that no input (a huge file, /dev/zero, a pipe
// that never ends) can grow memory without bound.
inline constexpr size_t kMaxImportFileBytes = size_t{256} << 20;

struct ImportOptions {
  Format format = Format::kAuto;
  // When set, the data's own zone must match (an Electricity Maps "Zone Id"
  // that contradicts it is an error); formats without a zone (WattTime CSV,
  // generic CSV, UK national) take this as their zone and require it.
  std::optional<std::string> zone;
  // Electricity Maps CSV carries both; pick one (default life-cycle).
  Signal electricitymaps_signal = Signal::kAverageLifecycle;
  // Generic CSV only.
  std::string generic_unit = "g/kWh";  // g/kWh, lbs/MWh, t/kWh, kg/kWh
  int generic_tz_offset_minutes = 0;   // for timestamps without an offset
  // Instead of a fixed offset: the time zone of timestamps without an offset
  // ("Europe/Berlin"), read across DST changes: a wall time that does not
  // exist (the clocks jumped forward) is refused with its line; one that
  // exists twice (the clocks went back) is the earlier instant, or the later
  // when the earlier is not after the previous row's.
  std::optional<TimeZone> generic_tz;
  std::optional<Duration> generic_step;  // default: the gap to the next row
  Signal generic_signal = Signal::kAverageLifecycle;
  Origin generic_origin = Origin::kActual;
  // WattTime JSON: force the origin (default: forecast when meta.generated_at
  // is present or the body is /v3/forecast/historical, actual otherwise).
  std::optional<Origin> watttime_origin;
  // Carbon Aware SDK JSON does not say which signal its source provides; the
  // SDK is most often backed by WattTime, hence marginal by default.
  Signal carbon_aware_signal = Signal::kMarginal;
  // Live API answers (src/intensity/providers) go through these same
  // importers; two rules differ between a file kept for the record and an
  // answer fetched now:
  // WattTime JSON: a null "value" is a missing point (a gap, counted in
  // missing_values) instead of an error.
  bool null_is_missing = false;
  // WattTime and UK JSON: an answer with no points (nothing published for the
  // range yet) is an empty result instead of an error.
  bool allow_empty = false;
  // import_file: inputs longer than this are refused (tests lower it).
  size_t max_file_bytes = kMaxImportFileBytes;
};

// Carbon-intensity units to the factor that converts a value to g/kWh:
// "g/kWh" (also gCO2/kWh, gCO2e/kWh, gCO2eq/kWh, kg/MWh) 1; "lbs/MWh" (lb/MWh,
// lbs_co2_per_mwh) 0.45359237; "kg/kWh" 1e3; "t/kWh" (tonnes/kWh) 1e6.
[[nodiscard]] Result<double> intensity_unit_factor(std::string_view unit);

}  // namespace greenrun::intensity
