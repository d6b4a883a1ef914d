// libFuzzer entry point shared by the importer targets. Each target is this
// file compiled with GREENRUN_FUZZ_FORMAT set to one Format (kAuto exercises
// detection). Besides sanitizer findings it traps on broken promises of the
// import API: an error must be one non-empty line; a success must hold
// non-empty series of finite, non-negative, ordered points.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "intensity/importers/importer.h"

using greenrun::intensity::Format;
using greenrun::intensity::ImportOptions;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ImportOptions options;
  options.format = Format::GREENRUN_FUZZ_FORMAT;
  // Vary the options with the input so both sides of each branch get explored.
  const unsigned salt = size == 0 ? 0u : data[size - 1];
  if (salt & 1u) options.zone = (salt & 2u) ? "CAISO_NORTH" : "GB";
  if (salt & 4u) options.electricitymaps_signal = greenrun::intensity::Signal::kAverageDirect;
  if (salt & 8u) options.generic_step = std::chrono::minutes(5);
  if (salt & 16u) options.generic_unit = "lbs/MWh";
  if (salt & 32u) options.generic_tz_offset_minutes = -300;
  if (!options.zone && (options.format == Format::kGenericCsv || options.format == Format::kWattTimeCsv))
    options.zone = "XX";

  auto r = greenrun::intensity::import_text(text, "fuzz.in", options);
  if (!r) {
    const std::string& m = r.error().message;
    if (m.empty() || m.find('\n') != std::string::npos || m.find('\r') != std::string::npos) __builtin_trap();
    return 0;
  }
  if (r->series.empty()) __builtin_trap();
  for (const auto& s : r->series) {
    if (s.empty()) __builtin_trap();
    for (size_t i = 0; i < s.size(); ++i) {
      const auto p = s.point(i);
      const double v = p.value.grams_per_kwh();
      if (!std::isfinite(v) || v < 0 || p.duration.count() <= 0) __builtin_trap();
      if (i > 0 && s.point(i - 1).end() > p.start) __builtin_trap();
    }
    (void)s.mean(s.start(), s.end());
  }
  return 0;
}
