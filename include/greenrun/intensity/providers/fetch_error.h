// FetchError: why a live-provider call failed, as a kind the caller can act
// on (fall back when offline, stop on bad credentials) plus one line for the
// user. Messages never contain credentials: URLs are redacted and request
// headers are never echoed.
//
// Thread-safety: plain values.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"

namespace greenrun::intensity {

enum class FetchFailure {
  kOffline,      // could not resolve or connect: no network, or the host is down
  kTimeout,      // connected (or tried) but the time limit passed
  kTruncated,    // the transfer ended before the announced body did
  kTransport,    // any other transport failure (TLS, protocol)
  kAuth,         // HTTP 401/403: bad or missing credentials, or no access
  kRateLimited,  // HTTP 429 beyond what the retry policy waits for
  kServer,       // HTTP 5xx after every retry
  kClient,       // other HTTP 4xx or a redirect: the request is wrong
  kBadResponse,  // a 2xx whose body is not in the documented shape
  kConfig,       // missing credentials or an invalid request built locally
};

std::string_view to_string(FetchFailure f);

// True for failures a later call may not see (network, server, rate limit,
// a garbled response): callers may fall back to stored data. Auth, client and
// configuration failures need the user and are never papered over.
bool is_transient(FetchFailure f);

struct FetchError {
  FetchFailure kind = FetchFailure::kTransport;
  std::string message;  // one line, no credentials
};

template <typename T>
using FetchResult = std::expected<T, FetchError>;

inline std::unexpected<FetchError> fetch_error(FetchFailure kind, std::string message) {
  return std::unexpected<FetchError>(FetchError{kind, std::move(message)});
}

// For callers that only want a greenrun::Error.
inline Error to_error(const FetchError& e) { return Error{e.message}; }

}  // namespace greenrun::intensity
