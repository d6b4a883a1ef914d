// libFuzzer target for the server's request parsing (src/server/query_string.h):
// the query string and the typed requests built from it, and the batch JSON
// bodies. The input's first byte picks which. Besides sanitizer findings it
// traps on broken promises: a problem has a one-line, non-empty message; a
// parsed request has what the endpoints require (a location, both times).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/query_string.h"

namespace {

void check(const greenrun::engine::QueryProblem& p) {
  if (p.message.empty() || p.message.find('\n') != std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenrun::server;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto params = parse_query_string(text);
      if (!params) return check(params.error()), 0;
      if (params->size() > QueryLimits{}.max_parameters) __builtin_trap();
      if (auto r = parse_emissions_request(*params, data[0] & 8); r) {
        if (r->locations.empty()) __builtin_trap();
      } else {
        check(r.error());
      }
      if (auto r = parse_forecast_requests(*params); r) {
        for (const auto& f : *r)
          if (f.location.empty() || f.window_minutes < 0) __builtin_trap();
      } else {
        check(r.error());
      }
      if (auto r = parse_average_request(*params); r) {
        if (r->location.empty() || !r->start_time || !r->end_time) __builtin_trap();
      } else {
        check(r.error());
      }
      break;
    }
    case 1:
      if (auto r = parse_forecast_batch(text); r) {
        for (const auto& f : *r)
          if (f.location.empty() || !f.requested_at) __builtin_trap();
      } else {
        check(r.error());
      }
      break;
    default:
      if (auto r = parse_average_batch(text); r) {
        for (const auto& a : *r)
          if (a.location.empty() || !a.start_time || !a.end_time) __builtin_trap();
      } else {
        check(r.error());
      }
      break;
  }
  return 0;
}
