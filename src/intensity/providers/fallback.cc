#include "intensity/providers/fallback.h"

#include <cmath>

namespace greenrun::intensity {

std::string_view to_string(FallbackChoice c) {
  switch (c) {
    case FallbackChoice::kFetched: return "fetched";
    case FallbackChoice::kStored: return "stored";
    case FallbackChoice::kTypical: return "typical";
    case FallbackChoice::kNone: return "none";
  }
  return "?";
}

FallbackDecision decide_fallback(const FallbackInputs& in, std::string_view zone) {
  if (!in.failure) return {FallbackChoice::kFetched, ""};
  const FetchError& f = *in.failure;
  if (!is_transient(f.kind)) return {FallbackChoice::kNone, f.message};
  const std::string z(zone);
  if (in.stored_coverage > 0 && in.stored_coverage + 1e-9 >= in.min_stored_coverage) {
    const long pct = std::lround(in.stored_coverage * 100);
    return {FallbackChoice::kStored, "live data unavailable (" + f.message + "); using stored data for " + z +
                                         " (" + std::to_string(pct) + "% of the window)"};
  }
  if (in.has_typical_profile)
    return {FallbackChoice::kTypical, "live data unavailable (" + f.message + "); using the typical profile for " +
                                          z + " (a typical profile, not a forecast)"};
  return {FallbackChoice::kNone, f.message + "; and no stored data or typical profile for " + z + " to fall back on"};
}

Result<ObtainedSeries> obtain_series(const SeriesSources& sources, std::string_view zone, UtcTime from, UtcTime to,
                                     double min_stored_coverage) {
  auto fetched = sources.fetch();
  if (fetched) return ObtainedSeries{std::move(*fetched), FallbackChoice::kFetched, ""};
  FallbackInputs in;
  in.failure = fetched.error();
  in.min_stored_coverage = min_stored_coverage;
  std::optional<IntensitySeries> stored;
  if (is_transient(fetched.error().kind) && sources.stored) {
    auto s = sources.stored(from, to);
    if (s && !s->empty()) {
      const auto covered = s->integrate(from, to).covered;
      in.stored_coverage = static_cast<double>(covered.count()) / static_cast<double>((to - from).count());
      stored = std::move(*s);
    }
  }
  std::optional<IntensitySeries> typical;
  if (is_transient(fetched.error().kind) && sources.typical) {
    auto t = sources.typical(from, to);
    if (t && !t->empty()) {
      in.has_typical_profile = true;
      typical = std::move(*t);
    }
  }
  FallbackDecision d = decide_fallback(in, zone);
  switch (d.choice) {
    case FallbackChoice::kStored: return ObtainedSeries{std::move(*stored), d.choice, std::move(d.message)};
    case FallbackChoice::kTypical: return ObtainedSeries{std::move(*typical), d.choice, std::move(d.message)};
    case FallbackChoice::kFetched:  // not reached: the fetch failed
    case FallbackChoice::kNone: break;
  }
  return make_error(d.message);
}

}  // namespace greenrun::intensity
