// run.json's tracker section built from what a Tracker kept
// (engine/tracker_summary.h), apart from its sampling thread: phases priced
// from the intervals, open phases closed at the end, marks, the prediction's
// outcome and the budget.
#include "engine/tracker_summary.h"

#include <gtest/gtest.h>

#include <cmath>

#include "greenrun/base/time_format.h"

namespace greenrun::engine {
namespace {

using sensors::Component;
using std::chrono::seconds;

UtcTime at(const char* s) { return *parse_utc(s); }

runner::IntervalRecord interval(UtcTime start, Duration d, double cpu_job_j, double platform_j) {
  runner::IntervalRecord r;
  r.start = start;
  r.end = start + d;
  r.components[Component::kCpu] = {Energy::joules(2 * cpu_job_j), Energy::joules(cpu_job_j), sensors::Method::kMeasured};
  r.components[Component::kPlatform] = {Energy::joules(platform_j), Energy::joules(platform_j),
                                        sensors::Method::kMeasured};
  return r;
}

TEST(TrackerSummary, PhasesShareEachIntervalsJobEnergyByTimeAndAddUp) {
  const UtcTime t0 = at("2024-05-01T10:00:00Z");
  const std::vector<runner::IntervalRecord> ivs = {interval(t0, seconds(10), 100, 999),
                                                   interval(t0 + seconds(10), seconds(10), 50, 999)};
  // Two phases that split the run at 5 s, and one that overlaps both intervals.
  const std::vector<PhaseWindow> phases = {{"load", t0, t0 + seconds(5)},
                                           {"train", t0 + seconds(5), std::nullopt},
                                           {"middle", t0 + seconds(5), t0 + seconds(15)}};
  const auto e = phase_energy(ivs, phases, t0 + seconds(20));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_DOUBLE_EQ(e[0].joules(), 50);   // half of the first interval
  EXPECT_DOUBLE_EQ(e[1].joules(), 100);  // the rest, to the end (platform left out)
  EXPECT_DOUBLE_EQ(e[0].joules() + e[1].joules(), 150) << "phases that tile the run add up to its job energy";
  EXPECT_DOUBLE_EQ(e[2].joules(), 50 + 25);
}

TEST(TrackerSummary, ClosesOpenPhasesAtTheEndAndDropsValuesThatAreNotFinite) {
  const UtcTime t0 = at("2024-05-01T10:00:00Z");
  TrackerKept k;
  k.process = 4242;
  k.rank = RankInfo{1, 1, 2, "RANK/LOCAL_RANK/WORLD_SIZE"};
  k.phases = {{"train", t0, std::nullopt}};
  k.marks = {{t0 + seconds(3), "loss", 0.5}, {t0 + seconds(4), "nan", std::nan("")}};
  const auto t = tracker_section(k, {interval(t0, seconds(10), 100, 0)}, t0 + seconds(10), 0);
  EXPECT_EQ(t.process, 4242);
  EXPECT_FALSE(t.rank.node_owner()) << "LOCAL_RANK 1 keeps its share; LOCAL_RANK 0 records the node";
  ASSERT_EQ(t.phases.size(), 1u);
  EXPECT_EQ(t.phases[0].end, t0 + seconds(10));
  EXPECT_TRUE(t.phases[0].closed_by_stop);
  EXPECT_DOUBLE_EQ(t.phases[0].job.joules(), 100);
  ASSERT_EQ(t.marks.size(), 2u);
  EXPECT_EQ(t.marks[0].value, 0.5);
  EXPECT_FALSE(t.marks[1].value) << "a value that is not finite is left out";
  EXPECT_FALSE(t.prediction);
  EXPECT_FALSE(t.budget);
  EXPECT_EQ(tracker_section({}, {}, t0, 0).rank.source, "one process");
}

TEST(TrackerSummary, PredictionIsComparedWithTheOutcomeOnlyWhenEveryEpochRan) {
  TrackerKept k;
  k.epochs = {{seconds(10), Energy::joules(100)}, {seconds(10), Energy::joules(100)}};
  k.epochs_planned = 2;
  PredictedRun p;
  p.epochs.observed = 1;
  p.epochs.total = 2;
  p.epochs.duration_s = {18, 20, 22};
  p.epochs.energy_j = {150, 250, 300};
  p.emissions_g = {0.015, 0.025, 0.03};
  k.first_prediction = p;
  k.budget = Mass::kilograms(1);
  k.budget_exceeded_at = 2;
  const UtcTime end = at("2024-05-01T10:00:20Z");
  auto t = tracker_section(k, {}, end, 1e-4);
  ASSERT_TRUE(t.prediction);
  const auto& outcome = t.prediction->outcome;
  EXPECT_TRUE(outcome.complete);
  EXPECT_DOUBLE_EQ(outcome.emissions.grams(), 200 * 1e-4);
  ASSERT_TRUE(outcome.error_percent);
  EXPECT_DOUBLE_EQ(outcome.error_percent->energy, 25.0);
  EXPECT_DOUBLE_EQ(outcome.error_percent->duration, 0.0);
  EXPECT_EQ(outcome.energy_within_interval, true);
  ASSERT_TRUE(t.budget);
  EXPECT_EQ(t.budget->exceeded_at_epoch, 2u);
  k.epochs.pop_back();
  t = tracker_section(k, {}, end, 1e-4);
  EXPECT_FALSE(t.prediction->outcome.complete);
  EXPECT_FALSE(t.prediction->outcome.error_percent);
  EXPECT_NE(t.prediction->outcome.note.find("1 of 2 epochs"), std::string::npos);
}

}  // namespace
}  // namespace greenrun::engine
