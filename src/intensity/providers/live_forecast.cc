#include "intensity/providers/live_forecast.h"
#include "intensity/providers/uk_carbon_intensity.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "intensity/store.h"

namespace greenrun::intensity {
namespace {

int64_t ms(UtcTime t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }
UtcTime at_ms(int64_t v) { return UtcTime(std::chrono::duration_cast<Duration>(std::chrono::milliseconds(v))); }

}  // namespace

Result<ForecastSpec> parse_forecast_spec(std::string_view text, const std::string& grid_zone) {
  const size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  const std::string where = colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1));
  auto provider = parse_provider(name);
  if (!provider)
    return make_error("forecast provider \"" + std::string(text) +
                      "\": expected uk, uk:POSTCODE, watttime:REGION, watttime:LAT,LON, electricitymaps, "
                      "electricitymaps:ZONE or electricitymaps:LAT,LON");
  ForecastSpec spec;
  spec.text = std::string(text);
  spec.grid_zone = grid_zone;
  spec.request.provider = *provider;
  spec.request.kind = FetchKind::kForecast;
  // "LAT,LON": WattTime finds the region (region-from-loc), Electricity Maps
  // the zone.
  if (const size_t comma = where.find(','); comma != std::string::npos && *provider != ProviderKind::kUk) {
    auto lat = parse_number(where.substr(0, comma));
    auto lon = parse_number(where.substr(comma + 1));
    if (!lat || !lon || !(*lat >= -90 && *lat <= 90) || !(*lon >= -180 && *lon <= 180))
      return make_error("forecast provider \"" + spec.text +
                        "\": expected a latitude,longitude in degrees such as 38.58,-121.49");
    spec.request.latitude = *lat;
    spec.request.longitude = *lon;
    if (auto st = validate(spec.request); !st)
      return make_error("forecast provider \"" + spec.text + "\": " + st.error().message);
    return spec;
  }
  switch (*provider) {
    case ProviderKind::kUk:
      if (!where.empty()) {
        // Checked here, so that the message names what the user typed (the
        // spec of --forecast-provider), not `intensity fetch`'s --postcode.
        if (auto pc = uk_outward_code(where); !pc)
          return make_error("forecast provider \"" + spec.text + "\": expected uk:POSTCODE such as uk:RG10; " +
                            pc.error().message);
        spec.request.postcode = where;
      }
      break;
    case ProviderKind::kWattTime:
      if (where.empty())
        return make_error("forecast provider \"" + spec.text +
                          "\": WattTime needs its region or a location, e.g. watttime:CAISO_NORTH or "
                          "watttime:38.58,-121.49");
      spec.request.zone = where;
      break;
    case ProviderKind::kElectricityMaps:
      if (!where.empty())
        spec.request.zone = where;
      else if (!grid_zone.empty())
        spec.request.zone = grid_zone;
      else
        return make_error("forecast provider \"" + spec.text +
                          "\": no zone: give electricitymaps:ZONE or the run's --zone");
      spec.request.signal = Signal::kAverageLifecycle;
      break;
  }
  if (auto st = validate(spec.request); !st) return make_error("forecast provider \"" + spec.text + "\": " + st.error().message);
  return spec;
}

int max_forecast_horizon_hours(ProviderKind provider) { return provider == ProviderKind::kUk ? 48 : 72; }

int forecast_horizon_hours(ProviderKind provider, UtcTime now, UtcTime to) {
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(to - now).count();
  const int64_t hour = 3'600'000;
  const int64_t hours = span <= 0 ? 1 : (span + hour - 1) / hour;
  return static_cast<int>(std::clamp<int64_t>(hours, 1, max_forecast_horizon_hours(provider)));
}

IntensitySeries layer_series(const std::vector<const IntensitySeries*>& layers, UtcTime from, UtcTime to) {
  IntensitySeries out;
  for (const IntensitySeries* l : layers)
    if (l && !l->empty()) {
      out = IntensitySeries(l->zone(), l->signal(), l->origin());
      out.set_provenance(l->provenance());
      break;
    }
  if (!(from < to)) return out;
  // filled: disjoint [start, end) in ms, keyed by start.
  std::map<int64_t, int64_t> filled;
  struct Piece {
    int64_t start, end;
    CarbonIntensity value;
    bool estimated;
  };
  std::vector<Piece> pieces;
  const int64_t lo = ms(from), hi = ms(to);
  for (const IntensitySeries* l : layers) {
    if (!l || l->empty()) continue;
    std::vector<Piece> added;
    for (size_t i = 0; i < l->size(); ++i) {
      const IntensityPoint p = l->point(i);
      int64_t a = ms(p.start);
      const int64_t b = ms(p.end());
      if (b <= lo || a >= hi) continue;  // whole points overlapping the window
      // Subtract what higher layers filled.
      auto it = filled.upper_bound(a);
      if (it != filled.begin()) {
        auto prev = std::prev(it);
        if (prev->second > a) a = prev->second;
      }
      while (a < b) {
        it = filled.lower_bound(a);
        const int64_t stop = it == filled.end() ? b : std::min(b, it->first);
        if (a < stop && stop > lo && a < hi) added.push_back({a, stop, p.value, p.estimated});
        if (it == filled.end() || it->first >= b) break;
        a = it->second;
      }
    }
    for (const Piece& pc : added) {
      filled[pc.start] = pc.end;
      pieces.push_back(pc);
    }
  }
  std::sort(pieces.begin(), pieces.end(), [](const Piece& x, const Piece& y) { return x.start < y.start; });
  out.reserve(pieces.size());
  for (const Piece& pc : pieces) {
    const Status st = out.append(at_ms(pc.start), at_ms(pc.end) - at_ms(pc.start), pc.value, pc.estimated);
    (void)st;  // disjoint and sorted by construction
  }
  return out;
}

