// EventStream: an std::ostream whose lines become Observer events, so the
// runner's status output (carbon_aware_executor's `status` stream) reaches
// a front end as events instead of text on stderr. A line ended by '\n' is a
// kSchedule event; text flushed without a newline (a TTY's redrawn status
// line, "\r\033[K...") is a kProgress event. The "greenrun: " prefix and the
// terminal's redraw codes are taken off: rendering is the front end's.
//
// Thread-safety: one thread.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

#include "greenrun/engine.h"

namespace greenrun::engine {

class EventBuffer final : public std::streambuf {
 public:
  explicit EventBuffer(Observer& observer) : observer_(observer) {}

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void emit(EventKind kind);
  Observer& observer_;
  std::string pending_;
};

class EventStream final : public std::ostream {
 public:
  explicit EventStream(Observer& observer) : std::ostream(nullptr), buffer_(observer) { rdbuf(&buffer_); }

 private:
  EventBuffer buffer_;
};

}  // namespace greenrun::engine
