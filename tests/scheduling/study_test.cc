#include "scheduling/study.h"

#include <gtest/gtest.h>

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
