#include "greenrun/dashboard.h"

#include <algorithm>
#include <set>

#include "greenrun/queries.h"

namespace greenrun::engine {
namespace {

// The least-mean window of length `window` starting in [from, to - window]:
// candidates are `from` and every point start after it (the series' own
// boundaries, as Flexible Start aligns them); the earliest wins a tie.
void find_best_window(ZoneOutlook& z, UtcTime from, UtcTime to, Duration window) {
  std::vector<UtcTime> starts = {from};
  for (size_t i = 0; i < z.series.size(); ++i) {
    const UtcTime t = z.series.point(i).start;
    if (t > from && t + window <= to) starts.push_back(t);
  }
  for (const UtcTime s : starts) {
    auto m = z.series.mean(s, s + window);
    if (!m) continue;  // not covered
    if (!z.best_mean || m->grams_per_kwh() < z.best_mean->grams_per_kwh()) {
      z.best_mean = *m;
      z.best_start = s;
    }
  }
}

ZoneOutlook outlook(const std::string& zone, UtcTime now, const DashboardRequest& request, const Services& services) {
  ZoneOutlook z;
  z.zone = zone;
  auto f = forecast(ForecastRequest{zone, now, now + request.horizon, ForecastChoice{"store"}}, services);
  if (!f) {
    z.problem = f.error().message;
    return z;
  }
  z.series = std::move(f->series);
  z.label = std::move(f->label);
  z.warnings = std::move(f->warnings);
  for (size_t i = 0; i < z.series.size() && !z.estimate; ++i) z.estimate = z.series.point(i).estimated;
  if (z.label.find("typical profile") != std::string::npos) z.estimate = true;
  z.now_value = z.series.at(now);
  find_best_window(z, now, now + request.horizon, request.window);
  return z;
}

}  // namespace

Result<Dashboard> collect_dashboard(const DashboardRequest& request, const Services& services) {
  if (request.window <= Duration::zero() || request.horizon <= Duration::zero())
    return make_error(ErrorKind::kUsage, "the dashboard's window and horizon must be positive");
  if (request.window > request.horizon)
    return make_error(ErrorKind::kUsage, "the dashboard's best window must not be longer than its horizon");
  SystemClock system_clock;
  const Clock& clock = services.clock ? *services.clock : system_clock;

  Dashboard d;
  d.request = request;
  d.now = clock.utc_now();
  RunFilter filter;
  filter.limit = request.run_limit;
  auto runs = find_runs(filter, services);
  if (!runs) return std::unexpected(runs.error());
  d.runs = std::move(*runs);
  auto projects = run_totals("project", std::nullopt, services);
  if (!projects) return std::unexpected(projects.error());
  d.projects = std::move(*projects);
  d.live = read_live_runs(services.store_path, &d.problems);

  // Zones whose stored data (actual or forecast) reaches past now.
  auto stored = stored_series(services);
  if (!stored) return std::unexpected(stored.error());
  std::set<std::string> zones;
  for (const auto& s : *stored)
    if (s.last_end > d.now && s.first <= d.now + request.horizon) zones.insert(s.key.zone);
  for (const auto& zone : zones) {
    if (d.zones.size() == request.zone_limit) {
      ++d.zones_left_out;
      continue;
    }
    d.zones.push_back(outlook(zone, d.now, request, services));
  }
  return d;
}

}  // namespace greenrun::engine
