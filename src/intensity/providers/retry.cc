#include "intensity/providers/retry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::intensity {

Duration backoff_delay(int attempt, const RetryPolicy& policy) {
  const double factor = std::pow(policy.multiplier, std::max(0, attempt - 1));
  const double ms = static_cast<double>(policy.first_delay.count()) * factor;
  const double cap = static_cast<double>(policy.max_delay.count());
  return Duration(static_cast<Duration::rep>(std::min(ms, cap)));
}

namespace {

int month_index(std::string_view m) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == m) return i + 1;
  return 0;
}

bool read_int(std::string_view s, int& v) {
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<Duration> parse_retry_after(std::string_view value, UtcTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  if (const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      ec == std::errc() && p == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(seconds));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
  if (value.size() != 29 || value[3] != ',' || value.substr(26) != "GMT") return std::nullopt;
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  const int month = month_index(value.substr(8, 3));
  if (!read_int(value.substr(5, 2), day) || month == 0 || !read_int(value.substr(12, 4), year) ||
      !read_int(value.substr(17, 2), hh) || value[19] != ':' || !read_int(value.substr(20, 2), mm) ||
      value[22] != ':' || !read_int(value.substr(23, 2), ss))
    return std::nullopt;
  char iso[32];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hh, mm, ss);
  const auto at = parse_utc(iso);
  if (!at) return std::nullopt;
  return *at > now ? *at - now : Duration(0);
}

std::string error_excerpt(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string text;
  if (!j.is_discarded() && j.is_object()) {
    for (const char* key : {"message", "error", "detail", "error_description"}) {
      const auto it = j.find(key);
      if (it == j.end()) continue;
      if (it->is_string()) text = it->get<std::string>();
      else if (it->is_object() && it->contains("message") && (*it)["message"].is_string())
        text = (*it)["message"].get<std::string>();  // UK API: {"error":{"code","message"}}
      if (!text.empty()) break;
    }
  }
  if (text.empty()) text = std::string(body.substr(0, 160));
  else if (text.size() > 160) text.resize(160);
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

FetchResult<HttpResponse> get_with_retry(HttpClient& client, Clock& clock, const HttpRequest& request,
                                         const RetryPolicy& policy, const CallContext& context) {
  const std::string where = context.provider + ": GET " + url_path(request.url);
  const int attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1;; ++attempt) {
    const bool last = attempt >= attempts;
    auto r = client.get(request);
    Duration wait = backoff_delay(attempt, policy);
    if (!r) {
      // The transport already names the URL; put the provider in front.
      if (r.error().kind != FetchFailure::kTruncated || last)
        return fetch_error(r.error().kind, context.provider + ": " + r.error().message +
                                               (attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : ""));
    } else {
      const long status = r->status;
      if (status >= 200 && status < 300) return std::move(*r);
      if (status == 401 || status == 403) {
        std::string msg = where + ": HTTP " + std::to_string(status) + " (" + error_excerpt(r->body) + ")";
        if (!context.credentials_hint.empty()) msg += "; " + context.credentials_hint;
        return fetch_error(FetchFailure::kAuth, msg);
      }
      if (status == 429) {
        if (const auto ra = r->header("retry-after")) {
          if (const auto d = parse_retry_after(*ra, clock.utc_now())) {
            if (*d > policy.max_retry_after)
              return fetch_error(FetchFailure::kRateLimited,
                                 where + ": HTTP 429 rate limited; the server asks to wait " +
                                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*d).count()) +
                                     " s, longer than greenrun waits; try again later");
            wait = *d;
          }
        }
        if (last)
          return fetch_error(FetchFailure::kRateLimited, where + ": HTTP 429 rate limited after " +
                                                             std::to_string(attempt) + " attempts; try again later");
      } else if (status >= 500) {
        if (last)
          return fetch_error(FetchFailure::kServer, where + ": HTTP " + std::to_string(status) + " after " +
                                                        std::to_string(attempt) + " attempts (" +
                                                        error_excerpt(r->body) + ")");
      } else if (status >= 300 && status < 400) {
        const auto location = r->header("location");
        return fetch_error(FetchFailure::kClient,
                           where + ": HTTP " + std::to_string(status) + " redirect to " +
                               (location ? redact_url(*location) : std::string("?")) +
                               " not followed; set the provider's base URL to the new address");
      } else {
        return fetch_error(FetchFailure::kClient,
                           where + ": HTTP " + std::to_string(status) + " (" + error_excerpt(r->body) + ")");
      }
    }
    clock.sleep_until(clock.steady_now() + wait);
  }
}

}  // namespace greenrun::intensity
