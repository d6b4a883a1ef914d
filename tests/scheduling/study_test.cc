#include "greenrun/scheduling/study.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "scheduling/region_planner.h"
#include "test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours;

TEST(Study, ParsesWindowsStartRulesAndPresets) {
  auto w = parse_window("100%");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->resolve(hours(6)), hours(6));
  EXPECT_EQ(parse_window("24h")->resolve(hours(6)), hours(24));
  EXPECT_FALSE(parse_window("soon"));
  auto r = parse_start_rule("monthly:1,7,13,19,25@00:00");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->days.size(), 5u);
  EXPECT_FALSE(parse_start_rule("monthly:32@00:00"));
  EXPECT_FALSE(parse_start_rule("weekly"));
  EXPECT_EQ(builtin_presets().size(), 11u);
  auto p = select_presets("bert-finetune,vit-huge");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->at(1).duration, hours(216));
  EXPECT_FALSE(select_presets("gpt-5"));
  auto csv = parse_presets_csv("name,duration,energy\nmine,90m,1.5kWh\n", "jobs.csv");
  ASSERT_TRUE(csv) << csv.error().message;
  EXPECT_EQ(csv->at(0).duration, std::chrono::minutes(90));
  auto bad = parse_presets_csv("name,duration,energy\nmine,-1h,1kWh\n", "jobs.csv");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("jobs.csv:2: column 2", 0), 0u) << bad.error().message;
}

TEST(Study, SpreadEqualsQuantilesOfTheSortedValues) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (size_t n = 1; n < 300; n += n < 40 ? 1 : 37) {
    SCOPED_TRACE("n " + std::to_string(n));
    std::vector<double> v(n);
    for (double& x : v) x = std::uniform_int_distribution<int>(-20, 20)(rng) * 0.5;  // ties
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    auto by_sort = [&](double q) {
      const double pos = q * static_cast<double>(n - 1);
      const auto lo = static_cast<size_t>(std::floor(pos));
      const size_t hi = std::min(lo + 1, n - 1);
      return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
    };
    // Bins as the study makes them: monotone in the value, several values a bin.
    std::vector<uint16_t> bins(n);
    std::vector<uint32_t> counts(64, 0);
    for (size_t i = 0; i < n; ++i) {
      bins[i] = static_cast<uint16_t>(std::floor((v[i] + 20) / 3));
      ++counts[bins[i]];
    }
    std::vector<double> scratch;
    const Spread s = spread(v, bins, counts, scratch);
    EXPECT_EQ(s.p10, by_sort(0.1));
    EXPECT_EQ(s.median, by_sort(0.5));
    EXPECT_EQ(s.p90, by_sort(0.9));
    std::vector<double> w = v;
    EXPECT_EQ(quantile(w, 0.25), by_sort(0.25));
  }
}

TEST(Study, RunsTheStudyProtocolOnRealData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = test::real_series("green-dcc/DE-LU_2022_hourly.csv");
  const auto no = test::real_series("decarbonization-potential/NO_2022_hourly.csv");
  StudyOptions o;
  o.presets = *select_presets("bert-finetune,densenet-201,vit-huge");
  o.windows = {*parse_window("24h"), *parse_window("100%")};
  o.algorithms = {Mode::kFlexibleStart, Mode::kPauseResume};
  o.starts = *parse_start_rule("monthly:1,7,13,19,25@00:00");
  o.threads = 2;
  auto r = run_study({{"DE", &de}, {"NO", &no}}, o);
  ASSERT_TRUE(r) << r.error().message;
  // 2 zones x 3 presets x 2 windows x 2 algorithms, plus the overall rows.
  ASSERT_EQ(r->rows.size(), 24u + 12u);
  for (const StudyRow& row : r->rows) {
    SCOPED_TRACE(row.zone + " " + row.preset + " " + row.window);
    if (row.zone != "all") {
      EXPECT_EQ(row.starts + row.skipped, 60u) << "5 per month";
    }
    EXPECT_GE(row.mean, -1e-9) << "a perfect forecast never loses (up to rounding)";
    EXPECT_LE(row.p10, row.median);
    EXPECT_LE(row.median, row.p90);
    if (row.algorithm == Mode::kFlexibleStart) {
      EXPECT_EQ(row.pauses_per_hour, 0);
    }
  }
  // Pause and Resume is never worse than Flexible Start with the same window.
  for (size_t i = 0; i + 1 < r->rows.size(); i += 2) {
    ASSERT_EQ(r->rows[i].algorithm, Mode::kFlexibleStart);
    EXPECT_GE(r->rows[i + 1].mean + 1e-9, r->rows[i].mean);
  }
  EXPECT_NE(r->sampling.find("5 per month"), std::string::npos);
  EXPECT_EQ(r->provenance.size(), 2u);
  // A noisy forecast can only do worse on average, and the seed makes it repeatable.
  o.error = 0.2;
  o.repeat = 3;
  o.seed = test::test_seed();
  auto noisy = run_study({{"DE", &de}}, o);
  auto again = run_study({{"DE", &de}}, o);
  ASSERT_TRUE(noisy && again);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_LE(noisy->rows[i].mean, r->rows[i].mean + 1e-9);
    EXPECT_EQ(noisy->rows[i].mean, again->rows[i].mean);
  }
}

