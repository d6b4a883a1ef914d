// The Carbon Aware SDK's Web API routes (../shared/reference/carbon-aware-api.md)
// on an httplib::Server: each handler parses the request (query_string.h),
// asks the engine (CarbonAwareQueries) and renders the SDK's JSON
// (sdk_json.h), or the SDK's error body with 400 / 501 / 503.
//
// Thread-safety: the handlers run on the server's worker threads; they share
// only the (thread-safe) queries object.
#pragma once

#include "greenrun/carbon_aware_queries.h"
#include "server/query_string.h"

namespace httplib {
class Server;
}

namespace greenrun::server {

void add_sdk_routes(httplib::Server& http, const engine::CarbonAwareQueries& queries, const QueryLimits& limits);

}  // namespace greenrun::server
