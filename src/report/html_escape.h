// Escaping for the two places a report puts text from a run (command lines,
// project names, warnings) into HTML: element text and attribute values, and
// JSON inside a <script> element. Nothing a run records can then close an
// element, open a comment or a script, or end a JavaScript string.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace greenrun::report {

// & < > " ' as character references. Bytes that are not UTF-8 become U+FFFD.
std::string html_escape(std::string_view text);

// JSON text made safe inside <script type="application/json"> (or a script
// that parses it): '<', '>' and '&' as \u003c \u003e \u0026 (so no "</script>"
// or "<!--" can appear), U+2028 and U+2029 as \u2028 \u2029. The result
// parses to the same value. REQUIRES: `json` is valid JSON text.
std::string json_for_script(std::string_view json);

}  // namespace greenrun::report
