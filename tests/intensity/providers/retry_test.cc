#include "intensity/providers/retry.h"

#include <gtest/gtest.h>

#include <deque>

#include "greenrun/base/time_format.h"
#include "testing/fake_clock.h"
#include "testing/loopback_server.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::FakeClock;
using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;
using namespace std::chrono_literals;

TEST(BackoffDelay, DoublesFromTheFirstDelayUpToTheCap) {
  RetryPolicy p;
  p.first_delay = 1s;
  p.multiplier = 2;
  p.max_delay = 5s;
  EXPECT_EQ(backoff_delay(1, p), Duration(1s));
  EXPECT_EQ(backoff_delay(2, p), Duration(2s));
  EXPECT_EQ(backoff_delay(3, p), Duration(4s));
  EXPECT_EQ(backoff_delay(4, p), Duration(5s));
  EXPECT_EQ(backoff_delay(40, p), Duration(5s));
}

TEST(ParseRetryAfter, ReadsSecondsAndHttpDates) {
  const UtcTime now = *parse_utc("2015-10-21T07:27:00Z");
  EXPECT_EQ(parse_retry_after("120", now), Duration(120s));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Duration(0s));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Duration(60s));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Duration(0s));  // past: now
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Foo 2015 07:28:00 GMT", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

TEST(ErrorExcerpt, PrefersTheServersMessageAndStaysOnOneLine) {
  EXPECT_EQ(error_excerpt(R"({"message":"Zone XX not found"})"), "Zone XX not found");
  EXPECT_EQ(error_excerpt(R"({"error":{"code":"400","message":"Invalid date"}})"), "Invalid date");
  EXPECT_EQ(error_excerpt("line one\nline two"), "line one line two");
  EXPECT_EQ(error_excerpt(std::string(500, 'x')).size(), 160u);
}

// A server that answers from a script, one reply per request, then 200 "{}".
class ScriptedServer {
 public:
  explicit ScriptedServer(std::deque<Reply> script)
      : script_(std::move(script)), server_([this](const ServedRequest&) {
          std::lock_guard lock(mu_);
          if (script_.empty()) return Reply::json(R"({"ok":1})");
          Reply r = script_.front();
          script_.pop_front();
          return r;
        }) {}
  LoopbackServer& server() { return server_; }

 private:
  std::mutex mu_;
  std::deque<Reply> script_;
  LoopbackServer server_;
};

Reply with_header(Reply r, std::string name, std::string value) {
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

class GetWithRetry : public ::testing::Test {
 protected:
  FetchResult<HttpResponse> call(ScriptedServer& s) {
    CurlOptions o;
    o.total_timeout = 3s;
    CurlHttpClient client(o);
    start_ = clock_.steady_now();
    return get_with_retry(client, clock_, {s.server().base_url() + "/v3/x?auth-token=zzz", {}}, policy_,
                          {"em", "check GREENRUN_EM_TOKEN"});
  }
  Duration waited() const { return std::chrono::duration_cast<Duration>(clock_.steady_now() - start_); }

  FakeClock clock_;
  RetryPolicy policy_;  // 4 attempts, 1 s doubling
  SteadyTime start_{};
};

TEST_F(GetWithRetry, WaitsWhatRetryAfterAsksOn429) {
  ScriptedServer s({with_header(Reply::json("{}", 429), "Retry-After", "7")});
  auto r = call(s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(s.server().request_count(), 2u);
  EXPECT_EQ(waited(), Duration(7s));
}

TEST_F(GetWithRetry, BacksOffExponentiallyOn5xxThenSucceeds) {
  ScriptedServer s({Reply::json("{}", 500), Reply::json("{}", 503), Reply::json("{}", 502)});
  auto r = call(s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(s.server().request_count(), 4u);
  EXPECT_EQ(waited(), Duration(1s + 2s + 4s));
}

TEST_F(GetWithRetry, GivesUpOn5xxAfterMaxAttempts) {
  ScriptedServer s({Reply::json(R"({"message":"db down"})", 500), Reply::json(R"({"message":"db down"})", 500),
                    Reply::json(R"({"message":"db down"})", 500), Reply::json(R"({"message":"db down"})", 500),
                    Reply::json("{}", 500)});
  auto r = call(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kServer);
  EXPECT_EQ(s.server().request_count(), 4u);
  EXPECT_EQ(r.error().message, "em: GET /v3/x?auth-token=***: HTTP 500 after 4 attempts (db down)");
}

TEST_F(GetWithRetry, DoesNotWaitForAnOverlongRetryAfter) {
  ScriptedServer s({with_header(Reply::json("{}", 429), "Retry-After", "3600")});
  auto r = call(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kRateLimited);
  EXPECT_NE(r.error().message.find("3600 s"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.server().request_count(), 1u);
  EXPECT_EQ(waited(), Duration(0));
}

TEST_F(GetWithRetry, RateLimitWithoutRetryAfterBacksOffAndIsBounded) {
  ScriptedServer s({Reply::json("{}", 429), Reply::json("{}", 429), Reply::json("{}", 429), Reply::json("{}", 429),
                    Reply::json("{}", 429)});
  auto r = call(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kRateLimited);
  EXPECT_EQ(s.server().request_count(), 4u);
  EXPECT_EQ(waited(), Duration(1s + 2s + 4s));
}

TEST_F(GetWithRetry, UnauthorizedFailsAtOnceWithTheCredentialsHint) {
  ScriptedServer s({Reply::json(R"({"message":"Invalid auth-token"})", 401)});
  auto r = call(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kAuth);
  EXPECT_EQ(r.error().message,
            "em: GET /v3/x?auth-token=***: HTTP 401 (Invalid auth-token); check GREENRUN_EM_TOKEN");
  EXPECT_EQ(s.server().request_count(), 1u);
}

TEST_F(GetWithRetry, OtherClientErrorsFailAtOnceWithTheServersMessage) {
  ScriptedServer s({Reply::json(R"({"error":"Zone 'XX' does not exist"})", 404)});
  auto r = call(s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kClient);
  EXPECT_NE(r.error().message.find("HTTP 404 (Zone 'XX' does not exist)"), std::string::npos);
  EXPECT_EQ(s.server().request_count(), 1u);
}

TEST_F(GetWithRetry, RetriesATruncatedTransfer) {
  Reply cut = Reply::json(R"({"data":[)");
  cut.truncate = true;
  ScriptedServer s({cut});
  auto r = call(s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, R"({"ok":1})");
  EXPECT_EQ(s.server().request_count(), 2u);
}

TEST_F(GetWithRetry, OfflineFailsWithoutRetrying) {
  CurlHttpClient client;
  auto r = get_with_retry(client, clock_,
                          {"http://127.0.0.1:" + std::to_string(greenrun::testing::closed_port()) + "/", {}},
                          policy_, {"uk", ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kOffline);
  EXPECT_TRUE(r.error().message.starts_with("uk: GET http://127.0.0.1:")) << r.error().message;
  EXPECT_EQ(clock_.steady_now(), SteadyTime{});
}

}  // namespace
}  // namespace greenrun::intensity
