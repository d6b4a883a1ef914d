// Importers turn the files carbon-intensity providers publish into
// IntensitySeries. Formats (see ../shared/reference/formats.md):
//   electricitymaps-csv   Electricity Maps CSV downloads (both header generations)
//   watttime-json         WattTime v3 historical / forecast / forecast-historical JSON
//   watttime-csv          WattTime historical CSV export (lbs/MWh)
//   uk-json               UK Carbon Intensity API JSON (national and regional)
//   carbon-aware-json     Carbon Aware SDK EmissionsData arrays, forecasts, {"Emissions":[...]}
//   generic-csv           "time,value" with unit and time-zone flags
//
// Every importer is a pure function of the bytes and the options; nothing is
// written anywhere. Errors are one line: "<name>:<line>: <what was expected>"
// or "<name>: <json path>: <what was expected>".
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/units.h"
#include "intensity/intensity_series.h"

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
  std::optional<Duration> generic_step;  // default: the gap to the next row
  Signal generic_signal = Signal::kAverageLifecycle;
  Origin generic_origin = Origin::kActual;
};

struct ImportResult {
  // One series per (zone, signal, origin) found, each with its provenance.
  std::vector<IntensitySeries> series;
  Format format = Format::kAuto;
  size_t rows = 0;
  size_t estimated_rows = 0;
};

// Guesses the format from the first bytes. Error names what was seen.
[[nodiscard]] Result<Format> detect_format(std::string_view text,
                                           std::string_view name);

// `name` is used in error messages and provenance (usually the file path).
[[nodiscard]] Result<ImportResult> import_text(std::string_view text,
                                               const std::string& name,
                                               const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_file(const std::string& path,
                                               const ImportOptions& options);

// Individual importers (import_text dispatches to these).
[[nodiscard]] Result<ImportResult> import_electricitymaps_csv(
    std::string_view text, const std::string& name, const ImportOptions& options);

}  // namespace greenrun::intensity
