#include "greenrun/intensity/providers/http_client.h"

#include <gtest/gtest.h>

#include "testing/loopback_server.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::LoopbackServer;
using greenrun::testing::Reply;
using greenrun::testing::ServedRequest;
using namespace std::chrono_literals;

CurlOptions quick() {
  CurlOptions o;
  o.connect_timeout = 2s;
  o.total_timeout = 3s;
  return o;
}

TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(url_encode("CAISO_NORTH-1.x~"), "CAISO_NORTH-1.x~");
  EXPECT_EQ(url_encode("2024-01-01T00:00:00Z"), "2024-01-01T00%3A00%3A00Z");
  EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(query_string({{"zone", "DE"}, {"start", "a b"}}), "zone=DE&start=a%20b");
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("user:p\xc3\xa4ss"), "dXNlcjpww6Rzcw==");
}

TEST(RedactUrl, RemovesUserInfoAndSecretParameters) {
  EXPECT_EQ(redact_url("https://bob:hunter2@mirror.example/v3/x?zone=DE&auth-token=abc&apiKey=k#f"),
            "https://mirror.example/v3/x?zone=DE&auth-token=***&apiKey=***#f");
  // Signed URLs: Azure SAS sig=, OAuth code=, AWS presigned credentials.
  EXPECT_EQ(redact_url("https://x.blob.core.windows.net/c/f?sv=2022&sig=AbC%2Bd&se=2026"),
            "https://x.blob.core.windows.net/c/f?sv=2022&sig=***&se=2026");
  EXPECT_EQ(redact_url("https://h/cb?code=4/0AbC&state=s"), "https://h/cb?code=***&state=s");
  EXPECT_EQ(redact_url("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2026&X-Amz-Date=1&X-Amz-Signature=ff"),
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Date=1&X-Amz-Signature=***");
  // A name that only contains "code" or "sig" is kept.
  EXPECT_EQ(redact_url("https://h/x?postcode=RG10&design=a"), "https://h/x?postcode=RG10&design=a");
  EXPECT_EQ(redact_url("https://api.watttime.org/v3/forecast?region=CAISO_NORTH"),
            "https://api.watttime.org/v3/forecast?region=CAISO_NORTH");
  EXPECT_EQ(url_path("https://u:p@h:8080/login?password=x"), "/login?password=***");
  EXPECT_EQ(url_path("https://h"), "/");
}

TEST(CurlHttpClient, SendsHeadersAndReturnsStatusBodyAndHeaders) {
  LoopbackServer server([](const ServedRequest&) {
    Reply r = Reply::json(R"({"ok":true})", 200);
    r.headers.emplace_back("X-Thing", "  yes ");
    return r;
  });
  CurlHttpClient client(quick());
  auto r = client.get({server.base_url() + "/v3/x?zone=DE", {{"auth-token", "s3cret"}}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(r->header("x-thing"), "yes");
  ASSERT_EQ(server.request_count(), 1u);
  const ServedRequest req = server.requests()[0];
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/v3/x");
  EXPECT_EQ(req.param("zone"), "DE");
  EXPECT_EQ(req.header("auth-token"), "s3cret");
  EXPECT_EQ(req.header("user-agent"), "greenrun/0.1.0");
}

TEST(CurlHttpClient, AnyHttpStatusIsATransferNotAnError) {
  LoopbackServer server([](const ServedRequest&) { return Reply::json(R"({"message":"nope"})", 503); });
  CurlHttpClient client(quick());
  auto r = client.get({server.base_url() + "/", {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST(CurlHttpClient, ABodyShorterThanAnnouncedIsTruncated) {
  LoopbackServer server([](const ServedRequest&) {
    Reply r = Reply::json(R"({"data":[{"point_time":"2024-01-01T00:00:00+00:00","val)");
    r.truncate = true;
    return r;
  });
  CurlHttpClient client(quick());
  auto r = client.get({server.base_url() + "/v3/forecast", {{"Authorization", "Bearer tok-123"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kTruncated) << r.error().message;
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("tok-123"), std::string::npos);
}

TEST(CurlHttpClient, AConnectionClosedWithoutAnswerIsTruncated) {
  LoopbackServer server([](const ServedRequest&) {
    Reply r;
    r.drop = true;
    return r;
  });
  CurlHttpClient client(quick());
  auto r = client.get({server.base_url() + "/", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kTruncated) << r.error().message;
}

TEST(CurlHttpClient, ARefusedConnectionIsOffline) {
  CurlHttpClient client(quick());
  auto r = client.get({"http://user:pw@127.0.0.1:" + std::to_string(greenrun::testing::closed_port()) + "/x", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kOffline) << r.error().message;
  EXPECT_NE(r.error().message.find("offline?"), std::string::npos);
  EXPECT_EQ(r.error().message.find("pw"), std::string::npos) << r.error().message;
}

TEST(CurlHttpClient, ASlowServerTimesOut) {
  LoopbackServer server([](const ServedRequest&) {
    Reply r = Reply::json("{}");
    r.delay = 5s;  // ends early when the server stops
    return r;
  });
  CurlOptions o = quick();
  o.total_timeout = 200ms;
  CurlHttpClient client(o);
  auto r = client.get({server.base_url() + "/", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kTimeout) << r.error().message;
}

TEST(CurlHttpClient, DoesNotFollowRedirects) {
  LoopbackServer server([](const ServedRequest& req) {
    if (req.path == "/moved") return Reply::json("{}");
    Reply r = Reply::json("", 302);
    r.headers.emplace_back("Location", "/moved");
    return r;
  });
  CurlHttpClient client(quick());
  auto r = client.get({server.base_url() + "/start", {{"auth-token", "t"}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(CurlHttpClient, RefusesBodiesOverTheLimit) {
  LoopbackServer server([](const ServedRequest&) { return Reply::json(std::string(5000, ' ') + "{}"); });
  CurlOptions o = quick();
  o.max_body_bytes = 1000;
  CurlHttpClient client(o);
  auto r = client.get({server.base_url() + "/", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FetchFailure::kBadResponse);
}

}  // namespace
}  // namespace greenrun::intensity