IntensitySeries persistence_after(const IntensitySeries& s, UtcTime to, Duration period) {
  IntensitySeries out(s.zone(), s.signal(), s.origin());
  out.set_provenance(s.provenance());
  if (s.empty() || !(s.end() < to) || s.end() - s.start() < period) return out;
  const UtcTime base_from = s.end() - period;
  const IntensitySeries base = s.slice(base_from, s.end());
  if (base.empty()) return out;
  for (Duration shift = period; base_from + shift < to; shift += period) {
    for (size_t i = 0; i < base.size(); ++i) {
      IntensityPoint p = base.point(i);
      UtcTime a = std::max(p.start, base_from) + shift;
      const UtcTime b = std::min(p.end() + shift, to);
      if (!(a < b)) continue;
      if (!out.empty() && a < out.end()) a = out.end();
      if (!(a < b)) continue;
      const Status st = out.append(a, b - a, p.value, true);
      (void)st;
    }
  }
  return out;
}

LiveForecastFeed::LiveForecastFeed(ForecastSpec spec, ProviderSettings settings, HttpClient& http, Clock& clock,
                                   std::string store_path, RetryPolicy retry)
    : spec_(std::move(spec)),
      settings_(std::move(settings)),
      http_(http),
      clock_(clock),
      store_path_(std::move(store_path)),
      retry_(retry) {}

