#include "intensity/forecast_selection.h"

#include <algorithm>
#include <vector>

#include "greenrun/base/text_reader.h"

namespace greenrun::intensity {
namespace {

int score(const SeriesKey& k) {
  const int signal = k.signal == Signal::kAverageLifecycle ? 0 : k.signal == Signal::kAverageDirect ? 1 : 2;
  return (k.origin == Origin::kForecast ? 0 : 10) + signal;
}

}  // namespace

Result<ForecastSelection> select_stored_forecast(const IntensityStore& store, const std::string& zone,
                                                 UtcTime from, UtcTime to, std::optional<Origin> only) {
  auto list = store.list();
  if (!list) return make_error(list.error().message);
  std::vector<const StoredSeriesInfo*> candidates;
  for (const auto& info : *list)
    if (iequals(info.key.zone, zone) && info.key.origin != Origin::kTypical && (!only || info.key.origin == *only))
      candidates.push_back(&info);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto* a, const auto* b) { return score(a->key) < score(b->key); });
  ForecastSelection out;
  for (const StoredSeriesInfo* info : candidates) {
    auto s = store.load(info->key, from, to);
    if (!s) return make_error(s.error().message);
    if (s->empty()) continue;
    if (!s->covers(from, to)) {
      if (!out.partial) out.partial = *info;
      continue;
    }
    std::string label = info->key.origin == Origin::kForecast ? "forecast from the store"
                                                               : "stored actual data used as a perfect forecast";
    label += " (" + std::string(to_string(info->key.signal)) + "; " + s->provenance().source + ")";
    out.chosen = StoredForecast{std::move(*s), info->key, std::move(label)};
    return out;
  }
  return out;
}

}  // namespace greenrun::intensity
