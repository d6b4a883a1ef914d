#include "greenrun/accounting/emissions.h"

#include <gtest/gtest.h>

#include <random>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::accounting {
namespace {

using intensity::IntensitySeries;
using intensity::Signal;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

UtcTime at(const char* s) { return *parse_utc(s); }
Energy J(double j) { return Energy::joules(j); }
CarbonIntensity g(double v) { return CarbonIntensity::grams_per_kwh(v); }

uint64_t test_seed() { return greenrun::testing::property_seed(); }

// Relative closeness for sums whose order of addition differs.
void expect_close(double a, double b, double rel = 1e-9) {
  EXPECT_NEAR(a, b, rel * std::max({1.0, std::fabs(a), std::fabs(b)})) << a << " vs " << b;
}

// A series with random steps (5, 15, 30, 60 min), random values and gaps.
IntensitySeries random_series(std::mt19937_64& rng, UtcTime from, UtcTime to, Signal signal, bool gaps) {
  IntensitySeries s("XX", signal);
  s.set_provenance({"test", "random", ""});
  std::uniform_int_distribution<int> step_pick(0, 3), gap_pick(0, 9);
  std::uniform_real_distribution<double> value(0, 900);
  const int steps[] = {5, 15, 30, 60};
  UtcTime t = from;
  while (t < to) {
    const auto d = minutes(steps[step_pick(rng)]);
    if (gaps && gap_pick(rng) == 0) {
      t += d;  // leave a gap
      continue;
    }
    EXPECT_TRUE(s.append(t, d, g(value(rng)), gap_pick(rng) == 1));
    t += d;
  }
  return s;
}

// A timeline of random intervals (10 ms .. 20 min, random gaps) with 1..3 components.
EnergyTimeline random_timeline(std::mt19937_64& rng, UtcTime from, UtcTime to) {
  EnergyTimeline t;
  std::uniform_int_distribution<int64_t> dur(10, 20 * 60 * 1000), gap(0, 5 * 60 * 1000), skip(0, 3);
  std::uniform_real_distribution<double> watts(0, 800);
  UtcTime cur = from;
  while (true) {
    const milliseconds d(dur(rng));
    if (cur + d > to) break;
    EnergyInterval iv{cur, d, {}};
    const char* names[] = {"gpu", "cpu", "dram"};
    for (int c = 0; c < 3; ++c)
      if (c == 0 || skip(rng) != 0)
        iv.readings.push_back(ComponentReading{*t.component_id(names[c]), Power::watts(watts(rng)) * d,
                                               c == 0 ? Method::kMeasured : Method::kEstimated});
    EXPECT_TRUE(t.append(std::move(iv)));
    cur += d + milliseconds(skip(rng) == 0 ? gap(rng) : 0);
  }
  return t;
}

// Brute force: every interval against every point, no cursor, no shortcuts.
double brute_force_grams(const EnergyTimeline& t, const IntensitySeries& s, std::optional<double> fallback) {
  double grams = 0;
  const auto points = s.points();
  for (const EnergyInterval& iv : t.intervals()) {
    const double e_kwh = iv.total().kilowatt_hours();
    const double d = static_cast<double>(iv.duration.count());
    int64_t covered = 0;
    for (const auto& p : points) {
      const int64_t ov = (std::min(iv.end(), p.end()) - std::max(iv.start, p.start)).count();
      if (ov <= 0) continue;
      covered += ov;
      grams += e_kwh * (static_cast<double>(ov) / d) * p.value.grams_per_kwh();
    }
    if (fallback) grams += e_kwh * (static_cast<double>(iv.duration.count() - covered) / d) * *fallback;
  }
  return grams;
}

TEST(Emissions, ConstantIntensityGivesExactlyEnergyTimesIntensity) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> value(0, 1000);
  for (int round = 0; round < 50; ++round) {
    const double I = value(rng);
    const UtcTime from = at("2023-03-01T00:00Z");
    IntensitySeries s("DE", Signal::kAverageLifecycle);
    ASSERT_TRUE(s.append(from - hours(1), hours(48), g(I)));
    EnergyTimeline t = random_timeline(rng, from, from + hours(24));
    auto r = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, &s, std::nullopt});
    ASSERT_TRUE(r) << r.error().message;
    expect_close(r->operational.grams(), (t.total() * g(I)).grams(), 1e-12);
    // Per interval the product is exact: one interval alone.
    EnergyTimeline one;
    ASSERT_TRUE(one.append(from, seconds(7), {{"gpu", J(1234.5678)}}));
    auto r1 = operational_emissions(one, SignalInput{Signal::kAverageLifecycle, &s, std::nullopt});
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->operational.grams(), (J(1234.5678) * g(I)).grams());
    EXPECT_EQ(r->energy_time_resolved.joules(), r->energy.joules());
    EXPECT_FALSE(r->fallback);
  }
}

