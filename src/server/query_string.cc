#include "server/query_string.h"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::server {
namespace {

using engine::QueryProblem;

std::unexpected<QueryProblem> invalid(std::string parameter, std::string message) {
  return std::unexpected<QueryProblem>(QueryProblem{QueryProblem::Kind::kInvalid, std::move(parameter),
                                                    std::move(message)});
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

engine::QueryResult<std::string> decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return invalid("", "malformed percent escape at byte " + std::to_string(i) + " of the query string");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// "The value 'x' is not valid for time." as ASP.NET says it, with what we expect.
std::string not_valid(const std::string& value, const std::string& parameter, const std::string& expected) {
  std::string shown = value.size() > 64 ? value.substr(0, 64) + "..." : value;
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return "The value '" + shown + "' is not valid for " + parameter + ": expected " + expected + ".";
}

engine::QueryResult<std::optional<UtcTime>> optional_time(const QueryParameters& params, const std::string& name) {
  const auto values = values_of(params, name);
  if (values.empty()) return std::nullopt;
  if (values.size() > 1) return invalid(name, name + " was given " + std::to_string(values.size()) + " times");
  auto t = parse_time_parameter(name, values.front());
  if (!t) return std::unexpected(t.error());
  return *t;
}

engine::QueryResult<long long> window_size(const std::string& parameter, const std::string& value) {
  long long n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || ptr != value.data() + value.size() || value.empty())
    return invalid(parameter, not_valid(value, parameter, "an integer number of minutes"));
  if (n < 0 || n > 60LL * 24 * 366)
    return invalid(parameter, parameter + " must be between 0 and 527040 minutes, got " + value);
  return n;
}

// A JSON member by case-insensitive name, or null.
const nlohmann::json* member(const nlohmann::json& object, std::string_view name) {
  for (auto it = object.begin(); it != object.end(); ++it)
    if (iequals(it.key(), name)) return &it.value();
  return nullptr;
}

engine::QueryResult<std::optional<UtcTime>> json_time(const nlohmann::json& object, const std::string& path,
                                                      std::string_view name) {
  const nlohmann::json* v = member(object, name);
  if (!v || v->is_null()) return std::nullopt;
  const std::string parameter = path + std::string(name);
  if (!v->is_string()) return invalid(parameter, "expected a date-time string");
  auto t = parse_time_parameter(parameter, v->get<std::string>());
  if (!t) return std::unexpected(t.error());
  return *t;
}

engine::QueryResult<std::string> json_location(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* v = member(object, "location");
  if (!v || v->is_null() || (v->is_string() && v->get<std::string>().empty()))
    return invalid(path + "location", "The location field is required.");
  if (!v->is_string()) return invalid(path + "location", "expected a string");
  return v->get<std::string>();
}

engine::QueryResult<nlohmann::json> json_array(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid("$", "the body is not valid JSON: expected an array of objects");
  if (!doc.is_array()) return invalid("$", "expected a JSON array of objects");
  for (size_t i = 0; i < doc.size(); ++i)
    if (!doc[i].is_object()) return invalid("[" + std::to_string(i) + "]", "expected an object");
  return doc;
}

}  // namespace

engine::QueryResult<QueryParameters> parse_query_string(std::string_view raw, const QueryLimits& limits) {
  if (raw.size() > limits.max_length)
    return invalid("", "the query string is " + std::to_string(raw.size()) + " bytes; at most " +
                           std::to_string(limits.max_length) + " are accepted");
  QueryParameters out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view pair = raw.substr(pos, amp - pos);
    if (!pair.empty()) {
      if (out.size() == limits.max_parameters)
        return invalid("", "more than " + std::to_string(limits.max_parameters) + " query parameters");
      const size_t eq = pair.find('=');
      auto name = decode(pair.substr(0, eq));
      if (!name) return std::unexpected(name.error());
      auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
      if (!value) return std::unexpected(value.error());
      out.emplace_back(std::move(*name), std::move(*value));
    }
    pos = amp + 1;
  }
  return out;
}

std::vector<std::string> values_of(const QueryParameters& params, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : params)
    if (iequals(k, name)) out.push_back(v);
  return out;
}

engine::QueryResult<UtcTime> parse_time_parameter(const std::string& parameter, std::string value) {
  // "2022-05-17T20:45:11+00:00" sent unencoded arrives as "...11 00:00".
  if (const size_t sp = value.rfind(' '); sp != std::string::npos && sp > 10 && value.find('T') < sp)
    value[sp] = '+';
  if (value.empty()) return invalid(parameter, "The value '' is not valid for " + parameter + ".");
  auto t = parse_utc(value);
  if (!t) return invalid(parameter, not_valid(value, parameter, "an ISO 8601 date-time such as 2022-05-17T20:45:11+00:00"));
  return *t;
}

