#include "greenrun/scheduling/job_rule.h"

#include <algorithm>
#include <array>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"

namespace greenrun::scheduling {
namespace {

// 1970-01-01 was a Thursday.
unsigned weekday_from_monday(long long days) {
  return static_cast<unsigned>(((days + 3) % 7 + 7) % 7);
}
unsigned weekday_from_sunday(long long days) {
  return static_cast<unsigned>(((days + 4) % 7 + 7) % 7);
}

long long local_days(UtcTime t, const TimeZone& tz) {
  const CivilTime c = tz.to_local(t);
  return days_from_civil(c.year, c.month, c.day);
}

Result<Duration> parse_hhmm(std::string_view s) {
  const size_t colon = s.find(':');
  auto fail = [&] {
    return make_error("expected a time of day HH:MM, got \"" + std::string(s) +
                      "\"");
  };
  if (colon == std::string_view::npos) return fail();
  auto h = parse_number(s.substr(0, colon));
  auto m = parse_number(s.substr(colon + 1));
  if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59 ||
      *h != static_cast<int>(*h) || *m != static_cast<int>(*m))
    return fail();
  return std::chrono::hours(static_cast<int>(*h)) +
         std::chrono::minutes(static_cast<int>(*m));
}

constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                   "fri", "sat", "sun"};

// One cron field into a bit mask over [lo, hi].
Result<uint64_t> cron_field(std::string_view f, unsigned lo, unsigned hi,
                            const char* what) {
  auto fail = [&] {
    return make_error(std::string("cron ") + what +
                      ": expected *, N, A-B, lists and /STEP within " +
                      std::to_string(lo) + ".." + std::to_string(hi) +
                      ", got \"" + std::string(f) + "\"");
  };
  uint64_t mask = 0;
  size_t pos = 0;
  while (pos <= f.size()) {
    const size_t comma = std::min(f.find(',', pos), f.size());
    std::string_view item = f.substr(pos, comma - pos);
    unsigned step = 1;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      auto s = parse_number(item.substr(slash + 1));
      if (!s || *s < 1 || *s != static_cast<int>(*s)) return fail();
      step = static_cast<unsigned>(*s);
      item = item.substr(0, slash);
    }
    unsigned a = lo, b = hi;
    if (item != "*") {
      const size_t dash = item.find('-');
      auto x = parse_number(item.substr(0, dash));
      if (!x || *x != static_cast<int>(*x)) return fail();
      a = b = static_cast<unsigned>(*x);
      if (dash != std::string_view::npos) {
        auto y = parse_number(item.substr(dash + 1));
        if (!y || *y != static_cast<int>(*y)) return fail();
        b = static_cast<unsigned>(*y);
      }
      if (a < lo || b > hi || a > b) return fail();
    }
    for (unsigned v = a; v <= b; v += step) mask |= uint64_t{1} << v;
    pos = comma + 1;
  }
  return mask;
}

}  // namespace

Result<JobRule> parse_job_rule(std::string_view text, const TimeZone& tz) {
  const std::string_view t = trim(text);
  JobRule r;
  r.text = std::string(t);
  auto fail = [&](const std::string& why = "") {
    return make_error(
        (why.empty() ? "" : why + "; ") +
        "expected a rule slack:6h, within:24h, around:3h, around:2h/4h, "
        "next-workday@09:00, weekly:mon,thu@09:00 or deadline:T, got \"" +
        std::string(t) + "\"");
  };
  const size_t colon = t.find_first_of(":@");
  if (colon == std::string_view::npos) return fail();
  const std::string kind = to_lower(t.substr(0, colon));
  const std::string_view arg = t.substr(colon + 1);
  if (kind == "slack" || kind == "within") {
    auto d = parse_duration(arg);
    if (!d) return fail(d.error().message);
    r.kind = kind == "slack" ? JobRule::Kind::kSlack : JobRule::Kind::kWithin;
    r.after = *d;
    return r;
  }
  if (kind == "around") {
    r.kind = JobRule::Kind::kAround;
    const size_t slash = arg.find('/');
    auto b = parse_duration(arg.substr(0, slash));
    auto a = slash == std::string_view::npos
                 ? b
                 : parse_duration(arg.substr(slash + 1));
    if (!b) return fail(b.error().message);
    if (!a) return fail(a.error().message);
    r.before = *b;
    r.after = *a;
    return r;
  }
  if (kind == "next-workday" && t[colon] == '@') {
    auto tod = parse_hhmm(arg);
    if (!tod) return fail(tod.error().message);
    r.kind = JobRule::Kind::kNextWorkday;
    r.time_of_day = *tod;
    return r;
  }
  if (kind == "weekly") {
    const size_t at = arg.find('@');
    if (at == std::string_view::npos) return fail();
    auto tod = parse_hhmm(arg.substr(at + 1));
    if (!tod) return fail(tod.error().message);
    r.kind = JobRule::Kind::kWeekly;
    r.time_of_day = *tod;
    const std::string_view days = arg.substr(0, at);
    size_t pos = 0;
    while (pos <= days.size()) {
      const size_t comma = std::min(days.find(',', pos), days.size());
      const std::string d = to_lower(trim(days.substr(pos, comma - pos)));
      const auto it = std::find(kDays.begin(), kDays.end(), d);
      if (it == kDays.end())
        return fail("unknown day \"" + d + "\" (mon..sun)");
      r.weekdays =
          static_cast<uint8_t>(r.weekdays | (1u << (it - kDays.begin())));
      pos = comma + 1;
    }
    return r;
  }
  if (kind == "deadline") {
    auto d = parse_local(arg, tz);
    if (!d) return fail(d.error().message);
    r.kind = JobRule::Kind::kDeadline;
    r.deadline = *d;
    return r;
  }
  return fail();
}

