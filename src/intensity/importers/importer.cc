#include "intensity/importers/importer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/json_walk.h"

namespace greenrun::intensity {

std::string_view to_string(Format f) {
  switch (f) {
    case Format::kAuto: return "auto";
    case Format::kElectricityMapsCsv: return "electricitymaps-csv";
    case Format::kWattTimeJson: return "watttime-json";
    case Format::kWattTimeCsv: return "watttime-csv";
    case Format::kUkJson: return "uk-json";
    case Format::kCarbonAwareJson: return "carbon-aware-json";
    case Format::kGenericCsv: return "generic-csv";
  }
  return "?";
}

Result<Format> parse_format(std::string_view name) {
  for (Format f : {Format::kAuto, Format::kElectricityMapsCsv, Format::kWattTimeJson, Format::kWattTimeCsv,
                   Format::kUkJson, Format::kCarbonAwareJson, Format::kGenericCsv})
    if (iequals(name, to_string(f))) return f;
  return make_error("expected a format: auto, electricitymaps-csv, watttime-json, watttime-csv, uk-json, "
                    "carbon-aware-json or generic-csv, got \"" + std::string(name) + "\"");
}

namespace {

std::string_view skip_space(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n'))
    t.remove_prefix(1);
  return t;
}

bool has(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

}  // namespace

Result<Format> detect_format(std::string_view text, std::string_view name) {
  const std::string_view t = skip_space(strip_bom(text));
  if (t.empty()) return make_error(std::string(name) + ": expected carbon-intensity data, got an empty file");
  if (t.front() == '{' || t.front() == '[') {
    // JSON: the member names near the start tell the provider apart.
    const std::string head = to_lower(t.substr(0, std::min<size_t>(t.size(), 64 * 1024)));
    if (has(head, "\"point_time\"")) return Format::kWattTimeJson;
    if (has(head, "\"forecastdata\"") || has(head, "\"rating\"") || has(head, "\"emissions\"") ||
        (has(head, "\"carbonintensity\"") && has(head, "\"location\"")))
      return Format::kCarbonAwareJson;
    if ((has(head, "\"intensity\"") && has(head, "\"from\"")) || has(head, "\"regionid\""))
      return Format::kUkJson;
    if (has(head, "\"generated_at\"") && has(head, "\"forecast\"")) return Format::kWattTimeJson;
    return make_error(std::string(name) +
                      ": JSON, but not a known carbon-intensity shape (no \"point_time\", \"intensity\"/\"from\", "
                      "\"rating\", \"forecastData\" or \"Emissions\" near the start); name it with --format");
  }
  // CSV: the first non-empty line.
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line) && trim(line).empty()) {
  }
  const std::string header = to_lower(trim(line));
  if (header.starts_with("datetime (utc)") || (has(header, "zone id") && has(header, "carbon intensity")))
    return Format::kElectricityMapsCsv;
  // WattTime: the export's own column names, ',' or ';' separated. The cell
  // names "point_time" and "moer" are WattTime's; "timestamp,value" alone
  // stays generic unless a "frequency" or "moer version" column says WattTime.
  const char sep = header.find(',') == std::string::npos && header.find(';') != std::string::npos ? ';' : ',';
  std::vector<std::string_view> f;
  std::string scratch;
  split_csv(header, f, scratch, sep);
  bool has_timestamp = false, has_point_time = false, has_moer = false, has_value = false, has_wt_extra = false;
  for (std::string_view c : f) {
    const std::string_view cell = trim(c);
    if (cell == "timestamp") has_timestamp = true;
    if (cell == "point_time") has_point_time = true;
    if (cell == "moer") has_moer = true;
    if (cell == "value") has_value = true;
    if (cell == "frequency" || cell == "moer version") has_wt_extra = true;
  }
  if ((has_timestamp || has_point_time) && has_moer) return Format::kWattTimeCsv;
  if (has_point_time && has_value) return Format::kWattTimeCsv;
  if (has_timestamp && has_value && has_wt_extra) return Format::kWattTimeCsv;
  // generic time,value: a first row (or the row after a header) that starts with a time.
  split_csv(line, f, scratch, sep);
  if (f.size() >= 2) {
    if (parse_utc(f[0])) return Format::kGenericCsv;
    std::string_view next;
    while (lines.next(next) && trim(next).empty()) {
    }
    split_csv(next, f, scratch, sep);
    if (f.size() >= 2 && parse_utc(f[0])) return Format::kGenericCsv;
  }
  return make_error(std::string(name) + ":1: cannot tell the format from \"" + printable(trim(line), 60) +
                    "\"; name it with --format");
}

namespace {

Result<ImportResult> dispatch(std::string_view text, const std::string& name, const ImportOptions& options) {
  Format f = options.format;
  if (f == Format::kAuto) {
    auto d = detect_format(text, name);
    if (!d) return make_error(d.error().message);
    f = *d;
  }
  switch (f) {
    case Format::kElectricityMapsCsv: return import_electricitymaps_csv(text, name, options);
    case Format::kWattTimeJson: return import_watttime_json(text, name, options);
    case Format::kWattTimeCsv: return import_watttime_csv(text, name, options);
    case Format::kUkJson: return import_uk_json(text, name, options);
    case Format::kCarbonAwareJson: return import_carbon_aware_json(text, name, options);
    case Format::kGenericCsv: return import_generic_csv(text, name, options);
    case Format::kAuto: break;
  }
  return make_error(name + ": no format chosen");
}

}  // namespace

Result<ImportResult> import_text(std::string_view text, const std::string& name, const ImportOptions& options) {
  auto r = dispatch(text, name, options);
  if (!r) {
    // One line, whatever the input held (a quoted CSV cell or a JSON string
    // can carry line breaks into a message).
    std::string m = std::move(r.error().message);
    for (char& c : m)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return make_error(std::move(m));
  }
  return r;
}

Result<std::string> read_import_file(const std::string& path, size_t max_bytes) {
  const auto too_big = [&] {
    const bool mib = max_bytes >= (size_t{1} << 20);
    return make_error(path + ": larger than the " + std::to_string(mib ? max_bytes >> 20 : max_bytes) +
                      (mib ? " MiB" : " bytes") + " an import reads; split it into smaller files (e.g. one per year)");
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(path + ": cannot read: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(path + ": cannot read: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return make_error(path + ": is a directory; expected a carbon-intensity file (give the files in it, e.g. " +
                      path + "/*.csv)");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
    return make_error(path + ": not a regular file (a device or socket); expected a carbon-intensity file");
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(path + ": cannot read: " + std::strerror(errno));
    }
    if (n == 0) break;
    // A pipe, or a file that grows while read, is bounded here.
    if (text.size() + static_cast<size_t>(n) > max_bytes) return too_big();
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

Result<ImportResult> import_file(const std::string& path, const ImportOptions& options) {
  auto text = read_import_file(path, options.max_file_bytes);
  if (!text) return make_error(text.error().message);
  return import_text(*text, path, options);
}

}  // namespace greenrun::intensity