engine::QueryResult<engine::EmissionsRequest> parse_emissions_request(const QueryParameters& params, bool single) {
  engine::EmissionsRequest r;
  for (auto& v : values_of(params, "location"))
    if (!v.empty()) r.locations.push_back(std::move(v));
  if (r.locations.empty()) return invalid("location", "The location field is required.");
  if (single && r.locations.size() > 1)
    return invalid("location", "this endpoint takes one location; use /emissions/bylocations for several");
  auto time = optional_time(params, "time");
  if (!time) return std::unexpected(time.error());
  auto to_time = optional_time(params, "toTime");
  if (!to_time) return std::unexpected(to_time.error());
  r.time = *time;
  r.to_time = *to_time;
  return r;
}

engine::QueryResult<std::vector<engine::ForecastWindowRequest>> parse_forecast_requests(const QueryParameters& params) {
  const auto locations = values_of(params, "location");
  if (locations.empty()) return invalid("location", "The location field is required.");
  engine::ForecastWindowRequest base;
  auto start = optional_time(params, "dataStartAt");
  if (!start) return std::unexpected(start.error());
  auto end = optional_time(params, "dataEndAt");
  if (!end) return std::unexpected(end.error());
  base.data_start_at = *start;
  base.data_end_at = *end;
  const auto window = values_of(params, "windowSize");
  if (window.size() > 1) return invalid("windowSize", "windowSize was given more than once");
  if (!window.empty()) {
    auto w = window_size("windowSize", window.front());
    if (!w) return std::unexpected(w.error());
    base.window_minutes = *w;
  }
  std::vector<engine::ForecastWindowRequest> out;
  for (const auto& l : locations) {
    if (l.empty()) return invalid("location", "The location field is required.");
    out.push_back(base);
    out.back().location = l;
  }
  return out;
}

engine::QueryResult<engine::AverageRequest> parse_average_request(const QueryParameters& params) {
  engine::AverageRequest r;
  const auto locations = values_of(params, "location");
  if (locations.empty() || locations.front().empty()) return invalid("location", "The location field is required.");
  if (locations.size() > 1) return invalid("location", "this endpoint takes one location; use the batch form for several");
  r.location = locations.front();
  auto start = optional_time(params, "startTime");
  if (!start) return std::unexpected(start.error());
  if (!*start) return invalid("startTime", "The startTime field is required.");
  auto end = optional_time(params, "endTime");
  if (!end) return std::unexpected(end.error());
  if (!*end) return invalid("endTime", "The endTime field is required.");
  r.start_time = *start;
  r.end_time = *end;
  return r;
}

engine::QueryResult<std::vector<engine::ForecastWindowRequest>> parse_forecast_batch(std::string_view body) {
  auto doc = json_array(body);
  if (!doc) return std::unexpected(doc.error());
  std::vector<engine::ForecastWindowRequest> out;
  for (size_t i = 0; i < doc->size(); ++i) {
    const auto& item = (*doc)[i];
    const std::string path = "[" + std::to_string(i) + "].";
    engine::ForecastWindowRequest r;
    auto location = json_location(item, path);
    if (!location) return std::unexpected(location.error());
    r.location = std::move(*location);
    auto requested = json_time(item, path, "requestedAt");
    if (!requested) return std::unexpected(requested.error());
    if (!*requested) return invalid(path + "requestedAt", "The requestedAt field is required.");
    r.requested_at = *requested;
    auto start = json_time(item, path, "dataStartAt");
    if (!start) return std::unexpected(start.error());
    auto end = json_time(item, path, "dataEndAt");
    if (!end) return std::unexpected(end.error());
    r.data_start_at = *start;
    r.data_end_at = *end;
    if (const nlohmann::json* w = member(item, "windowSize"); w && !w->is_null()) {
      if (!w->is_number_integer())
        return invalid(path + "windowSize", "expected an integer number of minutes");
      auto n = window_size(path + "windowSize", std::to_string(w->get<long long>()));
      if (!n) return std::unexpected(n.error());
      r.window_minutes = *n;
    }
    out.push_back(std::move(r));
  }
  return out;
}

engine::QueryResult<std::vector<engine::AverageRequest>> parse_average_batch(std::string_view body) {
  auto doc = json_array(body);
  if (!doc) return std::unexpected(doc.error());
  std::vector<engine::AverageRequest> out;
  for (size_t i = 0; i < doc->size(); ++i) {
    const auto& item = (*doc)[i];
    const std::string path = "[" + std::to_string(i) + "].";
    engine::AverageRequest r;
    auto location = json_location(item, path);
    if (!location) return std::unexpected(location.error());
    r.location = std::move(*location);
    auto start = json_time(item, path, "startTime");
    if (!start) return std::unexpected(start.error());
    if (!*start) return invalid(path + "startTime", "The startTime field is required.");
    auto end = json_time(item, path, "endTime");
    if (!end) return std::unexpected(end.error());
    if (!*end) return invalid(path + "endTime", "The endTime field is required.");
    r.start_time = *start;
    r.end_time = *end;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace greenrun::server
