#include "greenrun/intensity/zone_catalogue.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <vector>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::intensity {
namespace {

constexpr std::array<std::string_view, 3> kProviders = {"aws", "azure", "gcp"};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Lower-case with spaces removed: Azure display names ("West US") become ids.
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out.push_back(lower(c));
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

// Ranks candidates for "did you mean": exact name matches, then small edit
// distances, then substring matches. Returns at most `limit` distinct ids.
class Suggestions {
 public:
  explicit Suggestions(std::string_view query) : query_(to_lower(trim(query))) {}

  // `id` is what would be suggested; `aliases` are other texts it answers to.
  void consider(std::string_view id, std::initializer_list<std::string_view> aliases = {}) {
    size_t best = score(id);
    for (std::string_view a : aliases)
      if (!a.empty()) best = std::min(best, score(a));
    if (best < kNoMatch) ranked_.push_back({best, std::string(id)});
  }

  std::string text(size_t limit = 3) {
    std::stable_sort(ranked_.begin(), ranked_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> picked;
    for (const auto& [s, id] : ranked_) {
      if (picked.size() == limit) break;
      if (std::find(picked.begin(), picked.end(), id) == picked.end()) picked.push_back(id);
    }
    if (picked.empty()) return "";
    std::string out = "; did you mean ";
    for (size_t i = 0; i < picked.size(); ++i) {
      if (i) out += i + 1 == picked.size() ? " or " : ", ";
      out += picked[i];
    }
    return out + "?";
  }

 private:
  static constexpr size_t kNoMatch = 1000;

  size_t score(std::string_view candidate) const {
    if (query_.empty()) return kNoMatch;
    const std::string c = to_lower(candidate);
    if (c == query_) return 0;
    const size_t d = edit_distance(query_, c);
    const size_t allowed = std::max<size_t>(1, std::min(query_.size(), c.size()) / 3);
    if (d <= allowed) return d;
    if (query_.size() >= 3 && c.find(query_) != std::string::npos) return 10 + c.size();
    return kNoMatch;
  }

  std::string query_;
  std::vector<std::pair<size_t, std::string>> ranked_;
};

std::string provider_list() { return "aws, azure or gcp"; }

}  // namespace

ZoneCatalogue::ZoneCatalogue() {
  const detail::CatalogueTables t = detail::embedded_tables();
  zones_ = t.zones;
  regions_ = t.regions;
  profiles_ = t.profiles;
}

const ZoneCatalogue& ZoneCatalogue::embedded() {
  static const ZoneCatalogue catalogue;
  return catalogue;
}

std::span<const ZoneInfo> ZoneCatalogue::zones() const { return zones_; }
std::span<const CloudRegion> ZoneCatalogue::regions() const { return regions_; }
std::span<const TypicalProfile> ZoneCatalogue::profiles() const { return profiles_; }

const ZoneInfo* ZoneCatalogue::find_zone(std::string_view id) const {
  id = trim(id);
  for (const ZoneInfo& z : zones_)
    if (iequals(z.id, id)) return &z;
  return nullptr;
}

const CloudRegion* ZoneCatalogue::find_region(std::string_view provider,
                                              std::string_view region) const {
  provider = trim(provider);
  const std::string key = squash(region);
  for (const CloudRegion& r : regions_) {
    if (!iequals(r.provider, provider)) continue;
    if (iequals(r.region, key)) return &r;
    if (r.provider == "azure" && !r.name.empty() && squash(r.name) == key) return &r;
  }
  return nullptr;
}

const TypicalProfile* ZoneCatalogue::find_profile(std::string_view zone, Signal signal) const {
  zone = trim(zone);
  for (const TypicalProfile& p : profiles_)
    if (p.signal == signal && iequals(p.zone, zone)) return &p;
  return nullptr;
}

Result<Location> ZoneCatalogue::resolve(const std::optional<std::string>& zone,
                                        const std::optional<std::string>& region) const {
  if (zone && region)
    return make_error("give --zone or --region, not both (got --zone " + *zone + " and --region " +
                      *region + ")");
  if (!zone && !region) {
    const ZoneInfo* world = find_zone("WORLD");
    if (world == nullptr) return make_error("no --zone or --region given");
    return Location{std::string(world->id), std::nullopt,
                    "no --zone or --region given: world average (" + std::string(world->source) +
                        ")"};
  }

  auto region_location = [](const CloudRegion& r) {
    std::string label = std::string(r.provider) + ":" + std::string(r.region);
    const std::string_view what = r.name.empty() ? r.location : r.name;
    return Location{std::string(r.zone), label,
                    label + " (" + std::string(what) + ") -> " + std::string(r.zone)};
  };

  if (zone) {
    const std::string_view text = trim(*zone);
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      const std::string prefix = to_lower(text.substr(0, colon));
      if (std::find(kProviders.begin(), kProviders.end(), prefix) != kProviders.end())
        return resolve(std::nullopt, std::string(text));
    }
    if (const ZoneInfo* z = find_zone(text)) {
      std::string description = std::string(z->id) + " (" + std::string(z->name) + ")";
      return Location{std::string(z->id), std::nullopt, description};
    }
    Suggestions s(text);
    for (const ZoneInfo& z : zones_) s.consider(z.id, {z.name});
    return make_error("unknown zone \"" + std::string(text) + "\"" + s.text() +
                      " (greenrun zones --search TEXT lists zones)");
  }

