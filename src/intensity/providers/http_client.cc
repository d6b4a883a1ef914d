#include "greenrun/intensity/providers/http_client.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include "intensity/providers/curl_library.h"

namespace greenrun::intensity {

std::string_view to_string(FetchFailure f) {
  switch (f) {
    case FetchFailure::kOffline: return "offline";
    case FetchFailure::kTimeout: return "timeout";
    case FetchFailure::kTruncated: return "truncated";
    case FetchFailure::kTransport: return "transport";
    case FetchFailure::kAuth: return "auth";
    case FetchFailure::kRateLimited: return "rate-limited";
    case FetchFailure::kServer: return "server";
    case FetchFailure::kClient: return "client";
    case FetchFailure::kBadResponse: return "bad-response";
    case FetchFailure::kConfig: return "config";
  }
  return "?";
}

bool is_transient(FetchFailure f) {
  switch (f) {
    case FetchFailure::kOffline:
    case FetchFailure::kTimeout:
    case FetchFailure::kTruncated:
    case FetchFailure::kTransport:
    case FetchFailure::kRateLimited:
    case FetchFailure::kServer:
    case FetchFailure::kBadResponse:
      return true;
    case FetchFailure::kAuth:
    case FetchFailure::kClient:
    case FetchFailure::kConfig:
      return false;
  }
  return false;
}

std::optional<std::string> HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return std::nullopt;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool looks_secret(std::string_view name) {
  const std::string n = lower(name);
  for (const char* w : {"token", "key", "password", "passwd", "secret", "auth", "signature", "credential"})
    if (n.find(w) != std::string::npos) return true;
  // Short names that carry signatures and one-time codes: SAS "sig",
  // OAuth "code", AWS "X-Amz-Signature"/"X-Amz-Credential" (above).
  for (const char* w : {"sig", "code", "x-amz-security-token"})
    if (n == w) return true;
  return false;
}

struct Transfer {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  size_t max_body = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  if (t->body.size() + bytes > t->max_body) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, bytes);
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) {
    t->headers.clear();  // a new response (e.g. after 100 Continue)
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos)
    t->headers.emplace_back(lower(trim_view(line.substr(0, colon))),
                            std::string(trim_view(line.substr(colon + 1))));
  return bytes;
}

FetchFailure classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return FetchFailure::kOffline;
    case CURLE_OPERATION_TIMEDOUT:
      return FetchFailure::kTimeout;
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
      return FetchFailure::kTruncated;
    default:
      return FetchFailure::kTransport;
  }
}

}  // namespace

// libcurl is loaded on the first request, not here: constructing a client
// (as every provider does) must not map it.
CurlHttpClient::CurlHttpClient(CurlOptions options) : options_(std::move(options)) {}

FetchResult<HttpResponse> CurlHttpClient::get(const HttpRequest& request) {
  const std::string where = "GET " + redact_url(request.url);
  auto loaded = CurlLibrary::get();
  if (!loaded) return fetch_error(FetchFailure::kConfig, where + ": " + loaded.error().message);
  const CurlLibrary& lib = **loaded;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return fetch_error(FetchFailure::kTransport, where + ": could not initialise libcurl");
  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers)
    raw_headers = lib.slist_append(raw_headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(raw_headers, lib.slist_free_all);

  Transfer t;
  t.max_body = options_.max_body_bytes;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURL* h = curl.get();
  lib.easy_setopt(h, CURLOPT_URL, request.url.c_str());
  lib.easy_setopt(h, CURLOPT_HTTPGET, 1L);
  lib.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  lib.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  lib.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  lib.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  lib.easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  lib.easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  lib.easy_setopt(h, CURLOPT_WRITEDATA, &t);
  lib.easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  lib.easy_setopt(h, CURLOPT_HEADERDATA, &t);
  lib.easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode code = lib.easy_perform(h);
  if (t.too_large)
    return fetch_error(FetchFailure::kBadResponse,
                       where + ": response larger than " + std::to_string(options_.max_body_bytes >> 20) +
                           " MiB; ask for a shorter period");
  if (code != CURLE_OK) {
    const FetchFailure kind = classify(code);
    std::string detail = error_buffer[0] != '\0' ? std::string(error_buffer.data()) : lib.easy_strerror(code);
    std::string hint;
    if (kind == FetchFailure::kOffline) hint = " (offline?)";
    else if (kind == FetchFailure::kTruncated) hint = " (truncated response)";
    else if (kind == FetchFailure::kTimeout) hint = " (timed out)";
    return fetch_error(kind, where + ": " + detail + hint);
  }
  HttpResponse r;
  lib.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  r.body = std::move(t.body);
  r.headers = std::move(t.headers);
  return r;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += url_encode(k);
    out.push_back('=');
    out += url_encode(v);
  }
  return out;
}

std::string redact_url(std::string_view url) {
  std::string out;
  // Drop user:password@ from the authority.
  const size_t scheme = url.find("://");
  size_t authority_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  const size_t at = authority.rfind('@');
  out.append(url.substr(0, authority_start));
  out.append(at == std::string_view::npos ? authority : authority.substr(at + 1));
  std::string_view rest = url.substr(authority_end);
  const size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  std::string_view fragment;
  if (const size_t hash = query.find('#'); hash != std::string_view::npos) {
    fragment = query.substr(hash);
    query = query.substr(0, hash);
  }
  bool first = true;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (!first) out.push_back('&');
    first = false;
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && looks_secret(param.substr(0, eq))) {
      out.append(param.substr(0, eq + 1));
      out.append("***");
    } else {
      out.append(param);
    }
  }
  out.append(fragment);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t left = bytes.size() - i;
  if (left > 0) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (left == 2) v |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(left == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string url_path(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t slash = url.find('/', start);
  if (slash == std::string_view::npos) return "/";
  return redact_url(url.substr(slash));
}

}  // namespace greenrun::intensity
