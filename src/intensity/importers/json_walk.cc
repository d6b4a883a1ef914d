#include "intensity/importers/json_walk.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::intensity {
namespace {

bool is_plain_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool level_matches(const JsonPath& path, size_t level, std::string_view pattern, bool ci) {
  if (pattern == "[]") return path.is_index(level);
  if (path.is_index(level)) return false;
  return ci ? iequals(path.key(level), pattern) : path.key(level) == pattern;
}

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  return v;
}

void put_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// A strict RFC 8259 scanner (no comments, no trailing commas, no NaN), made
// for speed: strings without escapes are views into the input, numbers go
// through std::from_chars, nesting is an explicit stack. nlohmann::json's SAX
// parser was measured at ~60 MB/s here, too slow for the 100 ms budget of a
// year of 5-minute points; the tests check this scanner against nlohmann.
class JsonSaxAdapter {
 public:
  JsonSaxAdapter(const std::string& name, JsonHandler& handler, std::string_view text)
      : name_(name), handler_(handler), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  Status run() {
    bool need_value = true;
    while (true) {
      if (need_value) {
        skip_ws();
        if (p_ == end_) return syntax("unexpected end of input; expected a value");
        const char c = *p_;
        if (c == '{' || c == '[') {
          const bool is_array = c == '[';
          if (auto st = handler_.on_begin(path_, is_array); !st) return here(st.error().message);
          if (path_.depth_ >= kMaxJsonDepth)
            return here("expected at most " + std::to_string(kMaxJsonDepth) + " levels of nesting");
          if (path_.levels_.size() == path_.depth_) path_.levels_.emplace_back();
          JsonPath::Level& l = path_.levels_[path_.depth_++];
          l.is_array = is_array;
          l.index = 0;
          l.key.clear();
          ++p_;
          skip_ws();
          if (p_ < end_ && *p_ == (is_array ? ']' : '}')) {
            ++p_;
            if (auto st = close(); !st) return st;
            need_value = false;
            continue;
          }
          if (!is_array) {
            if (auto st = read_key(); !st) return st;
          }
          continue;  // need_value stays true
        }
        JsonScalar v;
        if (c == '"') {
          if (auto st = read_string(v.text); !st) return st;
          v.kind = JsonScalar::Kind::kString;
        } else if (c == 't' || c == 'f' || c == 'n') {
          const std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
          const size_t left = static_cast<size_t>(end_ - p_);
          if (left < word.size() && std::string_view(p_, left) == word.substr(0, left)) {
            p_ = end_;
            return syntax("unexpected end of input in a literal; expected " + std::string(word));
          }
          if (left < word.size() || std::string_view(p_, word.size()) != word)
            return syntax("invalid literal; expected true, false or null");
          p_ += word.size();
          v.kind = c == 'n' ? JsonScalar::Kind::kNull : JsonScalar::Kind::kBool;
          v.boolean = c == 't';
        } else if (c == '-' || is_digit(c)) {
          if (auto st = read_number(v); !st) return st;
        } else {
          return syntax(std::string("unexpected '") + printable(std::string_view(p_, 1)) + "'; expected a value");
        }
        if (auto st = handler_.on_scalar(path_, v); !st) return here(st.error().message);
        need_value = false;
        continue;
      }
      // After a value: end of input, or ',' / a closing bracket.
      skip_ws();
      if (path_.depth_ == 0) {
        if (p_ != end_) return syntax("expected the end of input after the top-level value");
        return {};
      }
      if (p_ == end_) return syntax("unexpected end of input; expected ',' or a closing bracket");
      JsonPath::Level& top = path_.levels_[path_.depth_ - 1];
      const char c = *p_;
      if (c == ',') {
        ++p_;
        if (top.is_array) {
          ++top.index;
        } else {
          skip_ws();
          if (auto st = read_key(); !st) return st;
        }
        need_value = true;
      } else if (c == (top.is_array ? ']' : '}')) {
        ++p_;
        if (auto st = close(); !st) return st;
      } else {
        return syntax(top.is_array ? "expected ',' or ']'" : "expected ',' or '}'");
      }
    }
  }

 private:
  Status close() {
    const bool is_array = path_.levels_[path_.depth_ - 1].is_array;
    --path_.depth_;
    if (auto st = handler_.on_end(path_, is_array); !st) return here(st.error().message);
    return {};
  }

  void skip_ws() {
    while (p_ < end_ && is_ws(*p_)) ++p_;
  }

  // "key" : — stores the key in the current level.
  Status read_key() {
    if (p_ == end_ || *p_ != '"') return syntax(p_ == end_ ? "unexpected end of input; expected a member name"
                                                           : "expected a member name in double quotes");
    std::string_view k;
    if (auto st = read_string(k); !st) return st;
    path_.levels_[path_.depth_ - 1].key.assign(k);
    skip_ws();
    if (p_ == end_) return syntax("unexpected end of input; expected ':' after a member name");
    if (*p_ != ':') return syntax("expected ':' after a member name");
    ++p_;
    return {};
  }