JobWindow resolve_window(const JobRule& r, UtcTime nominal, Duration duration,
                         const TimeZone& tz) {
  switch (r.kind) {
    case JobRule::Kind::kSlack:
      return {nominal, nominal + duration + r.after};
    case JobRule::Kind::kWithin:
      return {nominal, nominal + r.after};
    case JobRule::Kind::kAround:
      return {nominal - r.before, nominal + r.after + duration};
    case JobRule::Kind::kDeadline:
      return {nominal, r.deadline};
    case JobRule::Kind::kNextWorkday: {
      long long d = local_days(nominal, tz) + 1;
      while (weekday_from_monday(d) >= 5) ++d;
      return {nominal, tz.from_local(d, r.time_of_day)};
    }
    case JobRule::Kind::kWeekly: {
      const UtcTime done = nominal + duration;
      const long long d0 = local_days(done, tz);
      for (long long d = d0; d <= d0 + 8; ++d) {
        if (!(r.weekdays >> weekday_from_monday(d) & 1u)) continue;
        const UtcTime t = tz.from_local(d, r.time_of_day);
        if (t >= done) return {nominal, t};
      }
      return {nominal,
              nominal};  // no weekday set: never (parse_job_rule sets one)
    }
  }
  return {nominal, nominal};
}

Result<StartSchedule> parse_start_schedule(std::string_view text) {
  const std::string_view t = trim(text);
  StartSchedule s;
  s.text = std::string(t);
  auto fail = [&](const std::string& why = "") {
    return make_error((why.empty() ? "" : why + "; ") +
                      "expected daily@HH:MM, weekdays@HH:MM or cron:MIN HOUR "
                      "DOM MON DOW, got \"" +
                      std::string(t) + "\"");
  };
  std::string cron;
  if (t.starts_with("daily@") || t.starts_with("weekdays@")) {
    const std::string_view hm = t.substr(t.find('@') + 1);
    const size_t colon = hm.find(':');
    if (colon == std::string_view::npos) return fail();
    cron = std::string(hm.substr(colon + 1)) + " " +
           std::string(hm.substr(0, colon)) + " * * " +
           (t.starts_with("daily") ? "*" : "1-5");
  } else if (t.starts_with("cron:")) {
    cron = std::string(t.substr(5));
  } else {
    return fail();
  }
  std::vector<std::string_view> f;
  {
    std::string_view c = cron;
    size_t pos = 0;
    while (pos < c.size()) {
      while (pos < c.size() && c[pos] == ' ') ++pos;
      if (pos >= c.size()) break;
      const size_t end = std::min(c.find(' ', pos), c.size());
      f.push_back(c.substr(pos, end - pos));
      pos = end;
    }
  }
  if (f.size() != 5) return fail("a cron rule has 5 fields");
  auto mi = cron_field(f[0], 0, 59, "minute");
  auto h = cron_field(f[1], 0, 23, "hour");
  auto dom = cron_field(f[2], 1, 31, "day of month");
  auto mon = cron_field(f[3], 1, 12, "month");
  auto dow = cron_field(f[4], 0, 7, "day of week");
  for (const auto* r : {&mi, &h, &dom, &mon, &dow})
    if (!*r) return fail(r->error().message);
  s.minute_mask = {*mi};
  s.hours = static_cast<uint32_t>(*h);
  s.days_of_month = static_cast<uint32_t>(*dom);
  s.months = static_cast<uint16_t>(*mon);
  s.days_of_week = static_cast<uint8_t>((*dow & 0x7f) |
                                        ((*dow >> 7) & 1));  // 7 is Sunday too
  s.dom_any = f[2] == "*";
  s.dow_any = f[4] == "*";
  return s;
}

std::vector<UtcTime> schedule_times(const StartSchedule& s, UtcTime from,
                                    UtcTime to, const TimeZone& tz) {
  std::vector<UtcTime> out;
  if (to <= from) return out;
  const long long d0 = local_days(from, tz) - 1, d1 = local_days(to, tz) + 1;
  for (long long d = d0; d <= d1; ++d) {
    const UtcTime midnight_utc{std::chrono::days(d)};
    const CivilTime c = to_civil(midnight_utc);
    if (!(s.months >> c.month & 1u)) continue;
    const bool dom_ok = s.days_of_month >> c.day & 1u;
    const bool dow_ok = s.days_of_week >> weekday_from_sunday(d) & 1u;
    // cron: with both restricted, either matches; otherwise the restricted one.
    const bool day_ok =
        (s.dom_any || s.dow_any) ? (dom_ok && dow_ok) : (dom_ok || dow_ok);
    if (!day_ok) continue;
    for (unsigned h = 0; h < 24; ++h) {
      if (!(s.hours >> h & 1u)) continue;
      for (unsigned m = 0; m < 60; ++m) {
        if (!(s.minute_mask[0] >> m & 1u)) continue;
        const UtcTime t =
            tz.from_local(d, std::chrono::hours(h) + std::chrono::minutes(m));
        if (t >= from && t < to) out.push_back(t);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace greenrun::scheduling
