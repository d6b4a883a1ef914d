// Bounded retries for provider calls: HTTP 429 (waiting what Retry-After
// asks, within a cap), 5xx and truncated transfers are retried with
// exponential backoff; everything else returns at once. Sleeping goes through
// the Clock seam, so tests with a FakeClock run the whole schedule instantly
// and can check how long greenrun would have waited.
//
// Thread-safety: pure functions, and get_with_retry is as safe as the client
// and clock it is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/providers/http_client.h"

namespace greenrun::intensity {

struct RetryPolicy {
  int max_attempts = 4;  // first try included
  Duration first_delay = std::chrono::seconds(1);
  double multiplier = 2.0;
  Duration max_delay = std::chrono::seconds(30);
  // A Retry-After longer than this is not waited for: the call fails with
  // kRateLimited and says how long the server asked for.
  Duration max_retry_after = std::chrono::seconds(120);
};

// The wait before attempt `attempt + 1` after `attempt` failed (attempt >= 1):
// first_delay x multiplier^(attempt-1), capped at max_delay.
Duration backoff_delay(int attempt, const RetryPolicy& policy);

// Retry-After as delta-seconds ("120") or an IMF-fixdate
// ("Wed, 21 Oct 2015 07:28:00 GMT", taken relative to `now`; a past date
// means 0). nullopt when the value is neither.
std::optional<Duration> parse_retry_after(std::string_view value, UtcTime now);

// What the caller must put in front of messages: "watttime", "uk", ...
// and, for 401/403, the hint naming where credentials come from.
struct CallContext {
  std::string provider;
  std::string credentials_hint;  // "" for providers without credentials
};

// GETs until a 2xx (returned), or a failure that is not retried, or the
// attempts run out. Errors are one line: "<provider>: GET <path>: <what>".
//   401/403 -> kAuth (with the credentials hint), 429 -> kRateLimited,
//   5xx -> kServer, other 4xx and 3xx -> kClient (with the server's own
//   message when the body has one), transport errors keep their kind.
[[nodiscard]] FetchResult<HttpResponse> get_with_retry(HttpClient& client, Clock& clock,
                                                       const HttpRequest& request,
                                                       const RetryPolicy& policy,
                                                       const CallContext& context);

// A short, single-line excerpt of an error body: the "message"/"error"/
// "detail" field of a JSON object when there is one, else the first 160
// characters with control characters replaced.
std::string error_excerpt(std::string_view body);

}  // namespace greenrun::intensity
