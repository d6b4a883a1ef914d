#include "slurm/opt_in.h"

#include <charconv>

#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"

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
    const auto seconds_of = [&](bool zero_ok) -> std::optional<int64_t> {
      int64_t s = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
      if (ec != std::errc() || p != value.data() + value.size() || s < 0 || (s == 0 && !zero_ok)) return std::nullopt;
      return s;
    };
    if (key == "interruptible") {
      o.interruptible = true;
    } else if (key == "checkpoint") {
      if (value.empty()) {
        o.checkpoint_grace = kDefaultCheckpointGrace;
      } else {
        auto s = seconds_of(true);
        if (!s) return bad("the grace in seconds, e.g. checkpoint=120");
        o.checkpoint_grace = std::chrono::seconds(*s);
      }
    } else if (key == "done") {
      auto s = seconds_of(true);
      if (!s) return bad("seconds of work done, e.g. 600");
      o.done = std::chrono::seconds(*s);
    } else if (key == "signalled") {
      const size_t slash = value.find('/');
      int64_t at = 0;
      int64_t restarts = 0;
      const std::string_view a = value.substr(0, slash);
      const std::string_view r = slash == std::string_view::npos ? std::string_view{} : value.substr(slash + 1);
      auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), at);
      auto [pr, er] = std::from_chars(r.data(), r.data() + r.size(), restarts);
      if (slash == std::string_view::npos || ea != std::errc() || pa != a.data() + a.size() || er != std::errc() ||
          pr != r.data() + r.size() || at <= 0 || restarts < 0)
        return bad("EPOCH/RESTARTS, e.g. 1796616000/0");
      o.signalled = OptIn::Signalled{UtcTime(std::chrono::seconds(at)), restarts};
    } else if (key == "zone") {
      if (value.empty()) return bad("a zone such as DE");
      o.zone = std::string(value);
    } else if (key == "duration") {
      auto s = seconds_of(false);
      if (!s) return bad("seconds, e.g. 3600");
      o.duration = std::chrono::seconds(*s);
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
                                               "' (expected deadline, duration, interruptible, zone, checkpoint, done or signalled)");
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
  const auto secs = [](Duration d) { return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()); };
  if (o.checkpoint_grace) add("checkpoint=" + secs(*o.checkpoint_grace));
  if (o.done.count() > 0) add("done=" + secs(o.done));
  if (o.signalled) add("signalled=" + secs(o.signalled->at.time_since_epoch()) + "/" + std::to_string(o.signalled->restarts));
  return s;
}

}  // namespace greenrun::slurm