  const std::string_view text = trim(*region);
  const size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    const std::string provider = to_lower(trim(text.substr(0, colon)));
    const std::string_view name = trim(text.substr(colon + 1));
    if (std::find(kProviders.begin(), kProviders.end(), provider) == kProviders.end()) {
      Suggestions s(provider);
      for (std::string_view p : kProviders) s.consider(p);
      return make_error("unknown cloud provider \"" + provider + "\" in --region " +
                        std::string(text) + ": expected " + provider_list() + s.text());
    }
    if (const CloudRegion* r = find_region(provider, name)) return region_location(*r);
    Suggestions s(name);
    for (const CloudRegion& r : regions_)
      if (r.provider == provider)
        s.consider(std::string(r.provider) + ":" + std::string(r.region), {r.region, r.name});
    return make_error("unknown " + provider + " region \"" + std::string(name) + "\"" + s.text() +
                      " (greenrun regions --provider " + provider + " lists them)");
  }

  // A bare region id: accept it when exactly one provider has it.
  std::vector<const CloudRegion*> matches;
  for (std::string_view p : kProviders)
    if (const CloudRegion* r = find_region(p, text)) matches.push_back(r);
  if (matches.size() == 1) return region_location(*matches.front());
  if (matches.size() > 1) {
    std::string names;
    for (const CloudRegion* r : matches)
      names += (names.empty() ? "" : ", ") + std::string(r->provider) + ":" + std::string(r->region);
    return make_error("region \"" + std::string(text) + "\" is ambiguous: use " + names);
  }
  Suggestions s(text);
  for (const CloudRegion& r : regions_)
    s.consider(std::string(r.provider) + ":" + std::string(r.region), {r.region, r.name});
  return make_error("unknown cloud region \"" + std::string(text) +
                    "\": expected provider:region with provider " + provider_list() + s.text());
}

Result<IntensitySeries> ZoneCatalogue::typical_series(std::string_view zone, Signal signal,
                                                      UtcTime from, UtcTime to) const {
  if (from >= to)
    return make_error("typical_series: expected from < to, got " + format_utc(from) + " .. " +
                      format_utc(to));
  const TypicalProfile* profile = find_profile(zone, signal);
  if (profile == nullptr) {
    std::string have;
    for (const TypicalProfile& p : profiles_)
      if (p.signal == Signal::kAverageLifecycle) have += (have.empty() ? "" : ", ") + std::string(p.zone);
    return make_error("no typical profile for zone \"" + std::string(trim(zone)) + "\" and signal " +
                      std::string(to_string(signal)) + " (profiles exist for the average signals of " +
                      have + ")");
  }
  using std::chrono::hours;
  const UtcTime first = std::chrono::floor<hours>(from);
  UtcTime last = std::chrono::floor<hours>(to);
  if (last < to) last += hours(1);

  IntensitySeries series(std::string(profile->zone), signal, Origin::kTypical);
  series.set_provenance(Provenance{"embedded-typical", std::string(profile->source),
                                   "typical profile, not a forecast"});
  series.reserve(static_cast<size_t>(std::chrono::duration_cast<hours>(last - first).count()));
  for (UtcTime t = first; t < last; t += hours(1)) {
    const CivilTime c = to_civil(t);
    const double value = profile->g_per_kwh[c.month - 1][c.hour];
    if (Status st = series.append(t, hours(1), CarbonIntensity::grams_per_kwh(value)); !st)
      return make_error("typical_series: " + st.error().message);
  }
  return series;
}

}  // namespace greenrun::intensity
