// HttpClient: the seam between the live providers and the network. One call:
// GET a URL with headers, get back the status and body (or a FetchError for
// a transport failure). CurlHttpClient implements it with libcurl; tests run a
// real server on loopback against it, and providers take any HttpClient.
//
// Security: the client never logs, never follows redirects (a redirect could
// carry an auth header to another host) and its error messages show URLs
// through redact_url, never headers.
//
// Thread-safety: CurlHttpClient::get may be called from several threads at
// once (each call uses its own easy handle).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenrun/base/units.h"
#include "greenrun/intensity/providers/fetch_error.h"

namespace greenrun::intensity {

struct HttpRequest {
  std::string url;
  // Header name and value, sent as given. Values may hold secrets.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  // Header names lower-cased, values trimmed; in the order received.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header with this (lower-case) name.
  std::optional<std::string> header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a successful transfer; only transport failures are
  // errors (kOffline, kTimeout, kTruncated, kTransport).
  [[nodiscard]] virtual FetchResult<HttpResponse> get(const HttpRequest& request) = 0;
};

struct CurlOptions {
  Duration connect_timeout = std::chrono::seconds(10);
  Duration total_timeout = std::chrono::seconds(60);
  size_t max_body_bytes = size_t{256} << 20;  // a year of 5-minute points is ~10 MB
  std::string user_agent = "greenrun/0.1.0";
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  [[nodiscard]] FetchResult<HttpResponse> get(const HttpRequest& request) override;

 private:
  CurlOptions options_;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);

// "a=1&b=x%20y" from pairs, each value url-encoded.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// The URL with any user:password@ removed and the values of query parameters
// that look like secrets (token, key, password, secret, auth) replaced by "***".
std::string redact_url(std::string_view url);

// RFC 4648 base64 (for HTTP Basic).
std::string base64_encode(std::string_view bytes);

// The path (and query) of a URL, for short messages: "/v3/forecast?region=X".
std::string url_path(std::string_view url);

}  // namespace greenrun::intensity
