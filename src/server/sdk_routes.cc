#include "server/sdk_routes.h"

#include <httplib.h>

#include "server/sdk_json.h"

namespace greenrun::server {
namespace {

constexpr const char* kJson = "application/json; charset=utf-8";

void send_problem(httplib::Response& res, const engine::QueryProblem& problem) {
  const int status = http_status(problem);
  res.status = status;
  res.set_content(problem_json(status, problem), "application/problem+json; charset=utf-8");
}

// The raw query string of the request ("" when none).
std::string_view raw_query(const httplib::Request& req) {
  const std::string_view target = req.target;
  const size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

// A problem found in batch item i names the item: "[2].startTime".
engine::QueryProblem in_item(size_t i, engine::QueryProblem p) {
  if (!p.parameter.empty()) p.parameter = "[" + std::to_string(i) + "]." + p.parameter;
  return p;
}

// Parses the query string, then hands the parameters to `answer`.
template <typename Answer>
httplib::Server::Handler with_query(const QueryLimits& limits, Answer answer) {
  return [limits, answer](const httplib::Request& req, httplib::Response& res) {
    auto params = parse_query_string(raw_query(req), limits);
    if (!params) return send_problem(res, params.error());
    answer(*params, res);
  };
}

void send_points(httplib::Response& res, const engine::QueryResult<std::vector<engine::EmissionsPoint>>& points) {
  if (!points) return send_problem(res, points.error());
  if (points->empty()) {
    res.status = 204;
    return;
  }
  res.set_content(emissions_json(*points), kJson);
}

}  // namespace

void add_sdk_routes(httplib::Server& http, const engine::CarbonAwareQueries& queries, const QueryLimits& limits) {
  const engine::CarbonAwareQueries* q = &queries;
  http.Get("/emissions/bylocation", with_query(limits, [q](const QueryParameters& p, httplib::Response& res) {
             auto r = parse_emissions_request(p, /*single=*/true);
             if (!r) return send_problem(res, r.error());
             send_points(res, q->emissions(*r));
           }));
  http.Get("/emissions/bylocations", with_query(limits, [q](const QueryParameters& p, httplib::Response& res) {
             auto r = parse_emissions_request(p, /*single=*/false);
             if (!r) return send_problem(res, r.error());
             send_points(res, q->emissions(*r));
           }));
  http.Get("/emissions/bylocations/best", with_query(limits, [q](const QueryParameters& p, httplib::Response& res) {
             auto r = parse_emissions_request(p, /*single=*/false);
             if (!r) return send_problem(res, r.error());
             send_points(res, q->best(*r));
           }));
  http.Get("/emissions/forecasts/current", with_query(limits, [q](const QueryParameters& p, httplib::Response& res) {
             auto requests = parse_forecast_requests(p);
             if (!requests) return send_problem(res, requests.error());
             std::vector<engine::EmissionsForecast> out;
             for (const auto& r : *requests) {
               auto f = q->forecast(r);
               if (!f) return send_problem(res, f.error());
               out.push_back(std::move(*f));
             }
             res.set_content(forecasts_json(out), kJson);
           }));
  http.Post("/emissions/forecasts/batch", [q](const httplib::Request& req, httplib::Response& res) {
    auto requests = parse_forecast_batch(req.body);
    if (!requests) return send_problem(res, requests.error());
    std::vector<engine::EmissionsForecast> out;
    for (size_t i = 0; i < requests->size(); ++i) {
      auto f = q->forecast((*requests)[i]);
      if (!f) return send_problem(res, in_item(i, f.error()));
      out.push_back(std::move(*f));
    }
    res.set_content(forecasts_json(out), kJson);
  });
  http.Get("/emissions/average-carbon-intensity",
           with_query(limits, [q](const QueryParameters& p, httplib::Response& res) {
             auto r = parse_average_request(p);
             if (!r) return send_problem(res, r.error());
             auto a = q->average(*r);
             if (!a) return send_problem(res, a.error());
             res.set_content(average_json(*a), kJson);
           }));
  http.Post("/emissions/average-carbon-intensity/batch", [q](const httplib::Request& req, httplib::Response& res) {
    auto requests = parse_average_batch(req.body);
    if (!requests) return send_problem(res, requests.error());
    std::vector<engine::AverageIntensity> out;
    for (size_t i = 0; i < requests->size(); ++i) {
      auto a = q->average((*requests)[i]);
      if (!a) return send_problem(res, in_item(i, a.error()));
      out.push_back(std::move(*a));
    }
    res.set_content(averages_json(out), kJson);
  });
  http.Get("/locations", [q](const httplib::Request&, httplib::Response& res) {
    const auto locations = q->locations();
    if (locations.empty()) {
      res.status = 204;
      return;
    }
    res.set_content(locations_json(locations), kJson);
  });
}

}  // namespace greenrun::server
