#include "greenrun/base/time_zone.h"

#include <algorithm>

#include "greenrun/base/text_reader.h"

namespace greenrun {
namespace {

int64_t be(std::string_view s, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

// A TZif header's six counts (RFC 8536 3.1).
struct Counts {
  int64_t isutc, isstd, leap, time, type, chars;
  size_t body(size_t time_size) const {
    return static_cast<size_t>(
        time * static_cast<int64_t>(time_size) + time + type * 6 + chars +
        leap * static_cast<int64_t>(time_size + 4) + isstd + isutc);
  }
};

Result<Counts> header(std::string_view s, size_t pos, const std::string& name) {
  if (s.size() < pos + 44 || s.substr(pos, 4) != "TZif")
    return make_error(ErrorKind::kBadData,
                      "time zone " + name + ": not a TZif file");
  Counts c{be(s, pos + 20, 4), be(s, pos + 24, 4), be(s, pos + 28, 4),
           be(s, pos + 32, 4), be(s, pos + 36, 4), be(s, pos + 40, 4)};
  if (c.isutc < 0 || c.isstd < 0 || c.leap < 0 || c.time < 0 || c.type <= 0 ||
      c.chars < 0)
    return make_error(ErrorKind::kBadData,
                      "time zone " + name + ": malformed TZif header");
  return c;
}

}  // namespace

TimeZone TimeZone::utc() { return TimeZone(); }

Result<TimeZone> TimeZone::load(std::string_view name,
                                const std::string& root) {
  const std::string n(trim(name));
  if (n.empty() || n.front() == '/' || n.find("..") != std::string::npos)
    return make_error(
        ErrorKind::kUsage,
        "expected a time zone name such as Europe/Berlin, got \"" + n + "\"");
  if (iequals(n, "UTC") || n == "Z") return utc();
  auto text = read_file(root + "/" + n);
  if (!text)
    return make_error(
        ErrorKind::kNotFound,
        "unknown time zone \"" + n + "\" (no " + root + "/" + n + ")");
  const std::string_view s = *text;
  auto c1 = header(s, 0, n);
  if (!c1) return std::unexpected(c1.error());
  size_t pos = 44;
  Counts c = *c1;
  size_t tsize = 4;
  if (s[4] >= '2') {  // skip the 32-bit block, read the 64-bit one
    pos += c.body(4);
    auto c2 = header(s, pos, n);
    if (!c2) return std::unexpected(c2.error());
    c = *c2;
    pos += 44;
    tsize = 8;
  }
  if (s.size() < pos + c.body(tsize))
    return make_error(ErrorKind::kBadData,
                      "time zone " + n + ": truncated TZif file");
  TimeZone tz;
  tz.name_ = n;
  const size_t idx = pos + static_cast<size_t>(c.time) * tsize;
  const size_t types = idx + static_cast<size_t>(c.time);
  auto type_offset = [&](int64_t t) -> Result<int32_t> {
    if (t < 0 || t >= c.type)
      return make_error(ErrorKind::kBadData,
                        "time zone " + n + ": bad type index");
    return static_cast<int32_t>(be(s, types + static_cast<size_t>(t) * 6, 4));
  };
  // RFC 8536 3.2: local time before the first transition is type 0.
  auto first = type_offset(0);
  if (!first) return std::unexpected(first.error());
  tz.initial_offset_ = *first;
  for (int64_t i = 0; i < c.time; ++i) {
    const int64_t at = be(s, pos + static_cast<size_t>(i) * tsize, tsize);
    auto off = type_offset(
        static_cast<unsigned char>(s[idx + static_cast<size_t>(i)]));
    if (!off) return std::unexpected(off.error());
    if (!tz.at_.empty() && at <= tz.at_.back())
      return make_error(ErrorKind::kBadData,
                        "time zone " + n + ": transitions out of order");
    tz.at_.push_back(at);
    tz.offset_.push_back(*off);
  }
  return tz;
}

int64_t TimeZone::offset_seconds(UtcTime t) const {
  const int64_t s =
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  const auto it = std::upper_bound(at_.begin(), at_.end(), s);
  if (it == at_.begin()) return initial_offset_;
  return offset_[static_cast<size_t>(it - at_.begin() - 1)];
}

CivilTime TimeZone::to_local(UtcTime t) const {
  return to_civil(t + std::chrono::seconds(offset_seconds(t)));
}

UtcTime TimeZone::from_local(long long local_days, Duration time_of_day) const {
  const UtcTime wall = UtcTime(std::chrono::days(local_days)) + time_of_day;
  // Candidates: the wall time minus each offset in force nearby. The earlier
  // instant whose own offset maps back to the wall time wins (overlaps); if
  // none does (a gap), the wall time minus the offset before the gap, which
  // lands after the gap by its length.
  const UtcTime guess = wall - std::chrono::seconds(offset_seconds(wall));
  const int64_t o_before = offset_seconds(guess - std::chrono::hours(30));
  const int64_t o_after = offset_seconds(guess + std::chrono::hours(30));
  UtcTime best = UtcTime::max();
  for (int64_t o : {o_before, o_after, offset_seconds(guess)}) {
    const UtcTime c = wall - std::chrono::seconds(o);
    if (offset_seconds(c) == o) best = std::min(best, c);
  }
  if (best != UtcTime::max()) return best;
  return wall - std::chrono::seconds(std::min(o_before, o_after));
}

Result<UtcTime> parse_local(std::string_view text, const TimeZone& tz) {
  const std::string_view t = trim(text);
  // An offset or Z after the time of day ("T..Z", "T..+01:00", "T..-0500").
  bool has_offset = false;
  if (t.size() > 10) {
    const std::string_view time = t.substr(10);
    has_offset = time.find_first_of("Zz+-") != std::string_view::npos;
  }
  auto u = parse_utc(t);
  if (!u || has_offset) return u;
  const auto ms = u->time_since_epoch();
  const auto days = std::chrono::floor<std::chrono::days>(ms);
  return tz.from_local(days.count(), ms - days);
}

}  // namespace greenrun
