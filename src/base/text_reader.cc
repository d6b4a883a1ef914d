#include "greenrun/base/text_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace greenrun {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(path + ": cannot read: I/O error");
  return std::move(ss).str();
}

std::string_view strip_bom(std::string_view text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);
  return text;
}

bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  line_number_ = next_line_;
  size_t i = pos_;
  bool quoted = false;
  while (i < text_.size()) {
    const char c = text_[i];
    if (c == '"') quoted = !quoted;
    else if (c == '\n') {
      ++next_line_;
      if (!quoted) break;
    }
    ++i;
  }
  size_t end = i;
  if (end > pos_ && text_[end - 1] == '\r') --end;
  line = text_.substr(pos_, end - pos_);
  pos_ = i < text_.size() ? i + 1 : i;
  if (i >= text_.size()) ++next_line_;
  return true;
}

void split_csv(std::string_view line, std::vector<std::string_view>& fields,
               std::string& scratch, char separator) {
  fields.clear();
  scratch.clear();
  // Reserve so views into scratch stay valid while it grows.
  scratch.reserve(line.size());
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      size_t j = i + 1;
      bool escaped = false;
      size_t close = std::string_view::npos;
      while (j < line.size()) {
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            escaped = true;
            j += 2;
            continue;
          }
          close = j;
          break;
        }
        ++j;
      }
      if (close == std::string_view::npos) close = line.size();
      std::string_view inner = line.substr(i + 1, close - i - 1);
      if (escaped) {
        const size_t start = scratch.size();
        for (size_t k = 0; k < inner.size(); ++k) {
          scratch.push_back(inner[k]);
          if (inner[k] == '"' && k + 1 < inner.size() && inner[k + 1] == '"') ++k;
        }
        fields.emplace_back(scratch.data() + start, scratch.size() - start);
      } else {
        fields.push_back(inner);
      }
      const size_t sep = line.find(separator, close);
      if (sep == std::string_view::npos) break;
      i = sep + 1;
    } else {
      const size_t sep = line.find(separator, i);
      if (sep == std::string_view::npos) {
        fields.push_back(line.substr(i));
        break;
      }
      fields.push_back(line.substr(i, sep - i));
      i = sep + 1;
    }
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string quote_csv(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace greenrun