TEST(Emissions, SplittingAnIntervalNeverChangesTheTotal) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 30; ++round) {
    const UtcTime from = at("2023-07-01T00:00Z");
    IntensitySeries s = random_series(rng, from, from + hours(30), Signal::kAverageLifecycle, true);
    EnergyTimeline t = random_timeline(rng, from + minutes(3), from + hours(24));
    const SignalInput in{Signal::kAverageLifecycle, &s, FallbackIntensity{g(400), "test annual mean"}};
    auto whole = operational_emissions(t, in);
    ASSERT_TRUE(whole);
    // Split every interval at a random instant, energy in proportion to time.
    EnergyTimeline split;
    for (const EnergyInterval& iv : t.intervals()) {
      if (iv.duration.count() < 2) {
        EnergyInterval copy = iv;
        ASSERT_TRUE(split.append(std::move(copy)));
        continue;
      }
      std::uniform_int_distribution<int64_t> cut(1, iv.duration.count() - 1);
      const milliseconds c(cut(rng));
      const double f = static_cast<double>(c.count()) / static_cast<double>(iv.duration.count());
      EnergyInterval a{iv.start, c, {}}, b{iv.start + c, iv.duration - c, {}};
      for (const ComponentReading& r : iv.readings) {
        const uint16_t id = *split.component_id(t.component_name(r.component));
        a.readings.push_back({id, r.energy * f, r.method});
        b.readings.push_back({id, r.energy - r.energy * f, r.method});
      }
      ASSERT_TRUE(split.append(std::move(a)));
      ASSERT_TRUE(split.append(std::move(b)));
    }
    auto parts = operational_emissions(split, in);
    ASSERT_TRUE(parts);
    expect_close(parts->operational.grams(), whole->operational.grams());
    expect_close(parts->energy_fallback.joules(), whole->energy_fallback.joules());
    expect_close(parts->operational_fallback.grams(), whole->operational_fallback.grams());
    ASSERT_EQ(parts->components.size(), whole->components.size());
    for (size_t c = 0; c < whole->components.size(); ++c)
      expect_close(parts->components[c].operational.grams(), whole->components[c].operational.grams());
  }
}

TEST(Emissions, AreLinearInEnergy) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> k(0, 10);
  for (int round = 0; round < 30; ++round) {
    const UtcTime from = at("2023-01-10T00:00Z");
    IntensitySeries s = random_series(rng, from, from + hours(26), Signal::kMarginal, true);
    EnergyTimeline a = random_timeline(rng, from, from + hours(24));
    // b: same intervals, different energies; sum: a + b; scaled: k x a.
    EnergyTimeline b, sum, scaled;
    const double factor = k(rng);
    std::uniform_real_distribution<double> other(0, 1e6);
    for (const EnergyInterval& iv : a.intervals()) {
      EnergyInterval ib{iv.start, iv.duration, {}}, is{iv.start, iv.duration, {}}, ik{iv.start, iv.duration, {}};
      for (const ComponentReading& r : iv.readings) {
        const std::string& name = a.component_name(r.component);
        const Energy eb = J(other(rng));
        ib.readings.push_back({*b.component_id(name), eb, r.method});
        is.readings.push_back({*sum.component_id(name), r.energy + eb, r.method});
        ik.readings.push_back({*scaled.component_id(name), r.energy * factor, r.method});
      }
      ASSERT_TRUE(b.append(std::move(ib)));
      ASSERT_TRUE(sum.append(std::move(is)));
      ASSERT_TRUE(scaled.append(std::move(ik)));
    }
    const SignalInput in{Signal::kMarginal, &s, FallbackIntensity{g(300), "test"}};
    const double ga = operational_emissions(a, in)->operational.grams();
    const double gb = operational_emissions(b, in)->operational.grams();
    expect_close(operational_emissions(sum, in)->operational.grams(), ga + gb);
    expect_close(operational_emissions(scaled, in)->operational.grams(), factor * ga);
  }
}

