#include "runner/run_emissions.h"

#include <gtest/gtest.h>

#include <random>

#include "greenrun/base/time_format.h"
#include "intensity/importers/importer.h"
#include "scheduling/flexible_start.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
using sensors::Component;
using sensors::Method;

IntervalRecord interval(UtcTime start, Duration d, double job_j, Method m = Method::kEstimated) {
  IntervalRecord r;
  r.start = start;
  r.end = start + d;
  r.components[Component::kCpu] = {Energy::joules(job_j * 2), Energy::joules(job_j), m};
  r.components[Component::kPlatform] = {Energy::joules(1e9), Energy::joules(1e9), Method::kMeasured};
  return r;
}

const std::string kGermany2022 = "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv";

intensity::IntensitySeries germany_2022() {
  auto imported = intensity::import_file((greenrun::testing::shared_data() / kGermany2022).string(), {});
  EXPECT_TRUE(imported) << imported.error().message;
  for (auto& s : imported->series)
    if (s.signal() == intensity::Signal::kAverageLifecycle) return s;
  ADD_FAILURE() << "no life-cycle series in " << kGermany2022;
  return {};
}

RunIntensity with_series(const intensity::IntensitySeries& s, std::optional<double> fallback = std::nullopt) {
  RunIntensity r;
  r.average = s;
  if (fallback) r.fallback = accounting::FallbackIntensity{CarbonIntensity::grams_per_kwh(*fallback), "test mean"};
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-run-emissions"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  intensity::IntensityStore store_with_germany_2022() {
    auto store = intensity::IntensityStore::open((dir_ / "greenrun.db").string());
    EXPECT_TRUE(store) << store.error().message;
    auto imported = intensity::import_file((greenrun::testing::shared_data() / kGermany2022).string(), {});
    EXPECT_TRUE(imported) << imported.error().message;
    auto summary = store->import(imported->series);
    EXPECT_TRUE(summary) << summary.error().message;
    return std::move(*store);
  }
  std::filesystem::path dir_;
};

TEST(RunEnergyTimeline, JobOrMachineSharePlatformLeftOutSimulatedKept) {
  const UtcTime t0 = *parse_utc("2024-05-01T10:00:00Z");
  std::vector<IntervalRecord> iv = {interval(t0, 1s, 10, Method::kSimulated), interval(t0 + 1s, 1s, 20)};
  // ms rounding in timeline.jsonl can put a start 1 ms before the previous end.
  iv.push_back(interval(t0 + 2s - 1ms, 1s + 1ms, 30, Method::kMeasured));
  auto job = energy_timeline(iv, Share::kJob);
  ASSERT_TRUE(job) << job.error().message;
  auto machine = energy_timeline(iv, Share::kMachine);
  ASSERT_TRUE(machine) << machine.error().message;
  EXPECT_EQ(job->size(), 3u);
  EXPECT_EQ(job->components(), std::vector<std::string>{"cpu"});
  EXPECT_DOUBLE_EQ(job->total().joules(), 60);
  EXPECT_DOUBLE_EQ(machine->total().joules(), 120);
  EXPECT_EQ(job->intervals()[0].readings[0].method, accounting::Method::kSimulated);
  EXPECT_EQ(job->intervals()[2].start, t0 + 2s);
  EXPECT_EQ(job->intervals()[2].duration, 1s);
}

TEST(RunEmissions, UsesEachIntervalsOwnHour) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  // Half an hour either side of 12:00 on 2022-06-01: two different hours.
  const UtcTime t0 = *parse_utc("2022-06-01T11:30:00Z");
  std::vector<IntervalRecord> iv;
  for (int i = 0; i < 60; ++i) iv.push_back(interval(t0 + std::chrono::minutes(i), 1min, 3.6e6 / 60));  // 1 kWh job
  auto e = run_emissions(iv, with_series(de), {});
  ASSERT_TRUE(e) << e.error().message;
  const double h11 = de.at(*parse_utc("2022-06-01T11:00:00Z"))->grams_per_kwh();
  const double h12 = de.at(*parse_utc("2022-06-01T12:00:00Z"))->grams_per_kwh();
  ASSERT_NE(h11, h12);
  EXPECT_NEAR(e->job.average.operational.grams(), (h11 + h12) / 2, 1e-6);
  EXPECT_NEAR(e->machine.average.operational.grams(), h11 + h12, 1e-6);  // the machine used twice the job's energy
  const auto f = emissions_figure(e->job, false);
  EXPECT_DOUBLE_EQ(f.coverage, 1.0);
  EXPECT_NEAR(f.job.grams(), (h11 + h12) / 2, 1e-6);
  EXPECT_NE(f.source.find("store: DE"), std::string::npos) << f.source;
}

