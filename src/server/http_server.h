// The HTTP server behind `greenrun serve`: one process answers the Carbon
// Aware SDK's Web API (sdk_routes), Prometheus metrics at /metrics and
// the pages the caller adds (add_page: the dashboard). Over cpp-httplib (Debian's
// libcpp-httplib), with a worker thread per open connection up to a cap.
//
// Security (docs/server.md): loopback unless told otherwise, and an address
// beyond loopback only with a bearer token (read by the caller from a file,
// never logged); with a token set every request must carry
// "Authorization: Bearer <token>" (compared in constant time). Read-only:
// GET, and POST only for the SDK's two batch queries — and, when
// ServerOptions::records is set, POST /greenrun/v1/records, the nodes'
// per-job energy records (server/records_routes.h), which needs a token even
// on loopback. Limits on the body,
// the number of headers, the query string and the time a connection may
// take to send a request or read the answer. No file-system path is taken
// from a request.
//
// Thread-safety: bind() and run() from one thread; stop() from any thread
// (a signal handler's thread included, via a flag it sets).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/carbon_aware_queries.h"
#include "server/query_string.h"

namespace greenrun::engine {
class RecordIngest;
}

namespace httplib {
class Server;
}

namespace greenrun::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: a free port (see bind())
  std::optional<std::string> token;  // the bearer token's value
  size_t max_body_bytes = 64 * 1024;
  size_t max_headers = 64;
  QueryLimits query;
  Duration io_timeout = std::chrono::seconds(5);   // to send a request, or to take an answer
  Duration keep_alive = std::chrono::seconds(5);   // an idle connection is closed after this
  // The most worker threads: one per open connection, grown on demand (a
  // slow client holds one). The I/O timeouts bound how long each is held.
  size_t threads = 1024;
  // Where POST /greenrun/v1/records stores (null: no such endpoint). Must
  // outlive the server.
  engine::RecordIngest* records = nullptr;
};

// "HOST:PORT", "[::1]:PORT", ":PORT" (loopback) or "PORT". Error (kUsage) names --listen.
[[nodiscard]] Result<std::pair<std::string, int>> parse_listen(const std::string& text);
// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& host);

class HttpServer {
 public:
  // `metrics` renders /metrics (null: no such endpoint). `queries` must
  // outlive the server.
  HttpServer(ServerOptions options, const engine::CarbonAwareQueries& queries,
             std::function<std::string()> metrics);
  ~HttpServer();

  // Binds the socket. Returns the port (the free one chosen for port 0).
  // Errors: kUsage for an address beyond loopback without a token; kIo when
  // the address cannot be bound.
  [[nodiscard]] Result<int> bind();
  // An HTML page at `path` (GET), rendered on each request; an error becomes
  // a 500 answer with the SDK's error shape, its message in the detail.
  // REQUIRES: called before run().
  void add_page(const std::string& path, std::function<Result<std::string>()> render);
  // Serves until stop(). REQUIRES: bind() succeeded.
  void run();
  void stop();

 private:
  void add_routes();
  ServerOptions options_;
  const engine::CarbonAwareQueries& queries_;
  std::function<std::string()> metrics_;
  std::unique_ptr<httplib::Server> http_;
  int listen_socket_ = -1;  // set while binding (socket options callback)
};

}  // namespace greenrun::server