TEST(Emissions, PerComponentSumsEqualTheTotalAndBruteForce) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 30; ++round) {
    const UtcTime from = at("2023-11-01T00:00Z");
    IntensitySeries s = random_series(rng, from - hours(1), from + hours(20), Signal::kAverageDirect, true);
    EnergyTimeline t = random_timeline(rng, from, from + hours(24));  // runs past the series: fallback
    auto r = operational_emissions(t, SignalInput{Signal::kAverageDirect, &s, FallbackIntensity{g(321), "test"}});
    ASSERT_TRUE(r);
    double sum = 0;
    Energy e;
    for (const ComponentEmissions& c : r->components) {
      sum += c.operational.grams();
      e += c.energy;
    }
    EXPECT_EQ(sum, r->operational.grams());
    expect_close(e.joules(), t.total().joules());
    expect_close(r->operational.grams(), brute_force_grams(t, s, 321.0));
    // Coverage adds up to all the energy.
    expect_close((r->energy_time_resolved + r->energy_fallback + r->energy_unpriced).joules(), r->energy.joules());
    EXPECT_EQ(r->energy_unpriced.joules(), 0);
  }
}

TEST(Emissions, UncoveredTimeUsesTheFallbackAndSaysSo) {
  const UtcTime t0 = at("2023-05-01T00:00Z");
  IntensitySeries s("DE", Signal::kAverageLifecycle);
  s.set_provenance({"electricitymaps-csv", "de.csv", "ODbL"});
  ASSERT_TRUE(s.append(t0, hours(1), g(100)));
  ASSERT_TRUE(s.append(t0 + hours(2), hours(1), g(300)));  // gap 01:00-02:00
  EnergyTimeline t;
  // 3.6 MJ = 1 kWh per hour, uniform over three hours.
  ASSERT_TRUE(t.append(t0, hours(3), {{"gpu", Energy::kilowatt_hours(3)}}));
  auto with = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, &s, FallbackIntensity{g(500), "DE 2023"}});
  ASSERT_TRUE(with);
  EXPECT_DOUBLE_EQ(with->operational.grams(), 100 + 500 + 300);
  EXPECT_DOUBLE_EQ(with->energy_fallback.kilowatt_hours(), 1);
  EXPECT_DOUBLE_EQ(with->operational_fallback.grams(), 500);
  EXPECT_EQ(with->time_fallback, hours(1));
  ASSERT_TRUE(with->fallback);
  EXPECT_TRUE(with->estimate);
  ASSERT_FALSE(with->estimate_reasons.empty());
  EXPECT_NE(with->estimate_reasons[0].find("annual mean, not time-resolved"), std::string::npos);
  EXPECT_TRUE(with->complete());
  EXPECT_EQ(with->series_zone, "DE");
  EXPECT_NE(with->series_source.find("electricitymaps-csv: de.csv"), std::string::npos);

  auto without = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, &s, std::nullopt});
  ASSERT_TRUE(without);
  EXPECT_DOUBLE_EQ(without->operational.grams(), 400);
  EXPECT_DOUBLE_EQ(without->energy_unpriced.kilowatt_hours(), 1);
  EXPECT_FALSE(without->complete());
  EXPECT_FALSE(without->fallback);

  // No series at all: everything at the fallback.
  auto none = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, nullptr, FallbackIntensity{g(500), "x"}});
  ASSERT_TRUE(none);
  EXPECT_DOUBLE_EQ(none->operational.grams(), 1500);
  EXPECT_DOUBLE_EQ(none->energy_fallback.kilowatt_hours(), 3);
}

