#include "intensity/importers/json_walk.h"

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>

#include "base/text_reader.h"

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

// "[json.exception.parse_error.101] parse error at line 1, column 9: syntax
// error ..." -> "syntax error ...".
std::string reason_of(const char* what) {
  std::string_view w(what);
  const size_t col = w.find("column ");
  if (col != std::string_view::npos) {
    const size_t colon = w.find(": ", col);
    if (colon != std::string_view::npos) return printable(w.substr(colon + 2), 160);
  }
  const size_t close = w.find("] ");
  if (close != std::string_view::npos) w.remove_prefix(close + 2);
  return printable(w, 160);
}

using Json = nlohmann::json;

}  // namespace

// The nlohmann SAX interface, keeping the JSON path of the current value.
class JsonSaxAdapter {
 public:
  JsonSaxAdapter(const std::string& name, JsonHandler& handler, std::string_view text)
      : name_(name), handler_(handler), text_(text) {}

  bool null() {
    JsonScalar s;
    return scalar(s);
  }
  bool boolean(bool v) {
    JsonScalar s;
    s.kind = JsonScalar::Kind::kBool;
    s.boolean = v;
    return scalar(s);
  }
  bool number_integer(Json::number_integer_t v) {
    JsonScalar s;
    s.kind = JsonScalar::Kind::kNumber;
    s.number = static_cast<double>(v);
    return scalar(s);
  }
  bool number_unsigned(Json::number_unsigned_t v) {
    JsonScalar s;
    s.kind = JsonScalar::Kind::kNumber;
    s.number = static_cast<double>(v);
    return scalar(s);
  }
  bool number_float(Json::number_float_t v, const Json::string_t& raw) {
    JsonScalar s;
    s.kind = JsonScalar::Kind::kNumber;
    s.number = v;
    s.text = raw;
    return scalar(s);
  }
  bool string(Json::string_t& v) {
    JsonScalar s;
    s.kind = JsonScalar::Kind::kString;
    s.text = v;
    return scalar(s);
  }
  bool binary(Json::binary_t&) { return fail_here("expected JSON text, got binary data"); }
  bool start_object(std::size_t) { return begin(false); }
  bool key(Json::string_t& k) {
    path_.levels_[path_.depth_ - 1].key.assign(k);
    return true;
  }
  bool end_object() { return end(false); }
  bool start_array(std::size_t) { return begin(true); }
  bool end_array() { return end(true); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    // Line and column of the byte where parsing stopped (1-based).
    size_t line = 1, col = 1;
    const size_t end = std::min(position, text_.size());
    for (size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    if (position > 0 && col > 1) --col;  // position counts the offending byte
    error_ = name_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": invalid JSON at " +
             path_.to_string() + ": " + reason_of(ex.what());
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool scalar(const JsonScalar& s) {
    if (auto st = handler_.on_scalar(path_, s); !st) return fail_here(st.error().message);
    advance();
    return true;
  }
  bool begin(bool is_array) {
    if (auto st = handler_.on_begin(path_, is_array); !st) return fail_here(st.error().message);
    if (path_.depth_ >= kMaxJsonDepth)
      return fail_here("expected at most " + std::to_string(kMaxJsonDepth) + " levels of nesting");
    if (path_.levels_.size() == path_.depth_) path_.levels_.emplace_back();
    JsonPath::Level& l = path_.levels_[path_.depth_++];
    l.is_array = is_array;
    l.index = 0;
    l.key.clear();
    return true;
  }
  bool end(bool is_array) {
    --path_.depth_;
    if (auto st = handler_.on_end(path_, is_array); !st) return fail_here(st.error().message);
    advance();
    return true;
  }
  // After a value completes inside an array, the next element gets the next index.
  void advance() {
    if (path_.depth_ > 0 && path_.levels_[path_.depth_ - 1].is_array) ++path_.levels_[path_.depth_ - 1].index;
  }
  bool fail_here(const std::string& message) {
    error_ = name_ + ": " + path_.to_string() + ": " + message;
    return false;
  }

  const std::string& name_;
  JsonHandler& handler_;
  std::string_view text_;
  JsonPath path_;
  std::string error_;
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

Status JsonHandler::on_begin(const JsonPath&, bool) { return {}; }
Status JsonHandler::on_end(const JsonPath&, bool) { return {}; }

Status walk_json(std::string_view text, const std::string& name, JsonHandler& handler) {
  const std::string_view body = strip_bom(text);
  if (trim(body).empty() || body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(name + ": expected JSON, got an empty file");
  JsonSaxAdapter sax(name, handler, body);
  try {
    if (!Json::sax_parse(body.begin(), body.end(), &sax)) return make_error(sax.error());
  } catch (const std::exception& e) {
    return make_error(name + ": invalid JSON: " + printable(e.what(), 160));
  }
  return {};
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
