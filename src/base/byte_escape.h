// Lossless text for byte strings that may not be UTF-8 (a command's
// arguments, a path): JSON and the store carry text, the kernel carries bytes.
// The escaped form keeps every valid UTF-8 sequence as it is, writes a
// backslash as `\\` and every byte that is not part of a valid UTF-8 sequence
// as `\xHH` (two lower-case hex digits), so `ok\xff\n` (bytes 6f 6b ff 0a)
// becomes the text `ok\xff` + newline, and unescape_bytes gives the bytes back
// exactly. No U+FFFD: nothing is lost. Valid means what JSON parsers accept:
// no overlong forms, no surrogates, nothing above U+10FFFF.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "greenrun/base/result.h"

namespace greenrun {

// True when `bytes` is valid UTF-8 (see the header comment).
bool is_valid_utf8(std::string_view bytes);

// The escaped form of `bytes`; always valid UTF-8.
std::string escape_bytes(std::string_view bytes);

// The bytes an escaped form stands for. Error (naming the offset) on a
// backslash not followed by `\` or `x` and two hex digits:
// `at byte 3: expected \\ or \xHH after a backslash`.
[[nodiscard]] Result<std::string> unescape_bytes(std::string_view text);

}  // namespace greenrun