TEST(Emissions, EstimatedPointsAndEstimatedEnergyAreLabelled) {
  const UtcTime t0 = at("2023-05-01T00:00Z");
  IntensitySeries s("IN-WE", Signal::kAverageLifecycle);
  ASSERT_TRUE(s.append(t0, hours(1), g(700), /*estimated=*/true));
  EnergyTimeline t;
  ASSERT_TRUE(t.append(t0, minutes(30), {{"gpu", J(1000)}}));
  auto r = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, &s, std::nullopt});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->estimate);
  EXPECT_EQ(r->energy_at_estimated_points.joules(), 1000);

  EnergyTimeline measured;
  ASSERT_TRUE(measured.append(t0, minutes(30), {{"gpu", J(1000)}}));
  IntensitySeries clean("DE", Signal::kAverageLifecycle);
  ASSERT_TRUE(clean.append(t0, hours(1), g(300)));
  auto m = operational_emissions(measured, SignalInput{Signal::kAverageLifecycle, &clean, std::nullopt});
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->estimate) << (m->estimate_reasons.empty() ? "" : m->estimate_reasons[0]);

  EnergyTimeline est;
  ASSERT_TRUE(est.append(t0, minutes(30), {{"cpu", J(1000), Method::kEstimated}}));
  auto e = operational_emissions(est, SignalInput{Signal::kAverageLifecycle, &clean, std::nullopt});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->estimate);
  EXPECT_EQ(e->components[0].method, Method::kEstimated);
}

TEST(Emissions, PueAndEmbodiedLinesAddUpToTheTotalShown) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> pue(1.0, 2.0), kg(0, 5000), share(0.01, 1.0);
  for (int round = 0; round < 30; ++round) {
    const UtcTime from = at("2022-02-01T00:00Z");
    IntensitySeries avg = random_series(rng, from, from + hours(25), Signal::kAverageLifecycle, true);
    IntensitySeries marg = random_series(rng, from, from + hours(25), Signal::kMarginal, false);
    EnergyTimeline t = random_timeline(rng, from, from + hours(24));
    EmissionsOptions o;
    o.pue = pue(rng);
    o.pue_source = "test";
    o.embodied = EmbodiedInput{Mass::kilograms(kg(rng)), share(rng), hours(24 * 1461), "test"};
    auto b = compute_emissions(t, SignalInput{Signal::kAverageLifecycle, &avg, FallbackIntensity{g(250), "t"}},
                               SignalInput{Signal::kMarginal, &marg, std::nullopt}, o);
    ASSERT_TRUE(b) << b.error().message;
    ASSERT_TRUE(b->embodied);
    ASSERT_TRUE(b->marginal);
    EXPECT_EQ(b->total.grams(), (b->average.operational + b->pue_overhead + b->embodied->amount).grams());
    EXPECT_EQ(b->total_marginal->grams(),
              (b->marginal->operational + *b->pue_overhead_marginal + b->embodied->amount).grams());
    expect_close(b->pue_overhead.grams(), b->average.operational.grams() * (o.pue - 1));
    // Operational x PUE is what a facility-level meter would see.
    expect_close((b->average.operational + b->pue_overhead).grams(), b->average.operational.grams() * o.pue);
    expect_close(b->embodied->amount.grams(),
                 o.embodied->hardware_total.grams() * o.embodied->resource_share *
                     static_cast<double>(b->span.count()) / static_cast<double>(o.embodied->lifetime.count()));
    EXPECT_EQ(b->span, t.end() - t.start());
    EXPECT_TRUE(b->estimate);
  }
}

