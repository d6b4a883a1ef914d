// Shared by the provider parsers. WattTime and UK Carbon Intensity answers
// have the same JSON shapes as the files the importers read, so they are
// parsed by those importers (one parser per shape; to_batch turns an
// ImportResult into a SeriesBatch). The Electricity Maps API shape has no file
// importer; for it and WattTime's small login / region answers: JSON bodies
// parsed with errors that say whether the body was cut short, path-aware
// field access, and building an IntensitySeries from points that may arrive
// unsorted, duplicated or with nulls (a null is a missing point, never zero).
//
// Internal to src/intensity/providers. Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "intensity/importers/importer.h"

namespace greenrun::intensity {

// One series per (zone, signal, origin) found in a response, and what was
// left out on the way.
struct SeriesBatch {
  std::vector<IntensitySeries> series;
  size_t points = 0;      // points kept, over all series
  size_t missing = 0;     // null values: missing points, not zero
  size_t duplicates = 0;  // repeated timestamps dropped (the first is kept)

  // Appends another batch's series (merging into a series with the same key
  // when the new points start after it ends) and counts.
  [[nodiscard]] Status merge(SeriesBatch other);
};

// A point of an API answer as read. (Not the importers' RawPoint: times are
// typed here and there is no row reference.)
struct ApiPoint {
  UtcTime start;
  Duration duration;  // Duration(0): unknown, inferred from the step
  double g_per_kwh = 0;
  bool estimated = false;
};

// Parses a JSON body. Errors: "<name>: truncated body: JSON ends at byte N
// of N" when the text stops early, else "<name>: not JSON at byte N: ...".
[[nodiscard]] Result<nlohmann::json> parse_json_body(std::string_view text, const std::string& name);

// "object", "array", "string", "number", "null", "boolean".
std::string json_kind(const nlohmann::json& j);

// A number, or nullopt for null. Error names the path for anything else.
[[nodiscard]] Result<std::optional<double>> number_or_null(const nlohmann::json& parent, std::string_view key,
                                                           const std::string& path);
[[nodiscard]] Result<std::string> required_string(const nlohmann::json& parent, std::string_view key,
                                                  const std::string& path);
[[nodiscard]] Result<UtcTime> required_time(const nlohmann::json& parent, std::string_view key,
                                            const std::string& path);

// The most common positive gap between consecutive starts, else `fallback`.
Duration infer_step(const std::vector<ApiPoint>& sorted, Duration fallback);

// Sorts, drops repeated starts (counted in *duplicates), fills unknown
// durations with `step`, and cuts any duration that would overlap the next
// point. Error when a value is negative or not finite.
[[nodiscard]] Result<IntensitySeries> build_series(const std::string& zone, Signal signal, Origin origin,
                                                   std::vector<ApiPoint> points, Duration step,
                                                   Provenance provenance, size_t* duplicates);

// An importer's result as a batch: its series, with provenance source set to
// `source` (e.g. "watttime-v3-api"); missing = result.missing_values. Series
// with no points are left out.
SeriesBatch to_batch(ImportResult result, std::string_view source);

// Stamps every series with where and when it was fetched:
// origin = the redacted URL; note gains "fetched <UTC time>".
void stamp_fetch(SeriesBatch& batch, const std::string& url, UtcTime fetched_at);

}  // namespace greenrun::intensity