// The pooled ("all") percentiles use the same quantile() as the zone rows:
// a one-zone study's "all" rows equal its zone rows exactly (they used to
// come from values rounded to 0.01 with nearest rank: p90 9.86 against 9.83),
// and two zones pool to the quantiles of the concatenated reductions.
TEST(Study, PooledPercentilesAgreeWithTheZoneRows) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = test::real_series("green-dcc/DE-LU_2022_hourly.csv");
  const auto no = test::real_series("decarbonization-potential/NO_2022_hourly.csv");
  StudyOptions o;
  o.presets = *select_presets("bert-finetune,vit-huge");
  o.windows = {*parse_window("12h"), *parse_window("50%")};
  o.algorithms = {Mode::kFlexibleStart, Mode::kPauseResume};
  o.starts = *parse_start_rule("hourly");
  o.from = test::at("2022-05-01T00:00:00Z");
  o.to = test::at("2022-05-09T00:00:00Z");
  o.threads = 2;
  auto one = run_study({{"DE", &de}}, o);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_TRUE(one->pooled_exact);
  const size_t k = one->rows.size() / 2;
  ASSERT_EQ(one->rows.size(), 2 * k);
  for (size_t i = 0; i < k; ++i) {
    const StudyRow& z = one->rows[i];
    const StudyRow& all = one->rows[k + i];
    ASSERT_EQ(all.zone, "all");
    EXPECT_EQ(all.p10, z.p10) << z.preset << " " << z.window;
    EXPECT_EQ(all.median, z.median) << z.preset << " " << z.window;
    EXPECT_EQ(all.p90, z.p90) << z.preset << " " << z.window;
  }
  // An 8-point series (one start a day, 8 days): the median interpolates
  // between the 4th and 5th values in the zone and the pooled rows alike.
  o.starts = *parse_start_rule("monthly:1,2,3,4,5,6,7,8@00:00");
  auto eight = run_study({{"DE", &de}}, o);
  ASSERT_TRUE(eight);
  const size_t k8 = eight->rows.size() / 2;
  for (size_t i = 0; i < k8; ++i) {
    EXPECT_EQ(eight->rows[i].starts, 8u);
    EXPECT_EQ(eight->rows[k8 + i].median, eight->rows[i].median);
  }
  // Two zones: the pooled median lies between the zone medians.
  o.starts = *parse_start_rule("hourly");
  auto two = run_study({{"DE", &de}, {"NO", &no}}, o);
  ASSERT_TRUE(two);
  const size_t per = two->rows.size() / 3;
  for (size_t i = 0; i < per; ++i) {
    const double a = two->rows[i].median, b = two->rows[per + i].median, all = two->rows[2 * per + i].median;
    EXPECT_GE(all, std::min(a, b) - 1e-12);
    EXPECT_LE(all, std::max(a, b) + 1e-12);
  }
}

TEST(RegionPlanner, PicksTheCleanestZoneAndKeepsEveryResult) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto de = test::real_series("green-dcc/DE-LU_2023_hourly.csv");
  const auto gb = test::real_series("green-dcc/GB_2023_hourly.csv");
  const Job job = *Job::make(hours(6), PowerProfile::constant(Power::watts(300)));
  RegionRequest req;
  req.earliest = test::at("2023-06-01T00:00Z");
  req.deadline = req.earliest + hours(30);
  req.modes = {Mode::kFlexibleStart, Mode::kPauseResume};
  auto c = plan_regions({{"DE", &de}, {"GB", &gb}}, job, req);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->regions.size(), 2u);
  double best = 1e300;
  for (const auto& r : c->regions)
    for (const auto& p : r.plans) best = std::min(best, p.emissions.grams());
  EXPECT_EQ(c->regions[c->best_region].plans[c->best_plan].emissions.grams(), best);
  req.deadline = req.earliest + hours(5);
  EXPECT_FALSE(plan_regions({{"DE", &de}}, job, req));
}

}  // namespace
}  // namespace greenrun::scheduling
