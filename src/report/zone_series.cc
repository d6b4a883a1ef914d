#include "report/zone_series.h"

#include <fmt/format.h>

#include <algorithm>

#include "greenrun/queries.h"

namespace greenrun::report {

std::string resolution_of(const intensity::IntensitySeries& s) {
  if (s.empty()) return "";
  std::vector<int64_t> steps;
  steps.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i)
    steps.push_back(s.point(i).duration.count());
  std::nth_element(
      steps.begin(),
      steps.begin() + static_cast<std::ptrdiff_t>(steps.size() / 2),
      steps.end());
  const int64_t ms = steps[steps.size() / 2];
  if (ms == 3'600'000) return "hourly";
  if (ms == 86'400'000) return "daily";
  if (ms % 3'600'000 == 0) return fmt::format("{} h", ms / 3'600'000);
  if (ms % 60'000 == 0) return fmt::format("{} min", ms / 60'000);
  return fmt::format("{} s", static_cast<double>(ms) / 1000.0);
}

std::optional<intensity::IntensitySeries> stored_series(
    const std::string& store_path, const std::string& zone, UtcTime from,
    UtcTime to, std::string* problem) {
  if (zone.empty() || from >= to) return std::nullopt;
  engine::Services services;
  services.store_path = store_path;
  for (const auto origin :
       {intensity::Origin::kActual, intensity::Origin::kForecast}) {
    engine::IntensityRequest request;
    request.location = zone;
    request.from = from;
    request.to = to;
    request.origin = origin;
    request.signal = intensity::Signal::kAverageLifecycle;
    auto got = engine::intensity(request, services);
    if (!got) {
      if (problem) *problem = got.error().message;
      return std::nullopt;
    }
    if (!got->series.empty()) return std::move(got->series);
  }
  return std::nullopt;
}

std::map<std::string, ZoneFacts> zone_facts(
    const std::string& store_path, const std::vector<runner::RunRecord>& runs) {
  std::map<std::string, std::pair<UtcTime, UtcTime>> spans;
  for (const auto& r : runs) {
    auto [it, fresh] = spans.try_emplace(r.zone, r.started, r.ended);
    if (!fresh) {
      it->second.first = std::min(it->second.first, r.started);
      it->second.second = std::max(it->second.second, r.ended);
    }
  }
  std::map<std::string, ZoneFacts> out;
  for (const auto& [zone, span] : spans) {
    const UtcTime to = std::max(span.second, span.first + Duration(1));
    const auto s = stored_series(store_path, zone, span.first, to);
    if (!s) continue;
    ZoneFacts f;
    f.resolution = resolution_of(*s);
    for (size_t i = 0; i < s->size(); ++i) {
      const auto days =
          std::chrono::floor<std::chrono::days>(s->point(i).start);
      const int y = static_cast<int>(std::chrono::year_month_day(days).year());
      if (std::find(f.years.begin(), f.years.end(), y) == f.years.end())
        f.years.push_back(y);
    }
    out[zone] = std::move(f);
  }
  return out;
}

}  // namespace greenrun::report
