// Series builders for the scheduling tests: real Electricity Maps data from
// ../shared/data and seeded random series with integer values (so prefix
// sums are exact and ties are real ties).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "greenrun/base/time_format.h"
#include "greenrun/intensity/intensity_series.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::scheduling::test {

inline UtcTime at(const char* s) { return *parse_utc(s); }

inline intensity::IntensitySeries random_series(std::mt19937& rng, size_t n, Duration step,
                                                int max_value = 9,
                                                UtcTime t0 = UtcTime(Duration(1'672'531'200'000))) {
  intensity::IntensitySeries s("TEST", intensity::Signal::kAverageLifecycle);
  std::uniform_int_distribution<int> v(0, max_value);
  for (size_t i = 0; i < n; ++i)
    EXPECT_TRUE(s.append(t0 + step * static_cast<int64_t>(i), step,
                         CarbonIntensity::grams_per_kwh(v(rng))));
  return s;
}

// One Electricity Maps file of ../shared/data (life-cycle signal).
inline intensity::IntensitySeries real_series(const std::string& relative) {
  const auto path = greenrun::testing::shared_data() / "electricitymaps-hourly" / relative;
  intensity::ImportOptions opt;
  auto r = intensity::import_file(path.string(), opt);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r || r->series.empty()) return {};
  return r->series.front();
}

// GREENRUN_TEST_SEED=N reruns a failure; the default is fixed so CI is
// stable. Printed either way (testing/seed.h).
inline uint32_t test_seed() { return static_cast<uint32_t>(greenrun::testing::property_seed(20240607u)); }

}  // namespace greenrun::scheduling::test
