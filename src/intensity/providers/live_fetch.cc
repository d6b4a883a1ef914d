#include "intensity/providers/live_fetch.h"

#include "greenrun/base/text_reader.h"
#include "intensity/providers/electricitymaps.h"
#include "intensity/providers/uk_carbon_intensity.h"
#include "intensity/providers/watttime.h"

namespace greenrun::intensity {

std::string_view to_string(ProviderKind p) {
  switch (p) {
    case ProviderKind::kWattTime: return "watttime";
    case ProviderKind::kElectricityMaps: return "electricitymaps";
    case ProviderKind::kUk: return "uk";
  }
  return "?";
}

std::string_view to_string(FetchKind k) {
  switch (k) {
    case FetchKind::kForecast: return "forecast";
    case FetchKind::kHistory: return "history";
    case FetchKind::kLatest: return "latest";
  }
  return "?";
}

Result<ProviderKind> parse_provider(std::string_view text) {
  const std::string t = to_lower(trim(text));
  if (t == "watttime") return ProviderKind::kWattTime;
  if (t == "electricitymaps" || t == "electricity-maps" || t == "em") return ProviderKind::kElectricityMaps;
  if (t == "uk" || t == "carbonintensity" || t == "uk-carbon-intensity") return ProviderKind::kUk;
  return make_error("unknown provider \"" + std::string(text) + "\"; expected watttime, electricitymaps or uk");
}

Result<FetchKind> parse_fetch_kind(std::string_view text) {
  const std::string t = to_lower(trim(text));
  if (t == "forecast") return FetchKind::kForecast;
  if (t == "history" || t == "historical") return FetchKind::kHistory;
  if (t == "latest") return FetchKind::kLatest;
  return make_error("unknown kind \"" + std::string(text) + "\"; expected forecast, history or latest");
}

Status validate(const FetchRequest& r) {
  const std::string p(to_string(r.provider));
  if (r.postcode && r.provider != ProviderKind::kUk)
    return make_error("--postcode is for the uk provider only");
  if (r.latitude.has_value() != r.longitude.has_value()) return make_error("give --lat and --lon together");
  if (r.latitude && r.provider == ProviderKind::kUk) return make_error("uk: use --postcode, not --lat/--lon");
  if (r.kind == FetchKind::kLatest && r.provider != ProviderKind::kElectricityMaps)
    return make_error(p + ": --kind latest is offered by electricitymaps only; use forecast or history");
  if (r.from.has_value() != r.to.has_value() && !(r.provider == ProviderKind::kUk && r.kind == FetchKind::kForecast))
    return make_error("give --from and --to together");
  if (r.from && r.to && !(*r.from < *r.to)) return make_error("--from must be before --to");
  if (r.provider != ProviderKind::kUk && !r.zone && !r.latitude)
    return make_error(p + ": give --zone or --lat/--lon");
  if (r.provider == ProviderKind::kElectricityMaps && r.signal == Signal::kMarginal)
    return make_error("electricitymaps offers average signals only (lifecycle, direct); marginal is WattTime's");
  if (r.horizon_hours < 1 || r.horizon_hours > 72) return make_error("--horizon must be 1 to 72 hours");
  if (r.provider == ProviderKind::kUk && r.horizon_hours > 48) return make_error("uk: --horizon is at most 48 hours");
  return {};
}

FetchResult<SeriesBatch> fetch_series(const FetchRequest& r, const ProviderSettings& settings, HttpClient& http,
                                      Clock& clock, const RetryPolicy& retry) {
  if (auto st = validate(r); !st) return fetch_error(FetchFailure::kConfig, st.error().message);
  const UtcTime now = clock.utc_now();
  const UtcTime from = r.from.value_or(now - std::chrono::hours(24));
  const UtcTime to = r.to.value_or(now);
  switch (r.provider) {
    case ProviderKind::kWattTime: {
      WattTimeOptions o;
      o.retry = retry;
      if (settings.watttime_base_url) o.base_url = *settings.watttime_base_url;
      o.config_path = settings.config_path;
      WattTimeClient c(http, clock, settings.watttime_username.reveal(), settings.watttime_password.reveal(), o);
      std::string region = r.zone.value_or("");
      if (!r.zone) {
        auto found = c.region_from_location(*r.latitude, *r.longitude);
        if (!found) return std::unexpected(found.error());
        region = found->region;
      }
      return r.kind == FetchKind::kForecast ? c.forecast(region, r.horizon_hours) : c.historical(region, from, to);
    }
    case ProviderKind::kElectricityMaps: {
      ElectricityMapsOptions o;
      o.retry = retry;
      if (settings.electricitymaps_base_url) o.base_url = *settings.electricitymaps_base_url;
      o.config_path = settings.config_path;
      ElectricityMapsClient c(http, clock, settings.electricitymaps_token.reveal(), o);
      ElectricityMapsQuery q{r.zone, r.latitude, r.longitude, r.signal, std::nullopt};
      switch (r.kind) {
        case FetchKind::kForecast: return c.forecast(q, r.horizon_hours);
        case FetchKind::kLatest: return c.latest(q);
        case FetchKind::kHistory: return r.from ? c.past_range(q, from, to) : c.history(q);
      }
      break;
    }
    case ProviderKind::kUk: {
      UkCarbonIntensityOptions o;
      o.retry = retry;
      if (settings.uk_base_url) o.base_url = *settings.uk_base_url;
      UkCarbonIntensityClient c(http, clock, o);
      if (r.kind == FetchKind::kForecast) return c.forward(r.from.value_or(now), r.horizon_hours, r.postcode, r.zone);
      return r.from ? c.range(from, to, r.postcode, r.zone) : c.past_day(now, r.postcode, r.zone);
    }
  }
  return fetch_error(FetchFailure::kConfig, "unknown provider");
}

}  // namespace greenrun::intensity
