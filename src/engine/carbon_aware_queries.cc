// The Carbon Aware SDK's queries over the store (include/greenrun/carbon_aware_queries.h):
// the snapshot, locations, emissions, best and averages. Forecasts and their
// rolling windows are in forecast_windows.cc.
#include "greenrun/carbon_aware_queries.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <sys/stat.h>

#include "engine/carbon_aware_snapshot.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/providers/provider_settings.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/queries.h"

namespace greenrun::engine {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Life-cycle before direct before marginal (the forecast loader's order).
int signal_rank(intensity::Signal s) {
  switch (s) {
    case intensity::Signal::kAverageLifecycle: return 0;
    case intensity::Signal::kAverageDirect: return 1;
    case intensity::Signal::kMarginal: return 2;
  }
  return 3;
}

std::unexpected<QueryProblem> problem(QueryProblem::Kind kind, std::string parameter, std::string message) {
  return std::unexpected<QueryProblem>(QueryProblem{kind, std::move(parameter), std::move(message)});
}

std::unexpected<QueryProblem> invalid(std::string parameter, std::string message) {
  return problem(QueryProblem::Kind::kInvalid, std::move(parameter), std::move(message));
}

// What the store file looks like now: any write changes the WAL or the file.
std::string fingerprint(const std::string& path) {
  std::string out;
  for (const std::string& p : {path, path + "-wal"}) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0)
      out += std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + ";";
    else
      out += "-;";
  }
  return out;
}

}  // namespace

