// Reading whole files and walking their lines with line numbers, and splitting
// CSV records (RFC 4180 quoting, BOM and CRLF tolerated). Every importer uses
// these so that error messages agree on "file:line: ...".
//
// Thread-safety: LineReader is a cursor; one thread at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun {

// Reads a file into memory. Error: "<path>: cannot read: <reason>".
[[nodiscard]] Result<std::string> read_file(const std::string& path);

// Strips a leading UTF-8 byte-order mark.
std::string_view strip_bom(std::string_view text);

// Walks lines of a buffer; line numbers start at 1. A record whose quoted
// field spans lines is joined (the CSV splitter sees one record).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(strip_bom(text)) {}
  // Next record without its line ending; false at end of input.
  bool next(std::string_view& line);
  // Line number where the last record started.
  size_t line_number() const { return line_number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t next_line_ = 1;
  size_t line_number_ = 0;
};

// Splits one CSV record into fields, removing quotes and unescaping "".
// Views point into `line` unless a field needed unescaping, in which case they
// point into `scratch` (kept alive by the caller).
void split_csv(std::string_view line, std::vector<std::string_view>& fields,
               std::string& scratch, char separator = ',');

// One field as a CSV record writes it (RFC 4180): as it is unless it holds a
// comma, quote or line break, else quoted with "" for each quote. split_csv
// reads it back.
std::string quote_csv(std::string_view field);

// ASCII case-insensitive comparison and lower-casing.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);

}  // namespace greenrun
