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
// or "<name>: <json path>: <what was expected>" (e.g.
// "wt.json: $.data[3].value: expected a number, got null"); malformed JSON is
// "<name>:<line>:<column>: invalid JSON at <path>: <reason>".
//
// How each format maps onto series (zone, signal, origin) is documented at
// the top of each importer's .cc file. In short:
//   WattTime JSON    zone = meta.region, marginal (co2_moer) or average-direct
//                    (co2_aoer), lbs/MWh x 0.45359237 (or g/kWh when meta.units
//                    is g_co2_per_kwh or kg_co2_per_mwh); forecast when meta has
//                    generated_at or the body is /v3/forecast/historical.
//   WattTime CSV     zone = --zone (required), marginal, actual; step from
//                    `frequency`, else the commonest gap between rows.
//   Electricity Maps step from the rows' timestamps (the name confirms it).
// Every value must be finite and within 0..5000 g/kWh (raw_points.h,
// kMaxPlausibleGPerKwh); a CSV quote never closed is refused at its line.
//   UK JSON          national: zone GB (or --zone), one actual and one forecast
//                    series; regional: zone "GB-UKCI-<regionid>", forecast.
//                    Signal average-direct. A null value is a missing point.
//   Carbon Aware     one series per location (zone = location), signal from
//                    options (the SDK's data may be WattTime or Electricity Maps).
//   generic CSV      options say unit, signal, origin, zone, time zone, step.
// When --zone is given and the file names its own zone(s): a file with one
// zone must agree; a file with several zones keeps only the one named (and an
// error when none matches).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/importers/import_options.h"
#include "greenrun/intensity/intensity_series.h"

namespace greenrun::intensity {

struct ImportResult {
  // One series per (zone, signal, origin) found, each with its provenance.
  std::vector<IntensitySeries> series;
  Format format = Format::kAuto;
  size_t rows = 0;            // data rows / JSON records read
  size_t estimated_rows = 0;  // rows the provider marked as estimated
  // Rows read but not turned into points (e.g. UK "actual": null for future
  // periods, a superseded forecast generation, zones not selected by --zone).
  // Each reason is also in `notes`, so nothing is dropped silently.
  size_t skipped_rows = 0;
  // Values given as null: missing points (gaps), never zero; also counted in
  // skipped_rows and notes. UK "actual": null is not counted: the API has no
  // actuals for the future, so that null is expected rather than missing.
  size_t missing_values = 0;
  // One line each, for the user: assumptions made and rows skipped.
  std::vector<std::string> notes;
  // Forecasts kept whole with their issue time beside a merged forecast in
  // `series` (WattTime /v3/forecast/historical: one per generation). They go
  // to the store's issued forecasts only (IntensityStore::import's `issues`),
  // for planning on the forecast as known at each decision; the merged series
  // is what every other reader sees.
  std::vector<IntensitySeries> issues;
};

// Guesses the format from the content (never the file name): CSV headers
// (',' or ';' separated) and the JSON keys near the start; the rules are in
// docs/formats.md, "Importing carbon-intensity files". Error names what was seen.
[[nodiscard]] Result<Format> detect_format(std::string_view text,
                                           std::string_view name);

// `name` is used in error messages and provenance (usually the file path).
// Errors are guaranteed to be one line (control characters become '?').
[[nodiscard]] Result<ImportResult> import_text(std::string_view text,
                                               const std::string& name,
                                               const ImportOptions& options);
// Reads `path` with every read checked: a directory, a device (/dev/zero) or
// an input over options.max_file_bytes is refused with one line naming the
// path; a pipe is read up to the bound.
[[nodiscard]] Result<ImportResult> import_file(const std::string& path,
                                               const ImportOptions& options);
// The bounded, checked read behind import_file.
[[nodiscard]] Result<std::string> read_import_file(const std::string& path, size_t max_bytes);

// Individual importers (import_text dispatches to these).
[[nodiscard]] Result<ImportResult> import_electricitymaps_csv(
    std::string_view text, const std::string& name, const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_watttime_json(
    std::string_view text, const std::string& name, const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_watttime_csv(
    std::string_view text, const std::string& name, const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_uk_json(
    std::string_view text, const std::string& name, const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_carbon_aware_json(
    std::string_view text, const std::string& name, const ImportOptions& options);
[[nodiscard]] Result<ImportResult> import_generic_csv(
    std::string_view text, const std::string& name, const ImportOptions& options);

}  // namespace greenrun::intensity
