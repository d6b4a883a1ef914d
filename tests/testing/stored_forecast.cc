#include "testing/stored_forecast.h"

#include "greenrun/base/clock.h"
#include "intensity/store.h"

namespace greenrun::testing {

Status store_hourly_forecast(const std::filesystem::path& store, const std::vector<double>& pattern, int hours,
                             const std::string& zone) {
  const UtcTime hour = std::chrono::floor<std::chrono::hours>(SystemClock().utc_now());
  intensity::IntensitySeries s(zone, intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  s.set_provenance({"test-forecast", "stored_forecast", ""});
  for (int i = -2; i < hours; ++i) {
    const double v = pattern[static_cast<size_t>(i + 2) % pattern.size()];
    if (auto ok = s.append(hour + std::chrono::hours(i), std::chrono::hours(1), CarbonIntensity::grams_per_kwh(v));
        !ok)
      return ok;
  }
  auto opened = intensity::IntensityStore::open(store.string());
  if (!opened) return std::unexpected(opened.error());
  auto imported = opened->import({s});
  if (!imported) return std::unexpected(imported.error());
  return {};
}

Status store_clean_hours(const std::filesystem::path& store, const std::vector<int>& clean, int hours) {
  std::vector<double> v(static_cast<size_t>(hours + 2), 900);  // index h + 2 is hour h; no wrap
  for (int h : clean) v.at(static_cast<size_t>(h + 2)) = 100;
  return store_hourly_forecast(store, v, hours);
}

Status store_long_pause_forecast(const std::filesystem::path& store) {
  return store_clean_hours(store, {1, 2, 3, 24, 25, 26, 27, 28, 29}, 40);
}

}  // namespace greenrun::testing
