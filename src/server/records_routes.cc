#include "server/records_routes.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "server/sdk_json.h"

namespace greenrun::server {
namespace {

void answer_problem(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(problem_json(status, engine::QueryProblem{engine::QueryProblem::Kind::kInvalid, "", message}),
                  "application/problem+json; charset=utf-8");
}

}  // namespace

void add_records_routes(httplib::Server& http, engine::RecordIngest& ingest, bool token_configured) {
  http.Post(kRecordsPath, [&ingest, token_configured](const httplib::Request& req, httplib::Response& res) {
    if (!token_configured) {
      answer_problem(res, 403,
                     "writing records needs a bearer token even on loopback: start greenrun serve with --token-file");
      return;
    }
    const std::string type = req.get_header_value("Content-Type");
    if (!type.starts_with("application/json")) {
      answer_problem(res, 415, "Content-Type: expected application/json");
      return;
    }
    auto outcome = ingest.ingest(req.body);
    if (!outcome) {
      answer_problem(res, outcome.error().kind == ErrorKind::kBadData ? 400 : 503, outcome.error().message);
      return;
    }
    res.set_content(nlohmann::ordered_json{{"inserted", outcome->inserted}, {"duplicates", outcome->duplicates}}.dump(),
                    "application/json");
  });
}

}  // namespace greenrun::server
