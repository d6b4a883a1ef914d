#include "server/http_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "server/sdk_json.h"
#include "server/records_routes.h"
#include "server/sdk_routes.h"

namespace greenrun::server {
namespace {

// Constant-time comparison, so a token cannot be guessed byte by byte from timing.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

void refuse(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(problem_json(status, engine::QueryProblem{engine::QueryProblem::Kind::kInvalid, "", message}),
                  "application/problem+json; charset=utf-8");
}

// Worker threads that grow with the connections up to a cap, so that
// clients that hold a connection without sending (or reading) do not starve
// the others: httplib serves a connection on one thread from the request's
// first byte to the connection's close. A blocked thread costs memory, not
// CPU; the cap bounds the memory, and the I/O timeouts free the threads.
class ElasticPool final : public httplib::TaskQueue {
 public:
  explicit ElasticPool(size_t max_threads) : max_(max_threads) {}
  ~ElasticPool() override = default;

  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (idle_ == 0 && threads_.size() < max_) threads_.emplace_back([this] { work(); });
    lock.unlock();
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        ++idle_;
        cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
        --idle_;
        if (jobs_.empty()) return;  // stopping
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t max_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;  // guarded by mutex_ while growing; joined at shutdown
  size_t idle_ = 0;
  bool stop_ = false;
};

}  // namespace

Result<std::pair<std::string, int>> parse_listen(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorKind::kUsage, "--listen " + text + ": " + why);
  };
  std::string host = "127.0.0.1", port_text = text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("expected [IPv6]:PORT");
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return bad("an IPv6 address goes in brackets: [::1]:PORT");
    if (colon > 0) host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  int port = -1;
  const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535)
    return bad("expected HOST:PORT with a port from 0 to 65535");
  if (host.empty()) return bad("empty host");
  return std::make_pair(host, port);
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

HttpServer::HttpServer(ServerOptions options, const engine::CarbonAwareQueries& queries,
                       std::function<std::string()> metrics)
    : options_(std::move(options)), queries_(queries), metrics_(std::move(metrics)),
      http_(std::make_unique<httplib::Server>()) {
  add_routes();
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::add_routes() {
  httplib::Server& http = *http_;
  const size_t threads = options_.threads;
  http.new_task_queue = [threads] { return new ElasticPool(threads); };
  const auto io = std::chrono::duration_cast<std::chrono::microseconds>(options_.io_timeout);
  http.set_read_timeout(io.count() / 1'000'000, io.count() % 1'000'000);
  http.set_write_timeout(io.count() / 1'000'000, io.count() % 1'000'000);
  http.set_keep_alive_timeout(std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(options_.keep_alive).count()));
  http.set_keep_alive_max_count(100000);
  http.set_payload_max_length(options_.max_body_bytes);
  http.set_tcp_nodelay(true);
  // Keep the listening socket: cpp-httplib listens with a backlog of 5 (fixed
  // at its build), so bind() listens again with a deep one.
  http.set_socket_options([this](int sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });

  const ServerOptions o = options_;
  http.set_pre_routing_handler([o](const httplib::Request& req, httplib::Response& res) {
    if (req.headers.size() > o.max_headers) {
      refuse(res, 431, "more than " + std::to_string(o.max_headers) + " header fields");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.target.size() > o.query.max_length + 1024) {
      refuse(res, 414, "the request target is longer than " + std::to_string(o.query.max_length + 1024) + " bytes");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (o.token) {
      const std::string auth = req.get_header_value("Authorization");
      if (!auth.starts_with("Bearer ") || !same_secret(auth.substr(7), *o.token)) {
        res.set_header("WWW-Authenticate", "Bearer");
        refuse(res, 401, "a bearer token is required (Authorization: Bearer <token>)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
      refuse(res, 405, "read-only: only GET and the POSTs of docs/server.md are served");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Answers without a body (no such route, and httplib's own refusals: 413,
  // 414, 400) get the SDK's error shape too.
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string what = res.status == 404 ? "no such endpoint: " + req.path
                             : res.status == 413 ? "the request body is too large"
                             : res.status == 414 ? "the request target is too long"
                                                 : "the request could not be read";
    refuse(res, res.status, what);
  });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    refuse(res, 500, "internal error");
  });

  add_sdk_routes(http, queries_, options_.query);
  if (options_.records) add_records_routes(http, *options_.records, options_.token.has_value());
  if (metrics_) {
    auto metrics = metrics_;
    http.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
  }
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
}

void HttpServer::add_page(const std::string& path, std::function<Result<std::string>()> render) {
  http_->Get(path, [render = std::move(render)](const httplib::Request&, httplib::Response& res) {
    auto page = render();
    if (!page) return refuse(res, 500, page.error().message);
    res.set_header("Cache-Control", "no-store");
    res.set_content(std::move(*page), "text/html; charset=utf-8");
  });
}

Result<int> HttpServer::bind() {
  if (!is_loopback(options_.host) && !options_.token)
    return make_error(ErrorKind::kUsage, "--listen " + options_.host +
                                             ": serving beyond loopback requires a bearer token (--token-file FILE)");
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                      : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0)
    return make_error(ErrorKind::kIo, "--listen " + options_.host + ":" + std::to_string(options_.port) +
                                          ": cannot bind (address in use or not available)");
  // Linux takes a second listen() as a new backlog: connections arriving in a
  // burst (a load balancer, 64 clients at once) are queued, not dropped and
  // retried a second later.
  if (listen_socket_ >= 0) ::listen(listen_socket_, 1024);
  return port;
}

void HttpServer::run() { http_->listen_after_bind(); }

void HttpServer::stop() {
  if (http_) http_->stop();
}

}  // namespace greenrun::server
