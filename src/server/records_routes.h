// The one write endpoint of `greenrun serve`: POST /greenrun/v1/records takes
// the per-job energy records of the nodes' samplers (greenrun/job_energy.h;
// body format in greenrun/runner/job_energy_record.h) and stores them through the
// engine's RecordIngest — the server is the store's only writer, so no node
// shares the SQLite file over a network file system.
//
// Rules: the server must have a bearer token (--token-file) even on loopback,
// else 403 (the token itself is checked for every request by HttpServer);
// Content-Type application/json (else 415); a body within the server's size
// limit (413) and at most runner::kMaxRecordsPerBody records; a malformed
// body gets 400 with the JSON path of the first fault; storing is
// idempotent on (job, node, interval): 200 {"inserted":N,"duplicates":M}.
//
// Thread-safety: handlers run on worker threads; RecordIngest serialises.
#pragma once

#include "greenrun/job_energy.h"

namespace httplib {
class Server;
}

namespace greenrun::server {

inline constexpr const char* kRecordsPath = "/greenrun/v1/records";

void add_records_routes(httplib::Server& http, engine::RecordIngest& ingest, bool token_configured);

}  // namespace greenrun::server
