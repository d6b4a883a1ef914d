#include "intensity/providers/provider_json.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "greenrun/base/time_format.h"
#include "greenrun/intensity/providers/http_client.h"

namespace greenrun::intensity {

Result<nlohmann::json> parse_json_body(std::string_view text, const std::string& name) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    if (text.empty()) return make_error(name + ": empty body, expected JSON");
    if (e.byte >= text.size())
      return make_error(name + ": truncated body: JSON ends early at byte " + std::to_string(text.size()));
    std::string seen(text.substr(e.byte > 0 ? e.byte - 1 : 0, 20));
    for (char& c : seen)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return make_error(name + ": not JSON at byte " + std::to_string(e.byte) + " (near \"" + seen + "\")");
  }
}

std::string json_kind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

Result<std::optional<double>> number_or_null(const nlohmann::json& parent, std::string_view key,
                                             const std::string& path) {
  const auto it = parent.find(key);
  const std::string where = path + "." + std::string(key);
  if (it == parent.end()) return make_error(where + ": missing; expected a number or null");
  if (it->is_null()) return std::optional<double>{};
  if (!it->is_number()) return make_error(where + ": expected a number or null, got " + json_kind(*it));
  const double v = it->get<double>();
  if (!std::isfinite(v)) return make_error(where + ": expected a finite number");
  return std::optional<double>{v};
}

Result<std::string> required_string(const nlohmann::json& parent, std::string_view key, const std::string& path) {
  const auto it = parent.find(key);
  const std::string where = path + "." + std::string(key);
  if (it == parent.end()) return make_error(where + ": missing; expected a string");
  if (!it->is_string()) return make_error(where + ": expected a string, got " + json_kind(*it));
  return it->get<std::string>();
}

Result<UtcTime> required_time(const nlohmann::json& parent, std::string_view key, const std::string& path) {
  auto s = required_string(parent, key, path);
  if (!s) return std::unexpected(s.error());
  auto t = parse_utc(*s);
  if (!t) return make_error(path + "." + std::string(key) + ": " + t.error().message);
  return *t;
}

Duration infer_step(const std::vector<ApiPoint>& sorted, Duration fallback) {
  std::map<Duration::rep, size_t> counts;
  for (size_t i = 1; i < sorted.size(); ++i) {
    const Duration gap = sorted[i].start - sorted[i - 1].start;
    if (gap > Duration(0)) ++counts[gap.count()];
  }
  if (counts.empty()) return fallback;
  const auto best = std::max_element(counts.begin(), counts.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
  return Duration(best->first);
}

Result<IntensitySeries> build_series(const std::string& zone, Signal signal, Origin origin,
                                     std::vector<ApiPoint> points, Duration step, Provenance provenance,
                                     size_t* duplicates) {
  std::stable_sort(points.begin(), points.end(),
                   [](const ApiPoint& a, const ApiPoint& b) { return a.start < b.start; });
  IntensitySeries s(zone, signal, origin);
  s.set_provenance(std::move(provenance));
  s.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const ApiPoint& p = points[i];
    if (i > 0 && p.start == points[i - 1].start) {
      if (duplicates) ++*duplicates;
      continue;
    }
    Duration d = p.duration > Duration(0) ? p.duration : step;
    size_t next = i + 1;
    while (next < points.size() && points[next].start == p.start) ++next;
    if (next < points.size() && p.start + d > points[next].start) d = points[next].start - p.start;
    if (auto st = s.append(p.start, d, CarbonIntensity::grams_per_kwh(p.g_per_kwh), p.estimated); !st)
      return make_error("point at " + format_utc(p.start) + ": " + st.error().message);
  }
  return s;
}

Status SeriesBatch::merge(SeriesBatch other) {
  points += other.points;
  missing += other.missing;
  duplicates += other.duplicates;
  for (IntensitySeries& s : other.series) {
    auto same = std::find_if(series.begin(), series.end(), [&](const IntensitySeries& t) {
      return t.zone() == s.zone() && t.signal() == s.signal() && t.origin() == s.origin();
    });
    if (same == series.end() || same->empty()) {
      if (same != series.end()) *same = std::move(s);
      else series.push_back(std::move(s));
      continue;
    }
    for (const IntensityPoint& p : s.points()) {
      if (p.start < same->end()) {  // chunk boundaries may repeat a point
        ++duplicates;
        --points;
        continue;
      }
      if (auto st = same->append(p.start, p.duration, p.value, p.estimated); !st)
        return make_error("merging chunks at " + format_utc(p.start) + ": " + st.error().message);
    }
  }
  return {};
}

SeriesBatch to_batch(ImportResult result, std::string_view source) {
  SeriesBatch batch;
  batch.missing = result.missing_values;
  for (IntensitySeries& s : result.series) {
    if (s.empty()) continue;
    Provenance p = s.provenance();
    p.source = std::string(source);
    s.set_provenance(std::move(p));
    batch.points += s.size();
    batch.series.push_back(std::move(s));
  }
  return batch;
}

void stamp_fetch(SeriesBatch& batch, const std::string& url, UtcTime fetched_at) {
  for (IntensitySeries& s : batch.series) {
    Provenance p = s.provenance();
    p.origin = redact_url(url);
    const std::string when = "fetched " + format_utc(fetched_at);
    p.note = p.note.empty() ? when : when + "; " + p.note;
    s.set_provenance(std::move(p));
  }
}

}  // namespace greenrun::intensity
