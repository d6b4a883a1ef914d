#include "greenrun/base/time_arg.h"

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"

namespace greenrun {

Result<UtcTime> parse_time_arg(std::string_view text, UtcTime now) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.starts_with("now")) {
    const std::string_view rest = text.substr(3);
    if (rest.empty()) return now;
    if (rest[0] == '+' || rest[0] == '-') {
      auto d = parse_duration(rest.substr(1));
      if (!d)
        return make_error(ErrorKind::kUsage, "expected now, now+DURATION or now-DURATION (now+12h), got \"" +
                                                 std::string(text) + "\": " + d.error().message);
      return rest[0] == '+' ? now + *d : now - *d;
    }
  }
  auto t = parse_utc(text);
  if (!t)
    return make_error(ErrorKind::kUsage, t.error().message + " (or now, now+12h, now-1d)");
  return t;
}

}  // namespace greenrun
