// Parsing of the Carbon Aware SDK API's requests: the raw query string (as
// it arrives after '?') into decoded parameters, then into the engine's typed
// requests (include/greenrun/carbon_aware_queries.h), and the JSON bodies of
// the batch endpoints. Every failure is a QueryProblem naming the parameter
// (or the JSON path, as ASP.NET does: "[2].startTime") and what was expected.
//
// Parameter names match case-insensitively, as ASP.NET model binding does.
// Times are ISO 8601 with an offset (none: UTC); a '+' sent unencoded arrives
// as a space and is read as '+' in a time's offset.
//
// Thread-safety: pure functions. Fuzzed by fuzz/query_fuzz.cc.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenrun/carbon_aware_queries.h"

namespace greenrun::server {

struct QueryLimits {
  size_t max_length = 4096;  // bytes of the raw query string
  size_t max_parameters = 64;
};

// Decoded (name, value) pairs in order; repeated names are kept.
using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// Splits on '&', then '=', and percent-decodes ('+' is a space). Problems: the
// string is longer than the limit, has too many parameters, or a malformed
// escape ("%G1").
[[nodiscard]] engine::QueryResult<QueryParameters> parse_query_string(std::string_view raw,
                                                                      const QueryLimits& limits = {});

// The values of `name` (case-insensitive), in order.
std::vector<std::string> values_of(const QueryParameters& params, std::string_view name);

// The /emissions/bylocation(s)[/best] parameters: location (repeatable;
// `single` refuses a second one), time, toTime.
[[nodiscard]] engine::QueryResult<engine::EmissionsRequest> parse_emissions_request(const QueryParameters& params,
                                                                                    bool single);
// /emissions/forecasts/current: location (repeatable), dataStartAt,
// dataEndAt, windowSize. One request per location.
[[nodiscard]] engine::QueryResult<std::vector<engine::ForecastWindowRequest>> parse_forecast_requests(
    const QueryParameters& params);
// /emissions/average-carbon-intensity: location, startTime, endTime.
[[nodiscard]] engine::QueryResult<engine::AverageRequest> parse_average_request(const QueryParameters& params);

// POST bodies: a JSON array of objects (property names case-insensitive).
[[nodiscard]] engine::QueryResult<std::vector<engine::ForecastWindowRequest>> parse_forecast_batch(std::string_view body);
[[nodiscard]] engine::QueryResult<std::vector<engine::AverageRequest>> parse_average_batch(std::string_view body);

// One time value, as the parameters above read it. Problem names `parameter`.
[[nodiscard]] engine::QueryResult<UtcTime> parse_time_parameter(const std::string& parameter, std::string value);

}  // namespace greenrun::server
