// engine::import_intensity (greenrun/intensity_import.h).
#include "greenrun/intensity_import.h"

#include <fmt/format.h>

#include "greenrun/stored_data.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"

namespace greenrun::engine {

Result<IntensityImportOutcome> import_intensity(const IntensityImportRequest& request, const Services& services) {
  if (request.files.empty()) return make_error(ErrorKind::kUsage, "import: expected at least one file");
  const std::string& path = services.store_path;
  intensity::ImportOptions options = request.options;
  auto store = intensity::IntensityStore::open(path);
  if (store && store->read_only())
    return make_error(ErrorKind::kIo, path +
                                          ": the store is read-only (no permission to write it); check its "
                                          "permissions or give another --store (nothing was imported)");
  if (!store) return std::unexpected(store.error());
  if (!request.zone.empty() || !request.region.empty()) {
    auto stored = store->list();
    if (!stored) return std::unexpected(stored.error());
    auto zone = resolve_stored_zone(request.zone, request.region, *stored, path, /*must_exist=*/false);
    if (!zone)
      return make_error(zone.error().kind, (request.region.empty() ? "--zone: " : "") + zone.error().message);
    options.zone = *zone;
  }
  // Parse every file before writing anything: one bad file imports nothing.
  std::vector<intensity::IntensitySeries> series;
  std::vector<intensity::IntensitySeries> issues;  // kept whole beside a merged forecast (ImportResult::issues)
  IntensityImportOutcome out;
  for (const std::string& file : request.files) {
    auto result = intensity::import_file(file, options);
    if (!result) return make_error(result.error().kind, result.error().message + " (nothing was imported)");
    // A flag for another format would be ignored without a word: refuse it.
    for (const auto& [flag, for_format] : request.format_specific)
      if (for_format != result->format)
        return make_error(ErrorKind::kUsage, file + ": " + flag + " applies to " + std::string(to_string(for_format)) +
                                                 " only, but the file is " + std::string(to_string(result->format)) +
                                                 " (nothing was imported)");
    if (result->skipped_rows > 0)
      out.notes.push_back(
          fmt::format("{}: {} of {} rows not imported (reasons below)", file, result->skipped_rows, result->rows));
    for (const std::string& n : result->notes) out.notes.push_back(file + ": " + n);
    for (auto& s : result->series) {
      series.push_back(std::move(s));
      out.series_file.push_back(file);
    }
    for (auto& s : result->issues) issues.push_back(std::move(s));
  }
  if (request.issued) {
    size_t forecasts = 0;
    for (auto& s : series)
      if (s.origin() == intensity::Origin::kForecast) {
        s.set_issued(request.issued);
        ++forecasts;
      }
    if (forecasts == 0)
      return make_error(ErrorKind::kUsage,
                        "--issued: only a forecast has an issue time, and the files hold actual data only (nothing "
                        "was imported)");
  }
  auto summary = store->import(series, issues);
  if (!summary) return make_error(summary.error().kind, summary.error().message + " (nothing was imported)");
  out.summary = std::move(*summary);
  out.series = series.size();
  for (const auto& s : series) out.points += s.size();
  return out;
}

}  // namespace greenrun::engine
