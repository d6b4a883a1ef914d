#include "intensity/importers/raw_points.h"

#include <charconv>
#include <cstdio>
#include <cmath>
#include <map>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "intensity/importers/json_walk.h"

namespace greenrun::intensity {

Result<int64_t> step_from_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds * 1000.0 < 1.0 || seconds * 1000.0 > static_cast<double>(kMaxStepMs)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", seconds);
    return make_error(std::string("expected a step between 0.001 s and 366 days, got ") + buf + " s");
  }
  return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

Status check_plausible(double g_per_kwh) {
  if (std::isfinite(g_per_kwh) && g_per_kwh >= 0.0 && g_per_kwh <= kMaxPlausibleGPerKwh) return {};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", g_per_kwh);
  return make_error(std::string("expected an intensity between 0 and 5000 g/kWh, got ") + buf + " g/kWh");
}

Status check_quotes_closed(std::string_view record, const std::string& name, size_t line) {
  size_t quotes = 0;
  for (char c : record) quotes += c == '"' ? 1 : 0;
  if (quotes % 2 == 0) return {};
  return make_error(name + ":" + std::to_string(line) +
                    ": a quoted field opened on this line is never closed (expected a closing \", got the end of "
                    "the file)");
}

int64_t commonest_gap_ms(std::span<const RawPoint> points) {
  std::map<int64_t, size_t> counts;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const int64_t gap = points[i + 1].start_ms - points[i].start_ms;
    if (gap > 0) ++counts[gap];
  }
  int64_t best = 0;
  size_t best_count = 0;
  for (const auto& [gap, n] : counts)  // ascending, so ties keep the shorter gap
    if (n > best_count) {
      best = gap;
      best_count = n;
    }
  return best;
}

Status fill_missing_durations(std::span<RawPoint> points, const PointLocator& where) {
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].duration_ms != 0) continue;
    if (i + 1 < points.size()) {
      const int64_t gap = points[i + 1].start_ms - points[i].start_ms;
      if (gap <= 0)
        return make_error(where(points[i + 1].ref) + ": expected a time after " +
                          format_utc(UtcTime(Duration(points[i].start_ms))) + " (timestamps must increase), got " +
                          format_utc(UtcTime(Duration(points[i + 1].start_ms))));
      if (gap > kMaxStepMs)
        return make_error(where(points[i].ref) + ": the gap to the next row (" +
                          format_utc(UtcTime(Duration(points[i + 1].start_ms))) +
                          ") is over 366 days; give the step explicitly");
      points[i].duration_ms = gap;
    } else if (i > 0) {
      points[i].duration_ms = points[i - 1].duration_ms;
    } else {
      return make_error(where(points[i].ref) + ": a single row without a step; give the step explicitly");
    }
  }
  return {};
}

Result<size_t> append_points(IntensitySeries& series, std::span<const RawPoint> points, const PointLocator& where) {
  size_t shortened = 0;
  series.reserve(series.size() + points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    int64_t d = points[i].duration_ms;
    if (i + 1 < points.size()) {
      const int64_t gap = points[i + 1].start_ms - points[i].start_ms;
      if (gap > 0 && gap < d) {
        d = gap;
        ++shortened;
      }
    }
    if (auto plausible = check_plausible(points[i].g_per_kwh); !plausible)
      return make_error(where(points[i].ref) + ": " + plausible.error().message);
    auto ok = series.append(UtcTime(Duration(points[i].start_ms)), Duration(d),
                            CarbonIntensity::grams_per_kwh(points[i].g_per_kwh), points[i].estimated);
    if (!ok) return make_error(where(points[i].ref) + ": " + ok.error().message);
  }
  return shortened;
}

bool parse_decimal(std::string_view s, double& v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(v);
}

Result<Duration> parse_timespan(std::string_view text) {
  const std::string_view s = trim(text);
  auto fail = [&] {
    return make_error("expected a TimeSpan such as \"00:05:00\", \"01:00\" or \"1.00:00:00\", got \"" +
                      printable(s, 40) + "\"");
  };
  auto whole = [](std::string_view t, long long& out, long long max) {
    if (t.empty() || t.size() > 8) return false;
    out = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return out <= max;
  };
  if (s.empty()) return fail();
  long long days = 0, h = 0, m = 0, sec = 0, frac_ms = 0;
  const size_t c1 = s.find(':');
  if (c1 == std::string_view::npos) {
    if (!whole(s, days, 10675199)) return fail();  // a bare number is days in .NET
  } else {
    std::string_view head = s.substr(0, c1);
    const size_t dot = head.find('.');
    if (dot != std::string_view::npos) {
      if (!whole(head.substr(0, dot), days, 10675199)) return fail();
      head = head.substr(dot + 1);
    }
    if (!whole(head, h, 23)) return fail();
    std::string_view rest = s.substr(c1 + 1);
    const size_t c2 = rest.find(':');
    if (!whole(rest.substr(0, c2), m, 59)) return fail();
    if (c2 != std::string_view::npos) {
      std::string_view secs = rest.substr(c2 + 1);
      const size_t fdot = secs.find('.');
      if (fdot != std::string_view::npos) {
        const std::string_view f = secs.substr(fdot + 1);
        if (f.empty() || f.size() > 7) return fail();
        long long scale = 100;
        for (char c : f) {
          if (c < '0' || c > '9') return fail();
          frac_ms += (c - '0') * scale;
          scale /= 10;
        }
        secs = secs.substr(0, fdot);
      }
      if (!whole(secs, sec, 59)) return fail();
    }
  }
  return Duration((((days * 24 + h) * 60 + m) * 60 + sec) * 1000 + frac_ms);
}

Result<double> intensity_unit_factor(std::string_view unit) {
  std::string u = to_lower(trim(unit));
  // Normalise "co₂" and spaces: "g CO2eq / kWh" == "gco2eq/kwh".
  std::string n;
  for (size_t i = 0; i < u.size(); ++i) {
    if (u[i] == ' ') continue;
    if (static_cast<unsigned char>(u[i]) == 0xE2 && i + 2 < u.size() &&
        static_cast<unsigned char>(u[i + 1]) == 0x82 && static_cast<unsigned char>(u[i + 2]) == 0x82) {
      n.push_back('2');
      i += 2;
      continue;
    }
    n.push_back(u[i]);
  }
  for (std::string_view g : {"g/kwh", "gco2/kwh", "gco2e/kwh", "gco2eq/kwh", "kg/mwh", "g_co2_per_kwh"})
    if (n == g) return 1.0;
  for (std::string_view l : {"lbs/mwh", "lb/mwh", "lbs_co2_per_mwh", "lbsco2/mwh"})
    if (n == l) return CarbonIntensity::kLbsPerMwhToGPerKwh;
  for (std::string_view k : {"kg/kwh", "kgco2/kwh", "kgco2e/kwh"})
    if (n == k) return 1e3;
  for (std::string_view t : {"t/kwh", "tonnes/kwh", "tco2/kwh", "tco2e/kwh"})
    if (n == t) return 1e6;
  return make_error("expected a unit g/kWh, lbs/MWh, kg/kWh or t/kWh, got \"" + printable(unit, 40) + "\"");
}

Status check_zone(const std::optional<std::string>& wanted, std::string_view found, const std::string& where,
                  std::string_view what) {
  if (wanted && !iequals(*wanted, found))
    return make_error(where + ": " + std::string(what) + " \"" + printable(found, 60) + "\" contradicts --zone " +
                      *wanted);
  return {};
}

}  // namespace greenrun::intensity