  // REQUIRES: *p_ == '"'. The view points into the input when the string has
  // no escapes, into buf_ otherwise (valid until the next string).
  Status read_string(std::string_view& out) {
    const char* start = ++p_;
    while (p_ < end_) {
      const char c = *p_;
      if (c == '"') {
        out = std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return {};
      }
      if (c == '\\') break;
      if (static_cast<unsigned char>(c) < 0x20) return syntax("control character in a string; expected \\u escape");
      ++p_;
    }
    if (p_ == end_) return syntax("unexpected end of input in a string; expected '\"'");
    buf_.assign(start, static_cast<size_t>(p_ - start));
    while (p_ < end_) {
      const char c = *p_;
      if (c == '"') {
        out = buf_;
        ++p_;
        return {};
      }
      if (static_cast<unsigned char>(c) < 0x20) return syntax("control character in a string; expected \\u escape");
      if (c != '\\') {
        buf_.push_back(c);
        ++p_;
        continue;
      }
      if (end_ - p_ < 2) break;
      const char e = p_[1];
      p_ += 2;
      switch (e) {
        case '"': buf_.push_back('"'); break;
        case '\\': buf_.push_back('\\'); break;
        case '/': buf_.push_back('/'); break;
        case 'b': buf_.push_back('\b'); break;
        case 'f': buf_.push_back('\f'); break;
        case 'n': buf_.push_back('\n'); break;
        case 'r': buf_.push_back('\r'); break;
        case 't': buf_.push_back('\t'); break;
        case 'u': {
          if (end_ - p_ < 4) return syntax("unexpected end of input in a \\u escape");
          int cp = hex4(p_);
          if (cp < 0) return syntax("expected four hex digits after \\u");
          p_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return syntax("expected a low surrogate after a high one");
            const int lo = hex4(p_ + 2);
            if (lo < 0xDC00 || lo > 0xDFFF) return syntax("expected a low surrogate after a high one");
            p_ += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return syntax("a low surrogate without a high one");
          }
          put_utf8(buf_, static_cast<unsigned>(cp));
          break;
        }
        default: return syntax("invalid escape in a string");
      }
    }
    return syntax("unexpected end of input in a string; expected '\"'");
  }

  Status read_number(JsonScalar& v) {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return syntax("expected a digit in a number");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && is_digit(*p_)) ++p_;
    }
    bool is_float = false;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return syntax("expected a digit after '.' in a number");
      while (p_ < end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return syntax("expected a digit in a number's exponent");
      while (p_ < end_ && is_digit(*p_)) ++p_;
      is_float = true;
    }
    double x = 0;
    const auto [q, ec] = std::from_chars(start, p_, x);
    if (ec != std::errc() || q != p_ || !std::isfinite(x)) {
      const char* save = p_;
      p_ = start;
      auto err = syntax("number out of range: " + printable(std::string_view(start, static_cast<size_t>(save - start)), 40));
      return err;
    }
    v.kind = JsonScalar::Kind::kNumber;
    v.number = x;
    if (is_float) v.text = std::string_view(start, static_cast<size_t>(p_ - start));
    return {};
  }

  Status here(const std::string& message) { return make_error(name_ + ": " + path_.to_string() + ": " + message); }

  Status syntax(const std::string& reason) {
    size_t line = 1, col = 1;
    for (const char* q = begin_; q < p_ && q < end_; ++q) {
      if (*q == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string message = name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON at " +
                          path_.to_string() + ": " + reason;
    // Every end-of-input reason starts so; saying "truncated" with the size
    // tells a cut-short download or HTTP body from a malformed one.
    if (p_ >= end_ || reason.starts_with("unexpected end of input"))
      message += "; truncated: JSON ends early at byte " + std::to_string(end_ - begin_);
    return make_error(message);
  }

  const std::string& name_;
  JsonHandler& handler_;
  const char* begin_;
  const char* p_;
  const char* end_;
  JsonPath path_;
  std::string buf_;
};

std::string JsonScalar::describe() const {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return boolean ? "true" : "false";
    case Kind::kString: return "a string \"" + printable(text, 40) + "\"";
    case Kind::kNumber: {
      if (!text.empty()) return "the number " + printable(text, 40);
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", number);
      return std::string("the number ") + buf;
    }
  }
  return "?";
}

bool JsonPath::matches(std::initializer_list<std::string_view> pattern) const {
  if (pattern.size() != depth_) return false;
  size_t i = 0;
  for (std::string_view p : pattern)
    if (!level_matches(*this, i++, p, false)) return false;
  return true;
}

bool JsonPath::matches_ci(std::initializer_list<std::string_view> pattern) const {
  if (pattern.size() != depth_) return false;
  size_t i = 0;
  for (std::string_view p : pattern)
    if (!level_matches(*this, i++, p, true)) return false;
  return true;
}

std::string JsonPath::to_string(size_t depth) const {
  std::string out = "$";
  for (size_t i = 0; i < depth && i < depth_; ++i) {
    const Level& l = levels_[i];
    if (l.is_array) {
      out += '[';
      out += std::to_string(l.index);
      out += ']';
    } else if (is_plain_key(l.key)) {
      out += '.';
      out += l.key;
    } else {
      out += "[\"";
      out += printable(l.key, 40);
      out += "\"]";
    }
  }
  return out;
}

Status read_utc_ms(const JsonScalar& value, int64_t& out_ms) {
  if (!value.is_string()) return make_error("expected an ISO 8601 time string, got " + value.describe());
  auto t = parse_utc(value.text);
  if (!t) return make_error(t.error().message);
  out_ms = t->time_since_epoch().count();
  return {};
}

Status JsonHandler::on_begin(const JsonPath&, bool) { return {}; }
Status JsonHandler::on_end(const JsonPath&, bool) { return {}; }

Status walk_json(std::string_view text, const std::string& name, JsonHandler& handler) {
  const std::string_view body = strip_bom(text);
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(name + ": expected JSON, got an empty file");
  JsonSaxAdapter scanner(name, handler, body);
  return scanner.run();
}

std::string printable(std::string_view text, size_t max_chars) {
  std::string out;
  const size_t n = std::min(text.size(), max_chars);
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c));
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

}  // namespace greenrun::intensity