TEST(RunEmissions, LinesAddUpAndAreLinearInEnergy) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const UtcTime t0 = *parse_utc("2022-03-10T00:00:00Z") + std::chrono::minutes(rng() % 10000);
  std::vector<IntervalRecord> a, b;
  for (int i = 0; i < 100; ++i) {
    const double j = static_cast<double>(rng() % 100000);
    a.push_back(interval(t0 + std::chrono::seconds(10 * i), 10s, j));
    b.push_back(interval(t0 + std::chrono::seconds(10 * i), 10s, 3 * j));
  }
  accounting::EmissionsOptions opt;
  opt.pue = 1.5;
  opt.embodied = accounting::EmbodiedInput{Mass::kilograms(1200), 0.25, std::chrono::hours(24 * 1461), "test"};
  auto ea = run_emissions(a, with_series(de), opt);
  auto eb = run_emissions(b, with_series(de), opt);
  ASSERT_TRUE(ea && eb);
  const double op = ea->job.average.operational.grams();
  EXPECT_NEAR(eb->job.average.operational.grams(), 3 * op, 1e-9 * op);
  EXPECT_NEAR(ea->job.pue_overhead.grams(), 0.5 * op, 1e-9 * op);
  ASSERT_TRUE(ea->job.embodied);
  EXPECT_GT(ea->job.embodied->amount.grams(), 0);
  // Embodied depends on time reserved, not energy: the same for job and machine.
  EXPECT_DOUBLE_EQ(ea->job.embodied->amount.grams(), ea->machine.embodied->amount.grams());
  for (const auto* x : {&ea->job, &ea->machine})
    EXPECT_NEAR(x->total.grams(), x->average.operational.grams() + x->pue_overhead.grams() + x->embodied->amount.grams(),
                1e-9 * x->total.grams());
  // The summary figure is operational x PUE, embodied apart.
  EXPECT_NEAR(emissions_figure(ea->job, false).job.grams(), 1.5 * op, 1e-9 * op);
}

TEST(RunEmissions, UncoveredTimeUsesTheLabelledAnnualMean) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const UtcTime t0 = *parse_utc("2022-12-31T23:00:00Z");  // the last hour, then no data
  std::vector<IntervalRecord> iv = {interval(t0, 1h, 3.6e6), interval(t0 + 1h, 1h, 3.6e6)};
  auto e = run_emissions(iv, with_series(de, 475), {});
  ASSERT_TRUE(e) << e.error().message;
  const double last = de.at(t0)->grams_per_kwh();
  EXPECT_NEAR(e->job.average.operational.grams(), last + 475, 1e-6);
  const auto f = emissions_figure(e->job, false);
  EXPECT_DOUBLE_EQ(f.coverage, 0.5);
  EXPECT_NE(f.source.find(" + annual mean, not time-resolved (test mean) for uncovered time"), std::string::npos)
      << f.source;
  EXPECT_NEAR(f.mean_intensity.grams_per_kwh(), (last + 475) / 2, 1e-9);
}

TEST(RunEmissions, NoSeriesUsesTheCatalogueAnnualMeanOrTheWorlds) {
  std::vector<IntervalRecord> iv = {interval(*parse_utc("2026-01-01T00:00:00Z"), 1h, 3.6e6)};
  for (const std::string zone : {"DE", ""}) {
    SCOPED_TRACE("zone '" + zone + "'");
    const auto in = load_run_intensity(nullptr, zone, iv.front().start, iv.back().end);
    EXPECT_TRUE(in.average.empty());
    EXPECT_FALSE(in.marginal);
    ASSERT_TRUE(in.fallback);
    EXPECT_NE(in.fallback->source.find(zone.empty() ? "WORLD annual mean" : "DE annual mean"), std::string::npos);
    auto e = run_emissions(iv, in, {});
    ASSERT_TRUE(e) << e.error().message;
    const auto f = emissions_figure(e->job, false);
    EXPECT_NEAR(f.job.grams(), in.fallback->value.grams_per_kwh(), 1e-9);
    EXPECT_DOUBLE_EQ(f.coverage, 0);
    EXPECT_NE(f.source.find("annual mean, not time-resolved"), std::string::npos) << f.source;
  }
}

TEST_F(StoreTest, LoadsTheStoresSeriesForTheRunsSpan) {
  GREENRUN_REQUIRE_SHARED_DATA();
  auto store = store_with_germany_2022();
  const UtcTime t0 = *parse_utc("2022-06-01T11:30:00Z");
  const auto in = load_run_intensity(&store, "DE", t0, t0 + 1h);
  ASSERT_FALSE(in.average.empty());
  EXPECT_EQ(in.average.signal(), intensity::Signal::kAverageLifecycle);
  EXPECT_TRUE(in.average.covers(t0, t0 + 1h));
  EXPECT_FALSE(in.marginal);  // Electricity Maps has no marginal signal
  EXPECT_TRUE(load_run_intensity(&store, "DE", t0 + std::chrono::hours(24 * 800), t0 + std::chrono::hours(24 * 801))
                  .average.empty());
}

