// engine::fetch_intensity (greenrun/intensity_fetch.h).
#include "greenrun/intensity_fetch.h"

#include <fmt/format.h>

#include <memory>

#include "greenrun/base/time_format.h"
#include "greenrun/intensity/providers/http_client.h"
#include "greenrun/intensity/providers/provider_settings.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "intensity/providers/fallback.h"
#include "intensity/providers/live_fetch.h"
#include "intensity/store.h"

namespace greenrun::engine {
namespace {

using namespace greenrun::intensity;

// After a failed fetch: what planning would fall back to, in one line.
std::optional<std::string> fallback_note(const FetchRequest& req, const FetchError& error, UtcTime now,
                                         const std::string& store_path) {
  const std::string zone = req.zone.value_or(req.provider == ProviderKind::kUk ? "GB" : "");
  if (zone.empty()) return std::nullopt;
  const Signal signal = req.provider == ProviderKind::kWattTime ? Signal::kMarginal
                        : req.provider == ProviderKind::kUk     ? Signal::kAverageDirect
                                                                : req.signal;
  const Origin origin = req.kind == FetchKind::kForecast ? Origin::kForecast : Origin::kActual;
  const UtcTime from = req.kind == FetchKind::kForecast ? now : req.from.value_or(now - std::chrono::hours(24));
  const UtcTime to =
      req.kind == FetchKind::kForecast ? now + std::chrono::hours(req.horizon_hours) : req.to.value_or(now);
  FallbackInputs in;
  in.failure = error;
  if (auto store = IntensityStore::open(store_path)) {
    if (auto s = store->load(SeriesKey{zone, signal, origin}, from, to); s && !s->empty())
      in.stored_coverage =
          static_cast<double>(s->integrate(from, to).covered.count()) / static_cast<double>((to - from).count());
  }
  in.has_typical_profile = ZoneCatalogue::embedded().find_profile(zone, signal) != nullptr;
  const FallbackDecision d = decide_fallback(in, zone);
  if (d.choice == FallbackChoice::kStored)
    return fmt::format("note: nothing fetched; the store covers {:.0f}% of {} to {} for {}, which planning falls back to",
                       in.stored_coverage * 100, format_utc(from), format_utc(to), zone);
  if (d.choice == FallbackChoice::kTypical)
    return "note: nothing fetched; planning falls back to the typical profile for " + zone +
           " (a typical profile, not a forecast)";
  return std::nullopt;
}

}  // namespace

Result<IntensityFetchOutcome> fetch_intensity(const IntensityFetchRequest& request, const Services& services) {
  if (auto st = validate(request.fetch); !st) return make_error(ErrorKind::kUsage, st.error().message);
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  const UtcTime now = clock.utc_now();
  IntensityFetchOutcome out;
  out.store_path = services.store_path;
  const EnvLookup env = services.env ? EnvLookup(services.env) : process_environment();
  auto settings = load_provider_settings(env, request.config);
  if (!settings) return std::unexpected(settings.error());
  out.warnings = settings->warnings;

  std::unique_ptr<CurlHttpClient> own_http;
  HttpClient* http = services.http;
  if (!http) {
    CurlOptions curl;
    curl.total_timeout = request.timeout;
    curl.connect_timeout = std::min(request.timeout, Duration(std::chrono::seconds(10)));
    own_http = std::make_unique<CurlHttpClient>(curl);
    http = own_http.get();
  }
  auto batch = fetch_series(request.fetch, *settings, *http, clock);
  if (!batch) {
    out.failure = batch.error().message;
    if (is_transient(batch.error().kind)) out.fallback_note = fallback_note(request.fetch, batch.error(), now, services.store_path);
    return out;
  }
  if (batch->series.empty()) {
    out.failure = std::string(to_string(request.fetch.provider)) + " answered with no data points" +
                  (batch->missing ? fmt::format(" ({} null values)", batch->missing) : std::string());
    return out;
  }
  for (const IntensitySeries& s : batch->series)
    out.series.push_back({s.zone(), s.signal(), s.origin(), s.size(), s.start(), s.end()});
  out.missing = batch->missing;
  if (request.dry_run) return out;
  auto store = IntensityStore::open(services.store_path);
  if (!store) return std::unexpected(store.error());
  // A forecast is stored with its issue time: the provider's own when its
  // answer says (WattTime's generated_at), else the time of the fetch.
  for (IntensitySeries& s : batch->series)
    if (s.origin() == Origin::kForecast && !s.issued()) s.set_issued(now);
  auto summary = store->import(batch->series);
  if (!summary) return make_error(ErrorKind::kIo, store->path() + ": " + summary.error().message);
  out.store_path = store->path();
  out.stored = std::move(*summary);
  return out;
}

}  // namespace greenrun::engine