TEST(Emissions, ValidatesItsInputs) {
  EnergyTimeline t;
  ASSERT_TRUE(t.append(at("2023-01-01T00:00Z"), hours(1), {{"gpu", J(1)}}));
  IntensitySeries marg("CAISO_NORTH", Signal::kMarginal);
  ASSERT_TRUE(marg.append(at("2023-01-01T00:00Z"), hours(1), g(400)));
  const SignalInput avg{Signal::kAverageLifecycle, nullptr, FallbackIntensity{g(100), "x"}};
  EmissionsOptions o;
  o.pue = 0.9;
  auto low = compute_emissions(t, avg, std::nullopt, o);
  ASSERT_FALSE(low);
  EXPECT_NE(low.error().message.find("PUE of at least 1.0"), std::string::npos);
  o.pue = std::nan("");
  EXPECT_FALSE(compute_emissions(t, avg, std::nullopt, o));
  o.pue = 1.2;
  // A marginal series given as the average one.
  auto mixed = compute_emissions(t, SignalInput{Signal::kAverageLifecycle, &marg, std::nullopt}, std::nullopt, o);
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.error().message.find("expected a average-lifecycle series"), std::string::npos) << mixed.error().message;
  EXPECT_FALSE(compute_emissions(t, SignalInput{Signal::kMarginal, &marg, std::nullopt}, std::nullopt, o));
  EXPECT_FALSE(compute_emissions(EnergyTimeline{}, avg, std::nullopt, o));
  o.embodied = EmbodiedInput{Mass::kilograms(100), 1.5, hours(1), "x"};
  EXPECT_FALSE(compute_emissions(t, avg, std::nullopt, o));
  o.embodied = EmbodiedInput{Mass::kilograms(100), 0.5, hours(0), "x"};
  EXPECT_FALSE(compute_emissions(t, avg, std::nullopt, o));
  o.embodied = EmbodiedInput{Mass::kilograms(100), 0.5, hours(10), "x"};
  auto ok = compute_emissions(t, avg, SignalInput{Signal::kMarginal, &marg, std::nullopt}, o);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_DOUBLE_EQ(ok->embodied->amount.grams(), 100e3 * 0.5 / 10);
  EXPECT_DOUBLE_EQ(ok->total_marginal->grams(), (J(1) * g(400)).grams() * 1.2 + 5000);
}

// A real Electricity Maps year against a brute-force hour-by-hour sum.
TEST(Emissions, MatchesBruteForceOnARealElectricityMapsYear) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = testing::shared_data() / "electricitymaps-hourly" / "green-dcc" / "DE-LU_2023_hourly.csv";
  auto imported = intensity::import_file(path.string(), intensity::ImportOptions{});
  ASSERT_TRUE(imported) << imported.error().message;
  ASSERT_EQ(imported->series.size(), 1u);
  const IntensitySeries& s = imported->series[0];
  EXPECT_EQ(s.zone(), "DE");
  const uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> day(0, 360);
  for (int round = 0; round < 5; ++round) {
    // A 4-day job starting at a random, unaligned instant.
    const UtcTime from = s.start() + hours(24 * day(rng)) + milliseconds(std::uniform_int_distribution<int64_t>(0, 3'599'999)(rng));
    EnergyTimeline t = random_timeline(rng, from, from + hours(96));
    auto r = operational_emissions(t, SignalInput{Signal::kAverageLifecycle, &s, std::nullopt});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->complete());
    // Brute force, hour by hour: each hour's energy (uniform within each
    // interval) times that hour's intensity.
    double grams = 0;
    for (const EnergyInterval& iv : t.intervals()) {
      const double w_per_ms = iv.total().kilowatt_hours() / static_cast<double>(iv.duration.count());
      UtcTime h = std::chrono::floor<hours>(iv.start);
      for (; h < iv.end(); h += hours(1)) {
        const UtcTime a = std::max<UtcTime>(h, iv.start), b = std::min<UtcTime>(h + hours(1), iv.end());
        grams += w_per_ms * static_cast<double>((b - a).count()) * s.at(h)->grams_per_kwh();
      }
    }
    expect_close(r->operational.grams(), grams);
  }
}

}  // namespace
}  // namespace greenrun::accounting
