#include "intensity/providers/uk_carbon_intensity.h"

#include <cctype>
#include <cstdio>

#include "greenrun/base/time_format.h"

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

// The same points under another zone id (IntensitySeries has no renaming).
Result<IntensitySeries> relabelled(const IntensitySeries& s, const std::string& zone) {
  IntensitySeries out(zone, s.signal(), s.origin());
  out.set_provenance(s.provenance());
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const IntensityPoint p = s.point(i);
    if (auto st = out.append(p.start, p.duration, p.value, p.estimated); !st) return std::unexpected(st.error());
  }
  return out;
}

}  // namespace

Result<SeriesBatch> parse_uk_intensity(std::string_view body, const std::string& name,
                                       const std::optional<std::string>& zone) {
  // The answer has the shape of a saved UK file: one parser for both. The
  // importer's --zone selects a region; here `zone` is a label for whatever
  // the answer holds, so it is applied after parsing.
  ImportOptions options;
  options.format = Format::kUkJson;
  options.allow_empty = true;  // e.g. a range the API has no data for yet
  auto imported = import_uk_json(body, name, options);
  if (!imported) return std::unexpected(imported.error());
  if (zone) {
    for (size_t i = 1; i < imported->series.size(); ++i)
      if (imported->series[i].zone() != imported->series[0].zone())
        return make_error(name + ": $.data: the answer holds several regions; --zone " + *zone +
                          " can label only one");
    for (IntensitySeries& s : imported->series) {
      auto r = relabelled(s, *zone);
      if (!r) return make_error(name + ": " + r.error().message);
      s = std::move(*r);
    }
  }
  return to_batch(std::move(*imported), "uk-carbon-intensity-api");
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
