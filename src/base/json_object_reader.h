// JsonObjectReader: typed reads of one JSON object's members, for the codecs
// that read greenrun's own files back (run.json's sections: the schedule,
// the emissions breakdowns, the tracker). The first failure is kept with the
// member's JSON path and what was expected
// (`$.schedule.events[2].time: expected a UTC time, got "noon"`); later
// reads are no-ops returning defaults, so a codec reads every field in a
// row and checks once at the end.
//
// Header-only over nlohmann::ordered_json: include it only from the .cc
// files of a library that links nlohmann_json (privately); no public header
// includes it.
//
// Thread-safety: one reader per thread; it writes to the failure it is given.
#pragma once

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_format.h"
#include "greenrun/base/units.h"

namespace greenrun {

class JsonObjectReader {
 public:
  using json = nlohmann::ordered_json;

  // REQUIRES: `j` is an object and outlives the reader.
  JsonObjectReader(const json& j, std::string path, std::optional<Error>& failure)
      : j_(j), path_(std::move(path)), failure_(failure) {}

  const std::string& path() const { return path_; }
  std::string member(std::string_view key) const { return path_ + "." + std::string(key); }
  bool failed() const { return failure_.has_value(); }

  // The member, or nullptr when absent or null (and not required).
  const json* find(const char* key, bool required = false) {
    if (failure_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || (it->is_null() && !required)) {
      if (required) fail(member(key), "missing");
      return nullptr;
    }
    return &*it;
  }
  bool has(const char* key) const {
    auto it = j_.find(key);
    return it != j_.end() && !it->is_null();
  }

  std::string string(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return {};
    if (!v->is_string()) {
      fail(member(key), "expected a string, got " + shown(*v));
      return {};
    }
    return v->get<std::string>();
  }

  std::optional<double> number(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    if (!v->is_number() || !std::isfinite(v->get<double>())) {
      fail(member(key), "expected a number, got " + shown(*v));
      return std::nullopt;
    }
    return v->get<double>();
  }
  double number_or(const char* key, double fallback, bool required = false) {
    return number(key, required).value_or(fallback);
  }

  // A count: a non-negative integer.
  std::optional<size_t> count(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    if (v->is_number_unsigned()) return static_cast<size_t>(v->get<uint64_t>());
    if (v->is_number_float()) {
      const double d = v->get<double>();
      if (d >= 0 && d == std::floor(d) && d < 9.0e15) return static_cast<size_t>(d);
    }
    fail(member(key), "expected a count, got " + shown(*v));
    return std::nullopt;
  }
  std::optional<long long> integer(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) {
      fail(member(key), "expected an integer, got " + shown(*v));
      return std::nullopt;
    }
    return v->is_number_unsigned() ? static_cast<long long>(v->get<uint64_t>()) : v->get<int64_t>();
  }

  // Seconds (a number) as a Duration, rounded to the nearest millisecond:
  // to_seconds(d) read back gives d exactly.
  Duration seconds(const char* key, bool required = false) {
    const auto s = number(key, required);
    return s ? std::chrono::round<Duration>(std::chrono::duration<double>(*s)) : Duration{0};
  }
  std::optional<Duration> optional_seconds(const char* key) {
    const auto s = number(key);
    if (!s) return std::nullopt;
    return std::chrono::round<Duration>(std::chrono::duration<double>(*s));
  }
  Energy joules(const char* key, bool required = false) { return Energy::joules(number_or(key, 0, required)); }
  Mass grams(const char* key, bool required = false) { return Mass::grams(number_or(key, 0, required)); }
  std::optional<Mass> optional_grams(const char* key) {
    const auto g = number(key);
    return g ? std::optional<Mass>(Mass::grams(*g)) : std::nullopt;
  }

  bool boolean(const char* key, bool fallback, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return fallback;
    if (!v->is_boolean()) {
      fail(member(key), "expected true or false, got " + shown(*v));
      return fallback;
    }
    return v->get<bool>();
  }

  std::optional<UtcTime> time(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    auto t = v->is_string() ? parse_utc(v->get<std::string>()) : Result<UtcTime>(make_error(""));
    if (!t) {
      fail(member(key), "expected a UTC time, got " + shown(*v));
      return std::nullopt;
    }
    return *t;
  }
  UtcTime time_or_epoch(const char* key, bool required = false) { return time(key, required).value_or(UtcTime{}); }

  std::vector<std::string> strings(const char* key, bool required = false) {
    std::vector<std::string> out;
    const auto* v = find(key, required);
    if (!v) return out;
    if (!v->is_array()) {
      fail(member(key), "expected an array of strings, got " + shown(*v));
      return out;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        fail(member(key) + "[" + std::to_string(i) + "]", "expected a string, got " + shown((*v)[i]));
        return {};
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }

  // A nested object's reader, or none when absent/null (or on failure).
  std::optional<JsonObjectReader> object(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    if (!v->is_object()) {
      fail(member(key), "expected an object, got " + shown(*v));
      return std::nullopt;
    }
    return JsonObjectReader(*v, member(key), failure_);
  }

  // Calls read(item_reader) for each object of an array member.
  template <typename F>
  void objects(const char* key, F&& read, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return;
    if (!v->is_array()) {
      fail(member(key), "expected an array, got " + shown(*v));
      return;
    }
    for (size_t i = 0; i < v->size() && !failure_; ++i) {
      const std::string at = member(key) + "[" + std::to_string(i) + "]";
      if (!(*v)[i].is_object()) {
        fail(at, "expected an object, got " + shown((*v)[i]));
        return;
      }
      JsonObjectReader item((*v)[i], at, failure_);
      read(item);
    }
  }

  void fail(const std::string& where, const std::string& what) {
    if (!failure_) failure_ = Error{where + ": " + what};
  }

  // A value as an error message quotes it: compact, at most 40 characters.
  static std::string shown(const json& v) {
    std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
  }

 private:
  const json& j_;
  std::string path_;
  std::optional<Error>& failure_;
};

}  // namespace greenrun
