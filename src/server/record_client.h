// The client side of POST /greenrun/v1/records (server/records_routes.h):
// an engine::RecordSender that posts a body to a `greenrun serve` with the
// bearer token, over cpp-httplib. What `greenrun slurm sampler` ships its
// records with (engine::RecordShipper does the spooling and retrying).
//
// Thread-safety: the returned sender is used by one thread at a time.
#pragma once

#include <string>

#include "greenrun/job_energy.h"

namespace greenrun::server {

// `url`: "http://HOST:PORT" (the server's root; the records path is added).
// Error (kUsage, naming --server) for another form.
[[nodiscard]] Result<engine::RecordSender> record_sender(const std::string& url, const std::string& token,
                                                         Duration timeout = std::chrono::seconds(10));

}  // namespace greenrun::server