size_t first_point_ending_after(const intensity::IntensitySeries& s, UtcTime t) {
  size_t lo = 0, hi = s.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (s.point(mid).end() > t)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

CarbonAwareQueries::CarbonAwareQueries(QuerySources sources) : sources_(std::move(sources)) {
  const auto& catalogue = intensity::ZoneCatalogue::embedded();
  std::map<std::string, int> uses;  // bare region name -> providers using it
  for (const auto& r : catalogue.regions()) ++uses[lower(r.region)];
  for (const auto& r : catalogue.regions()) {
    ApiLocation l;
    l.name = uses[lower(r.region)] == 1 ? std::string(r.region)
                                        : std::string(r.provider) + ":" + std::string(r.region);
    l.zone = std::string(r.zone);
    l.latitude = r.latitude;
    l.longitude = r.longitude;
    locations_.push_back(std::move(l));
  }
  for (const auto& z : catalogue.zones()) {
    if (uses.contains(lower(z.id))) continue;  // a region of that name wins
    locations_.push_back(ApiLocation{std::string(z.id), std::string(z.id), std::nullopt, std::nullopt});
  }
  std::sort(locations_.begin(), locations_.end(),
            [](const ApiLocation& a, const ApiLocation& b) { return lower(a.name) < lower(b.name); });
}

CarbonAwareQueries::~CarbonAwareQueries() = default;

QueryResult<std::unique_ptr<CarbonAwareQueries>> CarbonAwareQueries::open(QuerySources sources) {
  std::unique_ptr<CarbonAwareQueries> q(new CarbonAwareQueries(std::move(sources)));
  const auto env = q->sources_.env ? intensity::EnvLookup(q->sources_.env) : intensity::process_environment();
  auto settings = intensity::load_provider_settings(env, std::nullopt);
  if (!settings) return problem(QueryProblem::Kind::kFailure, "", settings.error().message);
  if (settings->forecast_provider && *settings->forecast_provider != "store")
    q->live_provider_ = *settings->forecast_provider;
  auto first = q->reload();
  if (!first) return std::unexpected(first.error());
  q->snapshot_ = std::move(*first);
  q->checked_ = std::chrono::steady_clock::now();
  return q;
}

UtcTime CarbonAwareQueries::now() const {
  if (sources_.clock) return sources_.clock->utc_now();
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

QueryResult<std::shared_ptr<const CarbonAwareQueries::Snapshot>> CarbonAwareQueries::reload() const {
  auto snap = std::make_shared<Snapshot>();
  snap->fingerprint = fingerprint(sources_.store_path);
  Services services;
  services.store_path = sources_.store_path;
  services.clock = sources_.clock;
  auto listed = stored_series(services);
  if (!listed) return problem(QueryProblem::Kind::kFailure, "", listed.error().message);
  // The best key per zone and origin.
  std::map<std::pair<std::string, intensity::Origin>, intensity::StoredSeriesInfo> chosen;
  for (const auto& info : *listed) {
    if (info.key.origin == intensity::Origin::kTypical || info.points == 0) continue;
    const auto k = std::make_pair(upper(info.key.zone), info.key.origin);
    auto it = chosen.find(k);
    if (it == chosen.end() || signal_rank(info.key.signal) < signal_rank(it->second.key.signal))
      chosen[k] = info;
  }
  for (const auto& [k, info] : chosen) {
    auto got = intensity(IntensityRequest{info.key.zone, info.first, info.last_end, info.key.origin, info.key.signal},
                         services);
    if (!got) return problem(QueryProblem::Kind::kFailure, "", got.error().message);
    ZoneData& z = snap->zones[k.first];
    z.zone = info.key.zone;
    (k.second == intensity::Origin::kForecast ? z.forecast : z.actual) = std::move(got->series);
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

std::shared_ptr<const CarbonAwareQueries::Snapshot> CarbonAwareQueries::snapshot() const {
  const SteadyTime t = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(mutex_);
    if (t - checked_ < sources_.refresh_interval) return snapshot_;
  }
  // One thread checks the file; the others keep answering from the old snapshot.
  std::unique_lock reloading(reload_mutex_, std::try_to_lock);
  std::shared_ptr<const Snapshot> current;
  {
    std::shared_lock lock(mutex_);
    current = snapshot_;
  }
  if (!reloading.owns_lock()) return current;
  std::shared_ptr<const Snapshot> next = current;
  if (fingerprint(sources_.store_path) != current->fingerprint) {
    auto loaded = reload();
    if (loaded) next = std::move(*loaded);  // a failed re-read keeps the last good data
  }
  std::unique_lock lock(mutex_);
  snapshot_ = next;
  checked_ = t;
  return next;
}

QueryResult<ApiLocation> CarbonAwareQueries::resolve(const std::string& name) const {
  const std::string key = lower(name);
  auto it = std::lower_bound(locations_.begin(), locations_.end(), key,
                             [](const ApiLocation& l, const std::string& k) { return lower(l.name) < k; });
  if (it != locations_.end() && lower(it->name) == key) return *it;
  const auto& catalogue = intensity::ZoneCatalogue::embedded();
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    if (const auto* r = catalogue.find_region(name.substr(0, colon), name.substr(colon + 1)))
      return ApiLocation{std::string(r->provider) + ":" + std::string(r->region), std::string(r->zone), r->latitude,
                         r->longitude};
  }
  const auto snap = snapshot();
  if (auto z = snap->zones.find(upper(name)); z != snap->zones.end())
    return ApiLocation{z->second.zone, z->second.zone, std::nullopt, std::nullopt};
  return invalid("location", "unknown location '" + name +
                                 "': expected a cloud region or a grid zone (GET /locations lists them)");
}

std::vector<ApiLocation> CarbonAwareQueries::locations() const {
  std::vector<ApiLocation> out = locations_;
  const auto snap = snapshot();
  for (const auto& [key, z] : snap->zones) {
    const bool known = std::any_of(out.begin(), out.end(), [&](const ApiLocation& l) { return upper(l.name) == key; });
    if (!known) out.push_back(ApiLocation{z.zone, z.zone, std::nullopt, std::nullopt});
  }
  return out;
}

namespace {

struct Range {
  UtcTime start{};
  UtcTime end{};
};

// The checks and defaults of bylocation(s); the locations resolved in order.
QueryResult<Range> emissions_range(const EmissionsRequest& request, UtcTime now) {
  if (request.locations.empty()) return invalid("location", "The location field is required.");
  if (request.to_time && !request.time) return invalid("toTime", "toTime requires time");
  const UtcTime start = request.time.value_or(now);
  const UtcTime end = request.to_time.value_or(start);
  if (start > end)
    return invalid("time", "time (" + format_utc(start) + ") must be before toTime (" + format_utc(end) + ")");
  return Range{start, end};
}

// Calls visit(location index, point) for every point of every location
// overlapping the range: [t, t + d) with t + d > start and t <= end.
template <typename Visit>
void for_each_point(const CarbonAwareQueries::Snapshot& snap, const std::vector<ApiLocation>& locations,
                           Range r, Visit visit) {
  for (size_t l = 0; l < locations.size(); ++l) {
    const auto z = snap.zones.find(upper(locations[l].zone));
    if (z == snap.zones.end()) continue;
    const auto& s = z->second.actual;
    for (size_t i = first_point_ending_after(s, r.start); i < s.size(); ++i) {
      const auto p = s.point(i);
      if (p.start > r.end) break;
      visit(l, p);
    }
  }
}

}  // namespace

QueryResult<std::vector<EmissionsPoint>> CarbonAwareQueries::emissions(const EmissionsRequest& request) const {
  auto range = emissions_range(request, now());
  if (!range) return std::unexpected(range.error());
  std::vector<ApiLocation> resolved;
  for (const auto& name : request.locations) {
    auto l = resolve(name);
    if (!l) return std::unexpected(l.error());
    resolved.push_back(std::move(*l));
  }
  std::vector<EmissionsPoint> out;
  bool too_many = false;
  for_each_point(*snapshot(), resolved, *range, [&](size_t l, const intensity::IntensityPoint& p) {
    if (out.size() == kMaxEmissionsPoints) {
      too_many = true;
      return;
    }
    out.push_back(EmissionsPoint{resolved[l].name, p.start, p.duration, p.value.grams_per_kwh()});
  });
  if (too_many)
    return invalid("toTime", "the range holds more than " + std::to_string(kMaxEmissionsPoints) +
                                 " points for these locations; ask for a shorter range (time, toTime)");
  return out;
}

QueryResult<std::vector<EmissionsPoint>> CarbonAwareQueries::best(const EmissionsRequest& request) const {
  auto range = emissions_range(request, now());
  if (!range) return std::unexpected(range.error());
  std::vector<ApiLocation> resolved;
  for (const auto& name : request.locations) {
    auto l = resolve(name);
    if (!l) return std::unexpected(l.error());
    resolved.push_back(std::move(*l));
  }
  // One pass keeps the points at the least rating seen so far (no copy of the rest).
  const auto snap = snapshot();
  std::vector<std::pair<size_t, intensity::IntensityPoint>> least;
  for_each_point(*snap, resolved, *range, [&](size_t l, const intensity::IntensityPoint& p) {
    if (!least.empty() && p.value > least.front().second.value) return;
    if (!least.empty() && p.value < least.front().second.value) least.clear();
    least.emplace_back(l, p);
  });
  std::vector<EmissionsPoint> out;
  out.reserve(least.size());
  for (const auto& [l, p] : least)
    out.push_back(EmissionsPoint{resolved[l].name, p.start, p.duration, p.value.grams_per_kwh()});
  return out;
}

QueryResult<AverageIntensity> CarbonAwareQueries::average(const AverageRequest& request) const {
  if (request.location.empty()) return invalid("location", "The location field is required.");
  if (!request.start_time) return invalid("startTime", "The startTime field is required.");
  if (!request.end_time) return invalid("endTime", "The endTime field is required.");
  const UtcTime a = *request.start_time, b = *request.end_time;
  if (a >= b)
    return invalid("startTime", "startTime (" + format_utc(a) + ") must be before endTime (" + format_utc(b) + ")");
  auto l = resolve(request.location);
  if (!l) return std::unexpected(l.error());
  const auto snap = snapshot();
  const auto z = snap->zones.find(upper(l->zone));
  if (z == snap->zones.end() || z->second.actual.empty())
    return invalid("location", "no actual data for " + l->name + " (zone " + l->zone + ") in the store");
  const auto& s = z->second.actual;
  const std::string covered = " (data for " + l->name + " covers " + format_utc(s.start()) + " to " +
                              format_utc(s.end()) + ")";
  if (a < s.start()) return invalid("startTime", "startTime is before the data" + covered);
  if (b > s.end()) return invalid("endTime", "endTime is after the data" + covered);
  auto mean = s.mean(a, b);
  if (!mean) return invalid("startTime", "the data has a gap in [startTime, endTime): " + mean.error().message);
  return AverageIntensity{l->name, a, b, mean->grams_per_kwh()};
}

std::vector<CarbonAwareQueries::ZoneNow> CarbonAwareQueries::current_intensities() const {
  const UtcTime t = now();
  const auto snap = snapshot();
  std::vector<ZoneNow> out;
  for (const auto& [key, z] : snap->zones) {
    for (const auto* s : {&z.actual, &z.forecast}) {
      if (auto v = s->at(t)) {
        out.push_back(ZoneNow{z.zone, s->signal(), s->origin(), v->grams_per_kwh()});
        break;
      }
    }
  }
  return out;
}

}  // namespace greenrun::engine