Result<LiveForecast> LiveForecastFeed::obtain(UtcTime from, UtcTime to, const IntensitySeries* previous) {
  if (!(from < to)) return make_error("empty forecast window");
  const UtcTime now = clock_.utc_now();
  FetchRequest req = spec_.request;
  req.horizon_hours = forecast_horizon_hours(req.provider, std::max(now, from), to);
  LiveForecast out;
  const std::string provider(to_string(req.provider));

  // 1. The fetch.
  std::optional<IntensitySeries> fetched;
  std::optional<FetchError> failure;
  auto batch = fetch_series(req, settings_, http_, clock_, retry_);
  if (!batch) {
    failure = batch.error();
  } else {
    for (IntensitySeries& s : batch->series)
      if (s.origin() == Origin::kForecast && !s.empty() && (!fetched || s.size() > fetched->size()))
        fetched = std::move(s);
    if (!fetched) failure = FetchError{FetchFailure::kBadResponse, provider + ": the answer held no forecast points"};
  }
  if (failure && !is_transient(failure->kind)) return make_error(failure->message);

  // The key the forecast lives under in the store.
  SeriesKey key;
  if (fetched) {
    key = SeriesKey{fetched->zone(), fetched->signal(), Origin::kForecast};
  } else if (previous && !previous->empty() && previous->origin() != Origin::kTypical) {
    key = SeriesKey{previous->zone(), previous->signal(), Origin::kForecast};
  } else {
    const Signal signal = req.provider == ProviderKind::kWattTime ? Signal::kMarginal
                          : req.provider == ProviderKind::kUk     ? Signal::kAverageDirect
                                                                  : req.signal;
    key = SeriesKey{req.zone.value_or(req.provider == ProviderKind::kUk ? "GB" : spec_.grid_zone), signal,
                    Origin::kForecast};
  }

  // Cache the fetch, then read back what the store has for the window.
  std::optional<IntensityStore> store;
  if (fetched || std::filesystem::exists(store_path_)) {
    auto opened = IntensityStore::open(store_path_);
    if (opened)
      store.emplace(std::move(*opened));
    else
      out.warnings.push_back("forecast cache " + store_path_ + ": " + opened.error().message);
  }
  if (fetched && store) {
    // Stored with its issue time: the provider's, else the fetch's.
    if (!fetched->issued()) fetched->set_issued(now);
    if (auto r = store->import(std::vector<IntensitySeries>{*fetched}); !r)
      out.warnings.push_back("forecast cache " + store_path_ + ": not stored: " + r.error().message);
  }
  IntensitySeries stored_forecast, stored_actual;
  if (store) {
    if (auto s = store->load(key, from, to)) stored_forecast = std::move(*s);
    SeriesKey actual = key;
    actual.origin = Origin::kActual;
    if (auto s = store->load(actual, from, to)) stored_actual = std::move(*s);
  }

  // Persistence past the fetched horizon; the interval in progress before it.
  IntensitySeries persisted, lead_in;
  if (fetched) {
    persisted = persistence_after(*fetched, to);
    const IntensityPoint first = fetched->point(0);
    if (from < first.start) {
      lead_in = IntensitySeries(fetched->zone(), fetched->signal(), Origin::kForecast);
      const UtcTime a = first.start - first.duration;  // whole steps keep the series on its grid
      const Status st = lead_in.append(a, first.start - a, first.value, true);
      (void)st;
    }
  }

  // The previous series counts for the past only: for the future the fresher
  // fetch and its persistence win.
  IntensitySeries past;
  if (previous && !previous->empty() && from < now) {
    past = IntensitySeries(previous->zone(), previous->signal(), previous->origin());
    for (size_t i = 0; i < previous->size(); ++i) {
      const IntensityPoint p = previous->point(i);
      if (!(p.start < now)) break;
      const Status st = past.append(p.start, p.duration, p.value, p.estimated);
      (void)st;
    }
  }
  std::vector<const IntensitySeries*> layers{fetched ? &*fetched : nullptr, &past, &stored_forecast,
                                             &stored_actual, &lead_in, &persisted};
  IntensitySeries merged = layer_series(layers, from, to);
  const double coverage =
      merged.empty() ? 0.0
                     : static_cast<double>(merged.integrate(from, to).covered.count()) /
                           static_cast<double>((to - from).count());

  if (fetched) {
    out.choice = FallbackChoice::kFetched;
    out.fetched_at = now;
    out.label = fmt::format("{} forecast ({}, {}), fetched {}", provider, fetched->zone(),
                            to_string(fetched->signal()), format_utc(now));
    if (!persisted.empty())
      out.label += fmt::format("; after {} its last 24 h repeated (persistence, not a forecast)",
                               format_utc(fetched->end()));
  } else {
    FallbackInputs in;
    in.failure = failure;
    in.stored_coverage = coverage;
    in.has_typical_profile =
        !spec_.grid_zone.empty() && ZoneCatalogue::embedded().find_profile(spec_.grid_zone, Signal::kAverageLifecycle);
    const FallbackDecision d = decide_fallback(in, key.zone);
    out.choice = d.choice;
    if (d.choice == FallbackChoice::kNone) return make_error(d.message);
    out.warnings.push_back(d.message);
    out.label = d.choice == FallbackChoice::kStored
                    ? fmt::format("stored forecast ({}, {}; {} could not be reached)", key.zone,
                                  to_string(key.signal), provider)
                    : "";
  }

  // Whatever is still uncovered: the typical profile, labelled.
  if (!merged.covers(from, to)) {
    if (spec_.grid_zone.empty())
      return make_error("the " + provider + " forecast does not cover " + format_utc(from) + " .. " + format_utc(to) +
                        " and no grid zone is known for a typical profile: give --zone");
    auto typical = ZoneCatalogue::embedded().typical_series(spec_.grid_zone, Signal::kAverageLifecycle, from, to);
    if (!typical)
      return make_error("the " + provider + " forecast does not cover " + format_utc(from) + " .. " +
                        format_utc(to) + " and " + typical.error().message);
    if (merged.empty() || out.choice == FallbackChoice::kTypical) {
      merged = std::move(*typical);
      out.choice = FallbackChoice::kTypical;
      out.label = "typical profile, not a forecast (" + merged.provenance().source + ")";
    } else {
      merged = layer_series({&merged, &*typical}, from, to);
      out.label += "; gaps filled from the typical profile, not a forecast";
    }
  }
  out.series = std::move(merged);
  return out;
}

CurlOptions waited_forecast_curl_options() {
  CurlOptions o;
  o.connect_timeout = std::chrono::seconds(5);
  o.total_timeout = std::chrono::seconds(15);
  return o;
}

Result<LiveForecast> obtain_live_forecast(const ForecastSpec& spec, const ProviderSettings& settings,
                                          const std::string& store_path, Clock& clock, UtcTime from, UtcTime to) {
  CurlHttpClient http(waited_forecast_curl_options());
  RetryPolicy retry;
  retry.max_attempts = 3;
  LiveForecastFeed feed(spec, settings, http, clock, store_path, retry);
  return feed.obtain(from, to);
}

}  // namespace greenrun::intensity
