// LoopbackServer: a real HTTP/1.1 server on 127.0.0.1 and an ephemeral port
// for provider tests. Each connection carries one request (Connection:
// close); a handler decides the reply, which can also be cut short
// (Content-Length larger than the body, then close), delayed (for timeouts;
// the delay ends early when the server stops) or dropped without a reply.
//
// Written on POSIX sockets rather than cpp-httplib because Debian's
// cpp-httplib is a compiled library (libcpp-httplib.so) that the test
// programs do not link, and because it cannot send a body shorter than its
// Content-Length, which the truncation tests need.
//
// Thread-safety: one server thread; requests() may be called from the test
// thread at any time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace greenrun::testing {

struct ServedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  std::optional<std::string> header(const std::string& lower_name) const {
    for (const auto& [n, v] : headers)
      if (n == lower_name) return v;
    return std::nullopt;
  }
  // The value of a query parameter, still percent-encoded.
  std::optional<std::string> param(const std::string& name) const {
    size_t pos = 0;
    while (pos <= query.size()) {
      const size_t amp = query.find('&', pos);
      const std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      const size_t eq = kv.find('=');
      if (kv.substr(0, eq) == name) return eq == std::string::npos ? std::string() : kv.substr(eq + 1);
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    return std::nullopt;
  }
};

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool truncate = false;  // announce 64 more bytes than sent, then close
  bool drop = false;      // close without answering
  std::chrono::milliseconds delay{0};

  static Reply json(std::string body, int status = 200) {
    Reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

class LoopbackServer {
 public:
  using Handler = std::function<Reply(const ServedRequest&)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind/listen on 127.0.0.1 failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  ~LoopbackServer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(fd_);
  }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<ServedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard lock(mu_);
    return requests_.size();
  }

 private:
  void serve() {
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      handle(c);
      ::close(c);
    }
  }

  void handle(int c) {
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos && in.size() < 65536) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<size_t>(n));
    }
    ServedRequest req;
    size_t line_end = in.find("\r\n");
    const std::string first = in.substr(0, line_end);
    const size_t sp1 = first.find(' ');
    const size_t sp2 = first.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return;
    req.method = first.substr(0, sp1);
    req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    size_t pos = line_end + 2;
    while (pos < in.size()) {
      const size_t e = in.find("\r\n", pos);
      if (e == std::string::npos || e == pos) break;
      const std::string h = in.substr(pos, e - pos);
      const size_t colon = h.find(':');
      if (colon != std::string::npos) {
        std::string name = h.substr(0, colon);
        for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        size_t v = colon + 1;
        while (v < h.size() && h[v] == ' ') ++v;
        req.headers.emplace_back(name, h.substr(v));
      }
      pos = e + 2;
    }
    {
      std::lock_guard lock(mu_);
      requests_.push_back(req);
    }
    const Reply r = handler_(req);
    if (r.delay.count() > 0) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, r.delay, [this] { return stop_; });
    }
    if (r.drop) return;
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) + "\r\n";
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(r.body.size() + (r.truncate ? 64 : 0)) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto& [n, v] : r.headers) out += n + ": " + v + "\r\n";
    out += "\r\n";
    out += r.body;
    size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = ::send(c, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  static std::string reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 302: return "Found";
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Status";
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<ServedRequest> requests_;
};

// A loopback port nothing listens on: bound, then closed, so a connection is
// refused at once (how "offline" looks to libcurl without touching the network).
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace greenrun::testing
