#include "slurm/opt_in.h"

#include <charconv>

#include "base/time_arg.h"
#include "base/time_format.h"

namespace greenrun::slurm {

Result<std::optional<OptIn>> parse_opt_in(std::string_view comment) {
  if (comment != "greenrun" && !comment.starts_with("greenrun:")) return std::optional<OptIn>{};
  OptIn o;
  std::string_view rest = comment.size() > 9 ? comment.substr(9) : std::string_view{};
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    const auto bad = [&](const char* expected) {
      return make_error(ErrorKind::kUsage, "comment '" + std::string(comment) + "': " + std::string(key) +
                                               ": expected " + expected + ", got '" + std::string(value) + "'");
    };
    if (key == "interruptible") {
      o.interruptible = true;
    } else if (key == "zone") {
      if (value.empty()) return bad("a zone such as DE");
      o.zone = std::string(value);
    } else if (key == "duration") {
      int64_t s = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
      if (ec != std::errc() || p != value.data() + value.size() || s <= 0) return bad("seconds, e.g. 3600");
      o.duration = std::chrono::seconds(s);
    } else if (key == "deadline") {
      int64_t s = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
      if (ec == std::errc() && p == value.data() + value.size()) {
        o.deadline = UtcTime(std::chrono::seconds(s));
      } else {
        auto t = parse_time_arg(value, UtcTime{});
        if (!t) return bad("a UTC time such as 2026-12-07T18:00:00Z");
        o.deadline = *t;
      }
    } else {
      return make_error(ErrorKind::kUsage, "comment '" + std::string(comment) + "': unknown key '" +
                                               std::string(key) +
                                               "' (expected deadline, duration, interruptible or zone)");
    }
  }
  return std::optional<OptIn>{o};
}

std::string format_opt_in(const OptIn& o) {
  std::string s = "greenrun";
  std::string sep = ":";
  const auto add = [&](const std::string& item) {
    s += sep + item;
    sep = ",";
  };
  if (o.deadline)
    add("deadline=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(o.deadline->time_since_epoch()).count()));
  if (o.duration) add("duration=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*o.duration).count()));
  if (o.interruptible) add("interruptible");
  if (o.zone) add("zone=" + *o.zone);
  return s;
}

}  // namespace greenrun::slurm
