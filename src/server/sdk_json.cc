#include "server/sdk_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::server {
namespace {

using json = nlohmann::ordered_json;

json dto(const engine::ForecastValue& v) {
  return json{{"location", v.location}, {"timestamp", sdk_time(v.timestamp)}, {"duration", v.duration_minutes},
              {"value", v.value}};
}

json forecast(const engine::EmissionsForecast& f) {
  json optimal = json::array(), data = json::array();
  for (const auto& v : f.optimal) optimal.push_back(dto(v));
  for (const auto& v : f.data) data.push_back(dto(v));
  return json{{"generatedAt", sdk_time(f.generated_at)},
              {"requestedAt", sdk_time(f.requested_at)},
              {"location", f.location},
              {"dataStartAt", sdk_time(f.data_start_at)},
              {"dataEndAt", sdk_time(f.data_end_at)},
              {"windowSize", f.window_minutes},
              {"optimalDataPoints", std::move(optimal)},
              {"forecastData", std::move(data)}};
}

json average(const engine::AverageIntensity& a) {
  return json{{"location", a.location},
              {"startTime", sdk_time(a.start_time)},
              {"endTime", sdk_time(a.end_time)},
              {"carbonIntensity", a.carbon_intensity}};
}

// Invalid UTF-8 (a location name echoed back) must not make dump() throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string sdk_time(UtcTime t) {
  const CivilTime c = to_civil(t);
  const auto whole = std::chrono::floor<std::chrono::seconds>(t);
  const auto frac = (t - whole).count();
  std::string s = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second);
  if (frac != 0) s += fmt::format(".{:03}", frac);
  return s + "+00:00";
}

std::string time_span(Duration d) {
  const bool negative = d < Duration{0};
  long long ms = negative ? -d.count() : d.count();
  const long long days = ms / 86'400'000;
  ms %= 86'400'000;
  const long long h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  std::string out = negative ? "-" : "";
  if (days) out += fmt::format("{}.", days);
  out += fmt::format("{:02}:{:02}:{:02}", h, m, s);
  if (frac) out += fmt::format(".{:03}0000", frac);  // TimeSpan prints 7 fraction digits
  return out;
}

std::string emissions_json(const std::vector<engine::EmissionsPoint>& points) {
  json out = json::array();
  for (const auto& p : points)
    out.push_back(json{{"location", p.location}, {"time", sdk_time(p.time)}, {"rating", p.rating},
                       {"duration", time_span(p.duration)}});
  return dump(out);
}

std::string forecasts_json(const std::vector<engine::EmissionsForecast>& forecasts) {
  json out = json::array();
  for (const auto& f : forecasts) out.push_back(forecast(f));
  return dump(out);
}

std::string average_json(const engine::AverageIntensity& a) { return dump(average(a)); }

std::string averages_json(const std::vector<engine::AverageIntensity>& a) {
  json out = json::array();
  for (const auto& x : a) out.push_back(average(x));
  return dump(out);
}

std::string locations_json(const std::vector<engine::ApiLocation>& locations) {
  json out = json::object();
  for (const auto& l : locations) {
    json entry{{"name", l.name}};
    entry["latitude"] = l.latitude ? json(*l.latitude) : json(nullptr);
    entry["longitude"] = l.longitude ? json(*l.longitude) : json(nullptr);
    out[l.name] = std::move(entry);
  }
  return dump(out);
}

int http_status(const engine::QueryProblem& problem) {
  switch (problem.kind) {
    case engine::QueryProblem::Kind::kInvalid: return 400;
    case engine::QueryProblem::Kind::kNoForecasts: return 501;
    case engine::QueryProblem::Kind::kUnavailable: return 503;
    case engine::QueryProblem::Kind::kFailure: return 500;
  }
  return 500;
}

std::string problem_json(int status, const engine::QueryProblem& problem) {
  json errors = json::object();
  if (!problem.parameter.empty()) errors[problem.parameter] = json::array({problem.message});
  const char* title = status == 400   ? "One or more validation errors occurred."
                      : status == 501 ? "Not Implemented"
                      : status == 503 ? "Service Unavailable"
                      : status == 404 ? "Not Found"
                      : status == 401 ? "Unauthorized"
                                      : "An error occurred while processing your request.";
  const char* type = status == 400 ? "https://tools.ietf.org/html/rfc7231#section-6.5.1"
                     : status == 404 ? "https://tools.ietf.org/html/rfc7231#section-6.5.4"
                     : status == 501 ? "https://tools.ietf.org/html/rfc7231#section-6.6.2"
                     : status == 503 ? "https://tools.ietf.org/html/rfc7231#section-6.6.4"
                                     : "https://tools.ietf.org/html/rfc7231#section-6.6.1";
  return dump(json{{"type", type}, {"title", title}, {"status", status}, {"detail", problem.message}, {"errors", errors}});
}

}  // namespace greenrun::server
