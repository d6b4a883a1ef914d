#include "engine/forecast_loader.h"

#include <filesystem>

#include "engine/stored_pick.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/seasonal_forecast.h"
#include "intensity/forecast_selection.h"

namespace greenrun::engine {
namespace {

Result<std::optional<LoadedForecast>> from_provider(const ForecastQuery& q, const std::string& store_path,
                                                    const EnvFunction& env, Clock& clock, intensity::HttpClient* http) {
  if (q.provider == "store") return std::optional<LoadedForecast>{};
  auto settings = intensity::load_provider_settings(env, std::nullopt);
  std::string text = q.provider;
  if (text.empty() && settings && settings->forecast_provider) text = *settings->forecast_provider;
  if (text.empty() || text == "store") {
    if (!settings) {
      LoadedForecast none;
      none.warnings.push_back(settings.error().message + " (forecast provider settings ignored)");
      return std::optional<LoadedForecast>{std::move(none)};  // no series: the caller goes on to the store
    }
    return std::optional<LoadedForecast>{};
  }
  if (!settings) return make_error(ErrorKind::kUsage, settings.error().message);
  auto spec = intensity::parse_forecast_spec(text, q.zone);
  if (!spec) return make_error(ErrorKind::kUsage, "--forecast-provider: " + spec.error().message);
  LoadedForecast f;
  for (const auto& w : settings->warnings) f.warnings.push_back(w);
  Result<intensity::LiveForecast> got = make_error("");
  if (http) {
    intensity::RetryPolicy retry;
    retry.max_attempts = 3;
    got = intensity::LiveForecastFeed(*spec, *settings, *http, clock, store_path, retry).obtain(q.from, q.to);
  } else {
    got = intensity::obtain_live_forecast(*spec, *settings, store_path, clock, q.from, q.to);
  }
  if (!got) return make_error(ErrorKind::kUnavailable, got.error().message);
  for (auto& w : got->warnings) f.warnings.push_back(std::move(w));
  f.series = std::move(got->series);
  f.label = std::move(got->label);
  f.live_spec = std::move(*spec);
  f.live_settings = std::move(*settings);
  return std::optional<LoadedForecast>{std::move(f)};
}

// greenrun's own forecast (engine::seasonal_forecast) issued at the end of
// the zone's stored actual history, when that end is recent enough to say
// something about the window: within kOwnForecastReach before the window's
// start, and the window's end within kOwnForecastReach after it. None (with
// the reason in `why`) otherwise or when the history is too short.
std::optional<SeasonalForecastOutcome> own_forecast(const ForecastQuery& q, const std::string& store_path,
                                                    intensity::IntensityStore& store, const EnvFunction& env,
                                                    std::string& why) {
  auto list = store.list();
  if (!list) {
    why = list.error().message;
    return std::nullopt;
  }
  const auto* history = pick_stored(*list, q.zone, intensity::Origin::kActual);
  if (!history) {
    why = "no stored actual history for zone " + q.zone;
    return std::nullopt;
  }
  const UtcTime end = history->last_end;
  if (end + kOwnForecastReach < q.from || q.to > end + kOwnForecastReach || end >= q.to) {
    why = "the stored history of zone " + q.zone + " ends at " + format_utc(end) +
          ", too far from the window to forecast it from there";
    return std::nullopt;
  }
  Services services;
  services.store_path = store_path;
  services.env = env;
  SeasonalForecastRequest request;
  request.zone = q.zone;
  request.test_days = kOwnForecastTestDays;
  request.horizon = std::chrono::ceil<std::chrono::hours>(q.to - end);
  auto f = seasonal_forecast(request, services);
  if (!f) {
    why = f.error().message;
    return std::nullopt;
  }
  return std::move(*f);
}

}  // namespace

Result<LoadedForecast> load_forecast(const ForecastQuery& q, const std::string& store_path,
                                     const EnvFunction& given_env, Clock& clock, intensity::HttpClient* http) {
  const EnvFunction env = given_env ? given_env : EnvFunction(intensity::process_environment());
  if (q.zone.empty())
    return make_error(ErrorKind::kUsage,
                      "planning needs a grid zone: give --zone (or --region) or set GREENRUN_ZONE");
  if (!(q.from < q.to)) return make_error(ErrorKind::kUsage, "the planning window is empty");
  if (q.origin) {  // the series the user chose, or an error
    const std::string which(intensity::to_string(*q.origin));
    const std::string none = "no stored " + which + " series for zone " + q.zone + " covers the window " +
                             format_utc(q.from) + " .. " + format_utc(q.to) + " in the store (" + store_path + ")";
    if (!std::filesystem::exists(store_path)) return make_error(ErrorKind::kNotFound, none);
    auto store = intensity::IntensityStore::open_read_only(store_path);
    if (!store) return make_error(ErrorKind::kIo, store.error().message);
    auto sel = intensity::select_stored_forecast(*store, q.zone, q.from, q.to, q.origin);
    if (!sel) return make_error(ErrorKind::kIo, sel.error().message);
    if (!sel->chosen) return make_error(ErrorKind::kNotFound, none);
    LoadedForecast f;
    f.series = std::move(sel->chosen->series);
    f.label = std::move(sel->chosen->label);
    f.key = sel->chosen->key;
    return f;
  }
  std::vector<std::string> carried;
  auto live = from_provider(q, store_path, env, clock, http);
  if (!live) return std::unexpected(live.error());
  if (*live && !(*live)->series.empty()) return std::move(**live);
  if (*live) carried = std::move((*live)->warnings);

  const auto& cat = intensity::ZoneCatalogue::embedded();
  std::optional<intensity::IntensitySeries> partial;
  std::string partial_text;
  if (std::filesystem::exists(store_path)) {
    auto store = intensity::IntensityStore::open(store_path);
    if (!store) return make_error(ErrorKind::kIo, store.error().message);
    auto sel = intensity::select_stored_forecast(*store, q.zone, q.from, q.to);
    if (!sel) return make_error(ErrorKind::kIo, sel.error().message);
    if (sel->chosen) {
      LoadedForecast f;
      f.series = std::move(sel->chosen->series);
      f.label = std::move(sel->chosen->label);
      f.key = sel->chosen->key;
      f.warnings = std::move(carried);
      return f;
    }
    if (sel->partial) {
      partial_text = "stored intensity data for zone " + q.zone + " (" +
                     std::string(intensity::to_string(sel->partial->key.signal)) + ", " +
                     format_utc(sel->partial->first) + " .. " + format_utc(sel->partial->last_end) + ")";
      if (auto s = store->load(sel->partial->key, q.from, q.to); s && !s->empty()) partial = std::move(*s);
    }
  }
  // Before the typical profile: greenrun's own forecast from the zone's
  // recent history, layered after the stored points it continues.
  std::string no_own_forecast;
  std::optional<SeasonalForecastOutcome> own;
  if (std::filesystem::exists(store_path)) {
    if (auto store = intensity::IntensityStore::open(store_path))
      own = own_forecast(q, store_path, *store, env, no_own_forecast);
  }
  auto typical = cat.typical_series(q.zone, intensity::Signal::kAverageLifecycle, q.from, q.to);
  if (own) {
    LoadedForecast f;
    f.warnings = std::move(carried);
    std::vector<const intensity::IntensitySeries*> layers;
    if (partial) layers.push_back(&*partial);
    layers.push_back(&own->forecast);
    if (typical) layers.push_back(&*typical);
    f.series = intensity::layer_series(layers, q.from, q.to);
    if (f.series.covers(q.from, q.to)) {
      const std::string own_text = own->label;
      f.label = partial ? partial_text + " where it has points, then the " + own_text : own_text;
      if (typical && !own->forecast.covers(std::max(q.from, own->forecast.start()), q.to))
        f.label += ", the typical profile where neither has points";
      f.warnings.push_back("no stored forecast covers the window " + format_utc(q.from) + " .. " + format_utc(q.to) +
                           " for zone " + q.zone + ": planning on " + own_text);
      return f;
    }
    carried = std::move(f.warnings);
  }
  if (!typical) {
    if (!partial_text.empty())
      return make_error(ErrorKind::kNotFound, partial_text + " does not cover the window " + format_utc(q.from) +
                                                  " .. " + format_utc(q.to) + " and zone " + q.zone +
                                                  " has no typical profile to fill the rest");
    return make_error(ErrorKind::kNotFound,
                      "no intensity data for zone " + q.zone + " covering " + format_utc(q.from) + " .. " +
                          format_utc(q.to) + " in the store (" + store_path +
                          ") and no typical profile: fetch a forecast with `greenrun intensity fetch` or import "
                          "data with `greenrun intensity import`");
  }
  const std::string typical_label = "typical profile, not a forecast (" + typical->provenance().source + ")";
  LoadedForecast f;
  f.warnings = std::move(carried);
  if (partial) {
    f.series = intensity::layer_series({&*partial, &*typical}, q.from, q.to);
    f.label = partial_text + " where it has points, the " + typical_label + " elsewhere";
    f.warnings.push_back(partial_text + " covers only part of the window " + format_utc(q.from) + " .. " +
                         format_utc(q.to) + ": the rest is the " + typical_label);
    return f;
  }
  if (!no_own_forecast.empty())
    f.warnings.push_back("no forecast of greenrun's own either: " + no_own_forecast);
  f.series = std::move(*typical);
  f.label = typical_label;
  f.warnings.push_back("no intensity data for zone " + q.zone + " in the store covers the window: planning on the " +
                       typical_label);
  return f;
}

}  // namespace greenrun::engine