// Brute force: the job's energy per interval shifted by k hours, priced at
// the series' time-weighted mean over each shifted interval.
double emissions_shifted(const intensity::IntensitySeries& s, const std::vector<IntervalRecord>& iv, Duration shift) {
  double g = 0;
  for (const auto& r : iv) {
    const auto m = s.mean(r.start + shift, r.end + shift);
    EXPECT_TRUE(m) << m.error().message;
    g += r.components.at(Component::kCpu).job.kilowatt_hours() * m->grams_per_kwh();
  }
  return g;
}

TEST(RunFlexibleStart, MatchesBruteForceOverTheNext24Hours) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  // A 90-minute run with an uneven power profile, starting off the hour.
  const UtcTime t0 = *parse_utc("2022-04-01T00:00:00Z") + std::chrono::minutes(rng() % (60 * 24 * 200));
  std::vector<IntervalRecord> iv;
  for (int i = 0; i < 90; ++i)
    iv.push_back(interval(t0 + std::chrono::minutes(i), 1min, static_cast<double>(1000 + rng() % 50000)));
  auto plan = flexible_start_over(de, iv, t0, /*max_parts=*/4096);
  ASSERT_TRUE(plan) << plan.error().message;
  const double base = emissions_shifted(de, iv, Duration(0));
  // The oracle: every start on a one-minute grid over the next 24 h. The
  // plan's starts are aligned to the data (the run starts off the hour), so
  // it is never worse than any of them, and its figure is its own start's.
  double best = base;
  for (int k = 1; k <= 24 * 60; ++k) best = std::min(best, emissions_shifted(de, iv, std::chrono::minutes(k)));
  EXPECT_NEAR(plan->baseline.grams(), base, 1e-6 * base);
  EXPECT_LE(plan->emissions.grams(), best + 1e-6 * base);
  EXPECT_NEAR(plan->emissions.grams(), emissions_shifted(de, iv, plan->start() - t0), 1e-6 * base);
  EXPECT_GE(plan->start(), t0);
  EXPECT_LE(plan->start(), t0 + std::chrono::hours(24));
  // Merging the profile into fewer parts keeps the energy; the answer moves
  // only by the profile's detail.
  auto coarse = flexible_start_over(de, iv, t0, /*max_parts=*/3);
  ASSERT_TRUE(coarse) << coarse.error().message;
  EXPECT_NEAR(coarse->baseline.grams(), base, 0.05 * base);
}

TEST(RunFlexibleStart, SaysWhyWhenItCannot) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = germany_2022();
  const UtcTime late = *parse_utc("2022-12-31T12:00:00Z");  // the next 24 h run past the data
  auto plan = flexible_start_over(de, {interval(late, 1h, 1000)}, late);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("2023-01-01"), std::string::npos) << plan.error().message;
  auto idle = flexible_start_over(de, {interval(late - std::chrono::hours(48), 1h, 0)}, late - std::chrono::hours(48));
  ASSERT_FALSE(idle);
  EXPECT_NE(idle.error().message.find("no measurable energy"), std::string::npos);
  const auto none = flexible_start_hindsight(nullptr, "", {interval(late, 1h, 1000)}, late);
  EXPECT_FALSE(none.computed);
  EXPECT_NE(none.reason.find("no grid zone"), std::string::npos) << none.reason;
}

TEST_F(StoreTest, HindsightUsesStoredActualDataElseTheLabelledTypicalProfile) {
  GREENRUN_REQUIRE_SHARED_DATA();
  auto store = store_with_germany_2022();
  const UtcTime t0 = *parse_utc("2022-07-14T09:20:00Z");
  std::vector<IntervalRecord> iv;
  for (int i = 0; i < 30; ++i) iv.push_back(interval(t0 + std::chrono::minutes(i), 1min, 2000));
  const auto f = flexible_start_hindsight(&store, "DE", iv, t0);
  ASSERT_TRUE(f.computed) << f.reason;
  EXPECT_EQ(f.basis, "stored actual data (hindsight)");
  auto plan = flexible_start_over(germany_2022(), iv, t0);
  ASSERT_TRUE(plan);
  EXPECT_EQ(f.best_start, plan->start());
  EXPECT_NEAR(f.saving_percent, plan->saving_percent(), 1e-9);
  EXPECT_GT(f.saving_percent, 0.0);  // midday sun makes a later start cleaner
  EXPECT_LE(f.emissions.grams(), f.baseline.grams());

  // 2026: nothing stored, so the typical profile, called so.
  const UtcTime later = *parse_utc("2026-07-14T09:20:00Z");
  std::vector<IntervalRecord> iv2;
  for (int i = 0; i < 30; ++i) iv2.push_back(interval(later + std::chrono::minutes(i), 1min, 2000));
  const auto t = flexible_start_hindsight(&store, "DE", iv2, later);
  ASSERT_TRUE(t.computed) << t.reason;
  EXPECT_EQ(t.basis, "typical profile, not a forecast");
  EXPECT_LE(t.emissions.grams(), t.baseline.grams());
}

}  // namespace
}  // namespace greenrun::runner
