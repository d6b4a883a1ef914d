#include "testing/minute_forecast.h"

#include <thread>

#include "greenrun/base/clock.h"
#include "intensity/store.h"

namespace greenrun::testing {

void wait_for_minute_left(std::chrono::seconds left) {
  const auto now = std::chrono::system_clock::now();
  const auto end = std::chrono::ceil<std::chrono::minutes>(now);
  if (end - now < left) std::this_thread::sleep_until(end + std::chrono::milliseconds(50));
}

namespace {

Result<UtcTime> store_minute_series(const std::filesystem::path& store, const std::string& zone,
                                    const std::vector<double>& values, int minutes, intensity::Origin origin) {
  const UtcTime minute0 = std::chrono::floor<std::chrono::minutes>(SystemClock().utc_now());
  intensity::IntensitySeries s(zone, intensity::Signal::kAverageLifecycle, origin);
  s.set_provenance({origin == intensity::Origin::kForecast ? "test-forecast (1-minute steps)"
                                                           : "test-actual (1-minute steps)",
                    "minute_forecast", ""});
  for (int m = -2; m < minutes; ++m) {
    const double v = values[std::min(static_cast<size_t>(std::max(m, 0)), values.size() - 1)];
    if (auto ok = s.append(minute0 + std::chrono::minutes(m), std::chrono::minutes(1), CarbonIntensity::grams_per_kwh(v));
        !ok)
      return std::unexpected(ok.error());
  }
  auto opened = intensity::IntensityStore::open(store.string());
  if (!opened) return std::unexpected(opened.error());
  auto imported = opened->import({s});
  if (!imported) return std::unexpected(imported.error());
  return minute0;
}

}  // namespace

Result<UtcTime> store_minute_forecast(const std::filesystem::path& store, const std::string& zone,
                                      const std::vector<double>& values, int minutes) {
  return store_minute_series(store, zone, values, minutes, intensity::Origin::kForecast);
}

Result<UtcTime> store_minute_actual(const std::filesystem::path& store, const std::string& zone,
                                    const std::vector<double>& values, int minutes) {
  return store_minute_series(store, zone, values, minutes, intensity::Origin::kActual);
}

}  // namespace greenrun::testing
