// The Carbon Aware SDK API's JSON shapes (../shared/reference/carbon-aware-api.md,
// "Shapes"): EmissionsData, EmissionsForecast, CarbonIntensity, the /locations
// map and ASP.NET's ValidationProblemDetails, with the property names and
// time formats SDK clients read ("2022-05-17T20:45:11+00:00", TimeSpan
// "01:00:00" / "1.00:00:00").
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "greenrun/carbon_aware_queries.h"

namespace greenrun::server {

// "2022-05-17T20:45:11+00:00" (".123" before the offset when there are milliseconds).
std::string sdk_time(UtcTime t);
// .NET TimeSpan: "hh:mm:ss", with days "d.hh:mm:ss", negative with a '-'.
std::string time_span(Duration d);

std::string emissions_json(const std::vector<engine::EmissionsPoint>& points);
std::string forecasts_json(const std::vector<engine::EmissionsForecast>& forecasts);
std::string average_json(const engine::AverageIntensity& a);
std::string averages_json(const std::vector<engine::AverageIntensity>& a);
std::string locations_json(const std::vector<engine::ApiLocation>& locations);

// ValidationProblemDetails: {"type", "title", "status", "detail", "errors":
// {"<parameter>": ["<message>"]}} ("errors" empty when no parameter is named).
std::string problem_json(int status, const engine::QueryProblem& problem);
// The HTTP status for a problem: 400, 501, 503 or 500.
int http_status(const engine::QueryProblem& problem);

}  // namespace greenrun::server
