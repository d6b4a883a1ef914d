// JsonWalk: streams a JSON document to a handler, one scalar at a time, with
// the JSON path of each value ("$.data[3].value"), without building a DOM.
// The JSON importers use it so that a year of 5-minute points parses without
// one allocation per value, and so that every error names its JSON path.
//
// A strict RFC 8259 scanner of its own (json_walk.cc says why not
// nlohmann::json's SAX parser: speed); iterative, so deep nesting cannot
// overflow the stack, and nesting beyond kMaxJsonDepth is rejected. Bytes of
// strings are passed through as they are (UTF-8 is not validated).
//
// Thread-safety: a walk is a single-threaded call; handlers hold their state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::intensity {

// A scalar value as seen by a handler. `text` is the string value for
// strings and the number as written for floating-point numbers; it is valid
// only during the callback.
struct JsonScalar {
  enum class Kind { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  double number = 0.0;
  bool boolean = false;
  std::string_view text;

  bool is_number() const { return kind == Kind::kNumber; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_null() const { return kind == Kind::kNull; }
  // "null", "true", "a string \"abc\"", "the number 12.5": for messages.
  std::string describe() const;
};

// The path from the root to the current value. Level 0 is the outermost
// container's member or element.
class JsonPath {
 public:
  struct Level {
    bool is_array = false;
    size_t index = 0;  // element index when is_array
    std::string key;   // member name otherwise
  };

  size_t depth() const { return depth_; }
  bool is_index(size_t level) const { return levels_[level].is_array; }
  size_t index(size_t level) const { return levels_[level].index; }
  std::string_view key(size_t level) const { return levels_[level].key; }

  // True when the path has exactly the pattern's depth and each level matches:
  // "[]" matches any array index, any other string a member name (exactly, or
  // ASCII case-insensitively for matches_ci).
  bool matches(std::initializer_list<std::string_view> pattern) const;
  bool matches_ci(std::initializer_list<std::string_view> pattern) const;

  // "$", "$.data[3].value", "$[\"odd key\"]". Only the first `depth` levels
  // when depth is given (a parent's path).
  std::string to_string() const { return to_string(depth_); }
  std::string to_string(size_t depth) const;

 private:
  friend class JsonSaxAdapter;
  std::vector<Level> levels_;  // grows, never shrinks, so keys keep capacity
  size_t depth_ = 0;
};

class JsonHandler {
 public:
  virtual ~JsonHandler() = default;
  // A scalar at `path`. An error stops the walk; its message is prefixed
  // with "<name>: <path>: ".
  [[nodiscard]] virtual Status on_scalar(const JsonPath& path, const JsonScalar& value) = 0;
  // An object or array starts or ends at `path` (the container's own path).
  [[nodiscard]] virtual Status on_begin(const JsonPath& path, bool is_array);
  [[nodiscard]] virtual Status on_end(const JsonPath& path, bool is_array);
};

inline constexpr size_t kMaxJsonDepth = 64;

// Parses `text` (a leading UTF-8 BOM is skipped). Errors are one line:
//   "<name>: <path>: <handler message>"
//   "<name>:<line>:<column>: invalid JSON at <path>: <reason>"
//   "<name>: expected JSON, got an empty file"
// When the text stops before the document ends (a truncated download or
// body), <reason> ends with "; truncated: JSON ends early at byte N".
[[nodiscard]] Status walk_json(std::string_view text, const std::string& name, JsonHandler& handler);

// A JSON string holding an ISO 8601 UTC time, to milliseconds since the Unix
// epoch. Error (for a handler to return) names what was seen.
[[nodiscard]] Status read_utc_ms(const JsonScalar& value, int64_t& out_ms);

// Makes a message safe for one line: control characters become '?', and text
// beyond max_chars is cut with "...".
std::string printable(std::string_view text, size_t max_chars = 60);

}  // namespace greenrun::intensity
