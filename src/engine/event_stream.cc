#include "engine/event_stream.h"

#include <string_view>

namespace greenrun::engine {
namespace {

// Drops the terminal's "clear line" codes and greenrun's own prefix.
std::string cleaned(std::string text) {
  for (const std::string_view code : {std::string_view("\r"), std::string_view("\033[K")}) {
    for (size_t at = text.find(code); at != std::string::npos; at = text.find(code)) text.erase(at, code.size());
  }
  constexpr std::string_view kPrefix = "greenrun: ";
  if (text.starts_with(kPrefix)) text.erase(0, kPrefix.size());
  return text;
}

}  // namespace

void EventBuffer::emit(EventKind kind) {
  Event e{kind, cleaned(std::move(pending_))};
  pending_.clear();
  if (kind == EventKind::kProgress && !observer_.wants_progress()) return;
  observer_.on_event(e);
}

std::streambuf::int_type EventBuffer::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  if (c == '\n')
    emit(EventKind::kSchedule);
  else
    pending_.push_back(c);
  return ch;
}

std::streamsize EventBuffer::xsputn(const char* s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i) overflow(traits_type::to_int_type(s[i]));
  return n;
}

int EventBuffer::sync() {
  if (!pending_.empty()) emit(EventKind::kProgress);
  return 0;
}

}  // namespace greenrun::engine
