#include "greenrun/base/time_format.h"

#include <cstdio>
#include <string>

namespace greenrun {
namespace {

// Reads exactly n digits at pos; returns -1 if any is not a digit.
int digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, int m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29u : kDays[m - 1];
}

std::unexpected<Error> bad(std::string_view text, const char* what) {
  return make_error("expected an ISO 8601 date-time (" + std::string(what) +
                    "), got \"" + std::string(text.substr(0, 40)) + "\"");
}

}  // namespace

Result<UtcTime> parse_utc(std::string_view text, int default_offset_minutes) {
  std::string_view s = text;
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r'))
    s.remove_suffix(1);
  const int y = digits(s, 0, 4);
  if (y < 0 || s.size() < 10 || s[4] != '-' || s[7] != '-')
    return bad(text, "YYYY-MM-DD");
  const int mo = digits(s, 5, 2);
  const int d = digits(s, 8, 2);
  if (mo < 1 || mo > 12) return bad(text, "month 01-12");
  if (d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo))
    return bad(text, "a day that exists in that month");
  int h = 0, mi = 0, sec = 0, millis = 0;
  size_t pos = 10;
  int offset = default_offset_minutes;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ' && s[pos] != 't')
      return bad(text, "'T' or ' ' between date and time");
    ++pos;
    h = digits(s, pos, 2);
    if (h < 0 || pos + 5 > s.size() || s[pos + 2] != ':')
      return bad(text, "HH:MM");
    mi = digits(s, pos + 3, 2);
    if (mi < 0) return bad(text, "HH:MM");
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      sec = digits(s, pos + 1, 2);
      if (sec < 0) return bad(text, "HH:MM:SS");
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          millis += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
      }
    }
    if (h > 23 && !(h == 24 && mi == 0 && sec == 0)) return bad(text, "hour 00-23");
    if (mi > 59 || sec > 60) return bad(text, "minutes and seconds 00-59");
    if (pos < s.size()) {
      const char z = s[pos];
      if (z == 'Z' || z == 'z') {
        offset = 0;
        ++pos;
      } else if (z == '+' || z == '-') {
        const int oh = digits(s, pos + 1, 2);
        if (oh < 0) return bad(text, "offset +HH:MM");
        size_t mpos = pos + 3;
        if (mpos < s.size() && s[mpos] == ':') ++mpos;
        int om = 0;
        if (mpos < s.size()) {
          om = digits(s, mpos, 2);
          if (om < 0) return bad(text, "offset +HH:MM");
          mpos += 2;
        }
        if (oh > 18 || om > 59) return bad(text, "offset within +-18:00");
        offset = (z == '-' ? -1 : 1) * (oh * 60 + om);
        pos = mpos;
      } else if (z == ' ' && s.substr(pos) == " UTC") {
        offset = 0;
        pos = s.size();
      }
    }
    if (pos != s.size()) return bad(text, "nothing after the time zone");
  }
  const long long days = days_from_civil(y, static_cast<unsigned>(mo),
                                         static_cast<unsigned>(d));
  const long long secs = days * 86400LL + h * 3600LL + mi * 60LL + sec -
                         static_cast<long long>(offset) * 60LL;
  return UtcTime(Duration(secs * 1000LL + millis));
}

CivilTime to_civil(UtcTime t) {
  const long long ms = t.time_since_epoch().count();
  long long secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  long long z = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  long long sod = secs - z * 86400;
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const long long y = static_cast<long long>(yoe) + era * 400 + (m <= 2);
  return CivilTime{static_cast<int>(y), m, d, static_cast<unsigned>(sod / 3600),
                   static_cast<unsigned>(sod % 3600 / 60),
                   static_cast<unsigned>(sod % 60)};
}

std::string format_utc(UtcTime t) {
  const CivilTime c = to_civil(t);
  const long long ms = t.time_since_epoch().count();
  const long long frac = ((ms % 1000) + 1000) % 1000;
  char buf[40];
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03lldZ", c.year,
                  c.month, c.day, c.hour, c.minute, c.second, frac);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year,
                  c.month, c.day, c.hour, c.minute, c.second);
  }
  return buf;
}

}  // namespace greenrun
