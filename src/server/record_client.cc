#include "server/record_client.h"

#include <httplib.h>

#include <memory>

#include "server/records_routes.h"

namespace greenrun::server {

Result<engine::RecordSender> record_sender(const std::string& url, const std::string& token, Duration timeout) {
  if (!url.starts_with("http://") || url.size() <= 7)
    return make_error(ErrorKind::kUsage, "--server " + url + ": expected http://HOST:PORT");
  std::string base = url;
  while (base.ends_with("/")) base.pop_back();
  auto client = std::make_shared<httplib::Client>(base);
  if (!client->is_valid()) return make_error(ErrorKind::kUsage, "--server " + url + ": expected http://HOST:PORT");
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  client->set_connection_timeout(us / 1'000'000, us % 1'000'000);
  client->set_read_timeout(us / 1'000'000, us % 1'000'000);
  client->set_write_timeout(us / 1'000'000, us % 1'000'000);
  client->set_bearer_token_auth(token);
  return engine::RecordSender([client, base](const std::string& body) -> Status {
    auto res = client->Post(kRecordsPath, body, "application/json");
    if (!res)
      return make_error(ErrorKind::kUnavailable, base + kRecordsPath + ": " + httplib::to_string(res.error()));
    if (res->status < 200 || res->status >= 300) {
      std::string detail = res->body.substr(0, 300);
      // A body the server refuses as such (400, 413, 415) will never be
      // taken; anything else (401, 403, 5xx) may pass once fixed.
      const bool refused = res->status == 400 || res->status == 413 || res->status == 415;
      return make_error(refused ? ErrorKind::kBadData : ErrorKind::kUnavailable,
                        base + kRecordsPath + ": HTTP " + std::to_string(res->status) + ": " + detail);
    }
    return {};
  });
}

}  // namespace greenrun::server
