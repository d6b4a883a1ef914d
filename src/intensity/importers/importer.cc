#include "intensity/importers/importer.h"

#include "base/text_reader.h"

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

Result<Format> detect_format(std::string_view text, std::string_view name) {
  const std::string_view t = trim(strip_bom(text));
  if (t.empty()) return make_error(std::string(name) + ": expected carbon-intensity data, got an empty file");
  const std::string head = to_lower(t.substr(0, std::min<size_t>(t.size(), 400)));
  if (head.starts_with("datetime (utc)")) return Format::kElectricityMapsCsv;
  return make_error(std::string(name) + ":1: cannot tell the format; name it with --format");
}

Result<ImportResult> import_text(std::string_view text, const std::string& name, const ImportOptions& options) {
  Format f = options.format;
  if (f == Format::kAuto) {
    auto d = detect_format(text, name);
    if (!d) return make_error(d.error().message);
    f = *d;
  }
  switch (f) {
    case Format::kElectricityMapsCsv: return import_electricitymaps_csv(text, name, options);
    default: break;
  }
  return make_error(name + ": format " + std::string(to_string(f)) + " is not supported yet");
}

Result<ImportResult> import_file(const std::string& path, const ImportOptions& options) {
  auto text = read_file(path);
  if (!text) return make_error(text.error().message);
  return import_text(*text, path, options);
}

}  // namespace greenrun::intensity
