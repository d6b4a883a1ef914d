// The fast path of the timeline.jsonl line reader (accounting's one timeline
// codec, energy_timeline.h): parse_timeline_line first scans a line with the
// streaming JSON walker (intensity/importers/json_walk.h), without building a
// DOM, and falls back to the DOM reader for anything the scan does not accept
// — so a malformed line still gets the DOM reader's error naming its JSON
// path. A 7-day run sampled every second has 604,800 lines; the DOM reader
// alone takes seconds over them (docs/benchmarks.md, "Reports").
//
// Internal to accounting; the two readers must agree on every line the scan
// accepts (tests/accounting/timeline_line_scan_test.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "greenrun/accounting/energy_timeline.h"

namespace greenrun::accounting {

// The line, when it is well formed and every value is valid; nullopt for
// anything else (including lines that are valid but unusual, such as repeated
// keys), which the caller then reads with the DOM reader.
std::optional<TimelineLine> scan_timeline_line(std::string_view text);

// The DOM reader alone (what parse_timeline_line falls back to).
[[nodiscard]] Result<TimelineLine> parse_timeline_line_dom(
    std::string_view text);

}  // namespace greenrun::accounting
