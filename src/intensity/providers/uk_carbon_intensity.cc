#include "intensity/providers/uk_carbon_intensity.h"

#include <cctype>
#include <cstdio>

#include "base/time_format.h"

namespace greenrun::intensity {

std::string uk_time(UtcTime t) {
  const CivilTime c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02uZ", c.year, c.month, c.day, c.hour, c.minute);
  return buf;
}

Result<std::string> uk_outward_code(std::string_view postcode) {
  while (!postcode.empty() && postcode.front() == ' ') postcode.remove_prefix(1);
  const size_t space = postcode.find(' ');
  std::string_view outward = postcode.substr(0, space);
  std::string out;
  for (const char c : outward) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  bool ok = out.size() >= 2 && out.size() <= 4 && std::isalpha(static_cast<unsigned char>(out[0]));
  for (const char c : out) ok = ok && std::isalnum(static_cast<unsigned char>(c));
  if (!ok)
    return make_error("expected a UK postcode outward code such as RG10 or SW1A, got \"" +
                      std::string(postcode.substr(0, 20)) + "\"");
  return out;
}

namespace {

Status parse_periods(const nlohmann::json& periods, const std::string& path, std::vector<RawPoint>& forecast, std::vector<RawPoint>& actual, size_t& missing) {
  if (!periods.is_array()) return make_error(path + ": expected an array of periods, got " + json_kind(periods));
  for (size_t i = 0; i < periods.size(); ++i) {
    const nlohmann::json& p = periods[i];
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (!p.is_object()) return make_error(at + ": expected an object, got " + json_kind(p));
    auto from = required_time(p, "from", at);
    if (!from) return std::unexpected(from.error());
    auto to = required_time(p, "to", at);
    if (!to) return std::unexpected(to.error());
    if (!(*from < *to)) return make_error(at + ": \"to\" must be after \"from\"");
    const auto in = p.find("intensity");
    if (in == p.end() || !in->is_object())
      return make_error(at + ".intensity: expected an object with \"forecast\"");
    auto f = number_or_null(*in, "forecast", at + ".intensity");
    if (!f) return std::unexpected(f.error());
    if (*f) forecast.push_back(RawPoint{*from, *to - *from, **f, false});
    else ++missing;
    if (in->contains("actual")) {
      auto a = number_or_null(*in, "actual", at + ".intensity");
      if (!a) return std::unexpected(a.error());
      if (*a) actual.push_back(RawPoint{*from, *to - *from, **a, false});
    }
  }
  return {};
}

Status add_series(SeriesBatch& batch, const std::string& zone, Origin origin, std::vector<RawPoint> points,
                  const std::string& name, const std::string& note) {
  if (points.empty()) return {};
  auto s = build_series(zone, Signal::kAverageDirect, origin, std::move(points), std::chrono::minutes(30),
                        Provenance{"uk-carbon-intensity-api", name, note}, &batch.duplicates);
  if (!s) return make_error(name + ": " + s.error().message);
  batch.points += s->size();
  batch.series.push_back(std::move(*s));
  return {};
}

// One region object: {"regionid", "shortname", "data":[periods]}.
Status parse_region(const nlohmann::json& region, const std::string& path, const std::string& name,
                    const std::optional<std::string>& zone, SeriesBatch& batch) {
  if (!region.is_object()) return make_error(path + ": expected a region object, got " + json_kind(region));
  const auto id = region.find("regionid");
  if (id == region.end() || !id->is_number_integer())
    return make_error(path + ".regionid: expected a region number");
  const std::string z = zone.value_or("GB-region-" + std::to_string(id->get<long long>()));
  const auto periods = region.find("data");
  if (periods == region.end()) return make_error(path + ".data: missing; expected an array of periods");
  std::vector<RawPoint> forecast, actual;
  size_t missing = 0;
  if (auto st = parse_periods(*periods, path + ".data", forecast, actual, missing); !st) return st;
  batch.missing += missing;
  std::string note = "UK Carbon Intensity API (NESO), g CO2/kWh, regional";
  if (const auto s = region.find("shortname"); s != region.end() && s->is_string())
    note += ": " + s->get<std::string>();
  if (auto st = add_series(batch, z, Origin::kForecast, std::move(forecast), name, note); !st) return st;
  return add_series(batch, z, Origin::kActual, std::move(actual), name, note);
}

}  // namespace

Result<SeriesBatch> parse_uk_intensity(std::string_view body, const std::string& name,
                                       const std::optional<std::string>& zone) {
  auto parsed = parse_json_body(body, name);
  if (!parsed) return std::unexpected(parsed.error());
  const nlohmann::json& j = *parsed;
  const std::string root = name + ": $";
  if (!j.is_object()) return make_error(root + ": expected an object with \"data\", got " + json_kind(j));
  const auto data = j.find("data");
  if (data == j.end()) {
    if (j.contains("error")) return make_error(root + ".error: the API answered an error: " + j["error"].dump());
    return make_error(root + ".data: missing");
  }
  SeriesBatch batch;
  if (data->is_object()) {  // /regional/intensity/{from}/fw48h/postcode/{pc}
    if (auto st = parse_region(*data, root + ".data", name, zone, batch); !st) return std::unexpected(st.error());
    return batch;
  }
  if (!data->is_array()) return make_error(root + ".data: expected an array or a region object, got " + json_kind(*data));
  if (!data->empty() && (*data)[0].is_object() && (*data)[0].contains("regionid")) {  // /regional/postcode/{pc}
    for (size_t i = 0; i < data->size(); ++i)
      if (auto st = parse_region((*data)[i], root + ".data[" + std::to_string(i) + "]", name, zone, batch); !st)
        return std::unexpected(st.error());
    return batch;
  }
  std::vector<RawPoint> forecast, actual;
  const std::string z = zone.value_or(std::string(kUkNationalZone));
  if (auto st = parse_periods(*data, root + ".data", forecast, actual, batch.missing); !st)
    return std::unexpected(st.error());
  const std::string note = "UK Carbon Intensity API (NESO), g CO2/kWh, national";
  if (auto st = add_series(batch, z, Origin::kForecast, std::move(forecast), name, note); !st)
    return std::unexpected(st.error());
  if (auto st = add_series(batch, z, Origin::kActual, std::move(actual), name, note); !st)
    return std::unexpected(st.error());
  return batch;
}

UkCarbonIntensityClient::UkCarbonIntensityClient(HttpClient& http, Clock& clock, UkCarbonIntensityOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
}

FetchResult<SeriesBatch> UkCarbonIntensityClient::get(const std::string& path, const std::optional<std::string>& zone) {
  static const CallContext kContext{"uk", ""};
  const std::string url = options_.base_url + path;
  auto r = get_with_retry(http_, clock_, HttpRequest{url, {{"Accept", "application/json"}}}, options_.retry, kContext);
  if (!r) return std::unexpected(r.error());
  auto batch = parse_uk_intensity(r->body, "GET " + url_path(url), zone);
  if (!batch) return fetch_error(FetchFailure::kBadResponse, "uk: " + batch.error().message);
  stamp_fetch(*batch, url, clock_.utc_now());
  return std::move(*batch);
}

FetchResult<std::string> UkCarbonIntensityClient::regional_suffix(const std::optional<std::string>& postcode) {
  if (!postcode) return std::string();
  auto pc = uk_outward_code(*postcode);
  if (!pc) return fetch_error(FetchFailure::kConfig, "uk: --postcode: " + pc.error().message);
  return "/postcode/" + url_encode(*pc);
}

namespace {
UtcTime half_hour_floor(UtcTime t) {
  const auto step = Duration(std::chrono::minutes(30));
  return UtcTime(t.time_since_epoch() - t.time_since_epoch() % step);
}
}  // namespace

FetchResult<SeriesBatch> UkCarbonIntensityClient::forward(UtcTime from, int horizon_hours,
                                                          const std::optional<std::string>& postcode,
                                                          const std::optional<std::string>& zone) {
  auto suffix = regional_suffix(postcode);
  if (!suffix) return std::unexpected(suffix.error());
  if (horizon_hours < 1 || horizon_hours > 48)
    return fetch_error(FetchFailure::kConfig,
                       "uk: forecast horizon must be 1 to 48 hours, got " + std::to_string(horizon_hours));
  const std::string span = horizon_hours <= 24 ? "fw24h" : "fw48h";
  const std::string prefix = postcode ? "/regional/intensity/" : "/intensity/";
  return get(prefix + uk_time(half_hour_floor(from)) + "/" + span + *suffix, zone);
}

FetchResult<SeriesBatch> UkCarbonIntensityClient::past_day(UtcTime to, const std::optional<std::string>& postcode,
                                                           const std::optional<std::string>& zone) {
  auto suffix = regional_suffix(postcode);
  if (!suffix) return std::unexpected(suffix.error());
  const std::string prefix = postcode ? "/regional/intensity/" : "/intensity/";
  return get(prefix + uk_time(half_hour_floor(to)) + "/pt24h" + *suffix, zone);
}

FetchResult<SeriesBatch> UkCarbonIntensityClient::range(UtcTime from, UtcTime to,
                                                        const std::optional<std::string>& postcode,
                                                        const std::optional<std::string>& zone) {
  if (!(from < to)) return fetch_error(FetchFailure::kConfig, "uk: --from must be before --to");
  auto suffix = regional_suffix(postcode);
  if (!suffix) return std::unexpected(suffix.error());
  const std::string prefix = postcode ? "/regional/intensity/" : "/intensity/";
  SeriesBatch all;
  for (UtcTime a = from; a < to; a += options_.range_chunk) {
    const UtcTime b = std::min(to, a + options_.range_chunk);
    auto chunk = get(prefix + uk_time(a) + "/" + uk_time(b) + *suffix, zone);
    if (!chunk) return chunk;
    if (auto st = all.merge(std::move(*chunk)); !st)
      return fetch_error(FetchFailure::kBadResponse, "uk: " + st.error().message);
  }
  return all;
}

}  // namespace greenrun::intensity
