#include "greenrun/base/quantity_parse.h"

#include <charconv>
#include <cmath>
#include <string>

#include "greenrun/base/text_reader.h"

namespace greenrun {
namespace {

// Parses a leading number; returns the rest.
Result<std::pair<double, std::string_view>> leading_number(std::string_view s,
                                                           std::string_view what) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) {
    return make_error("expected " + std::string(what) + ", got \"" +
                      std::string(s) + "\"");
  }
  return std::pair{v, trim(s.substr(static_cast<size_t>(ptr - s.data())))};
}

}  // namespace

Result<double> parse_number(std::string_view text) {
  auto r = leading_number(text, "a number");
  if (!r) return make_error(r.error().message);
  if (!r->second.empty())
    return make_error("expected a number, got \"" + std::string(trim(text)) + "\"");
  return r->first;
}

Result<Duration> parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  auto fail = [&] {
    return make_error("expected a duration such as 6h, 90m, 1h30m, 45s or 08:00:00, got \"" +
                      std::string(s) + "\"");
  };
  if (s.empty()) return fail();
  if (s.find(':') != std::string_view::npos) {
    // TimeSpan: [d.]hh:mm:ss[.fff]
    long long days = 0;
    std::string_view rest = s;
    const auto colon = rest.find(':');
    const auto dot = rest.find('.');
    if (dot != std::string_view::npos && dot < colon) {
      auto d = parse_number(rest.substr(0, dot));
      if (!d || *d < 0) return fail();
      days = static_cast<long long>(*d);
      rest = rest.substr(dot + 1);
    }
    const auto c1 = rest.find(':');
    const auto c2 = rest.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return fail();
    auto h = parse_number(rest.substr(0, c1));
    auto m = parse_number(rest.substr(c1 + 1, c2 - c1 - 1));
    auto sec = parse_number(rest.substr(c2 + 1));
    if (!h || !m || !sec || *h < 0 || *m < 0 || *sec < 0 || *m >= 60 || *sec >= 60)
      return fail();
    const double ms = ((static_cast<double>(days) * 24 + *h) * 3600 + *m * 60 + *sec) * 1000;
    return Duration(static_cast<long long>(std::llround(ms)));
  }
  double total_ms = 0;
  std::string_view rest = s;
  while (!rest.empty()) {
    auto r = leading_number(rest, "a duration such as 6h");
    if (!r) return fail();
    auto [v, after] = *r;
    if (v < 0) return fail();
    size_t n = 0;
    while (n < after.size() && ((after[n] >= 'a' && after[n] <= 'z') ||
                                (after[n] >= 'A' && after[n] <= 'Z')))
      ++n;
    const std::string_view unit = after.substr(0, n);
    double scale = 0;
    if (iequals(unit, "ms")) scale = 1;
    else if (iequals(unit, "s") || iequals(unit, "sec")) scale = 1e3;
    else if (iequals(unit, "m") || iequals(unit, "min")) scale = 60e3;
    else if (iequals(unit, "h") || iequals(unit, "hr")) scale = 3600e3;
    else if (iequals(unit, "d")) scale = 86400e3;
    else if (iequals(unit, "w")) scale = 7 * 86400e3;
    else return fail();
    total_ms += v * scale;
    rest = trim(after.substr(n));
  }
  return Duration(static_cast<long long>(std::llround(total_ms)));
}

Result<Power> parse_power(std::string_view text) {
  auto r = leading_number(text, "a power such as 300W or 0.3kW");
  if (!r || r->first < 0)
    return make_error("expected a power such as 300W or 0.3kW, got \"" +
                      std::string(trim(text)) + "\"");
  const auto unit = r->second;
  if (iequals(unit, "w")) return Power::watts(r->first);
  if (iequals(unit, "kw")) return Power::kilowatts(r->first);
  if (iequals(unit, "mw") && unit[0] == 'M') return Power::watts(r->first * 1e6);
  return make_error("expected a power unit W or kW, got \"" + std::string(trim(text)) + "\"");
}

Result<Energy> parse_energy(std::string_view text) {
  auto r = leading_number(text, "an energy such as 3.1kWh");
  if (!r || r->first < 0)
    return make_error("expected an energy such as 3.1kWh, 500Wh or 12J, got \"" +
                      std::string(trim(text)) + "\"");
  const double v = r->first;
  const auto u = r->second;
  if (u == "J" || u == "j") return Energy::joules(v);
  if (u == "kJ" || u == "kj") return Energy::joules(v * 1e3);
  if (u == "MJ") return Energy::joules(v * 1e6);
  if (u == "mJ") return Energy::millijoules(v);
  if (iequals(u, "wh")) return Energy::watt_hours(v);
  if (iequals(u, "kwh")) return Energy::kilowatt_hours(v);
  if (u == "MWh") return Energy::kilowatt_hours(v * 1e3);
  return make_error("expected an energy unit J, kJ, MJ, Wh, kWh or MWh, got \"" +
                    std::string(trim(text)) + "\"");
}

std::string format_duration(Duration d) {
  long long ms = d.count();
  if (ms < 0) {
    // Built with append: g++ 12 at -O3 warns falsely (-Wrestrict) on "-" + string.
    std::string neg("-");
    neg.append(format_duration(Duration(-ms)));
    return neg;
  }
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  const long long days = ms / 86400000;
  ms %= 86400000;
  const long long h = ms / 3600000;
  ms %= 3600000;
  const long long m = ms / 60000;
  ms %= 60000;
  const long long s = ms / 1000;
  if (days) out += std::to_string(days) + "d";
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  return out.empty() ? "0s" : out;
}

}  // namespace greenrun
