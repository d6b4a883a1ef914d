// run.json's "tracker" section (engine/tracker_section.h), apart from the
// Tracker's sampling thread: phases priced from the intervals, open phases
// closed at the end, the rank's node-energy line, the prediction's outcome.
#include "engine/tracker_section.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace greenrun::engine {
namespace {

using std::chrono::seconds;
using sensors::Component;

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

TEST(TrackerSection, PhasesShareEachIntervalsJobEnergyByTimeAndAddUp) {
  const UtcTime t0 = at("2024-05-01T10:00:00Z");
  const std::vector<runner::IntervalRecord> ivs = {interval(t0, seconds(10), 100, 999),
                                                   interval(t0 + seconds(10), seconds(10), 50, 999)};
  // Two phases that split the run at 5 s, and one that overlaps both.
  const std::vector<PhaseWindow> phases = {{"load", t0, t0 + seconds(5)},
                                           {"train", t0 + seconds(5), std::nullopt},
                                           {"middle", t0 + seconds(5), t0 + seconds(15)}};
  const auto e = phase_energy(ivs, phases, t0 + seconds(20));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_DOUBLE_EQ(e[0].joules(), 50);                  // half of the first interval
  EXPECT_DOUBLE_EQ(e[1].joules(), 100);                 // the rest, to the end (platform left out)
  EXPECT_DOUBLE_EQ(e[0].joules() + e[1].joules(), 150) << "phases that tile the run add up to its job energy";
  EXPECT_DOUBLE_EQ(e[2].joules(), 50 + 25);
}

TEST(TrackerSection, JsonClosesOpenPhasesAtTheEndAndNamesWhoRecordsTheNode) {
  const UtcTime t0 = at("2024-05-01T10:00:00Z");
  TrackerSection s;
  s.process = 4242;
  s.rank = RankInfo{1, 1, 2, "RANK/LOCAL_RANK/WORLD_SIZE"};
  s.phases = {{"train", t0, std::nullopt}};
  s.marks = {{t0 + seconds(3), "loss", 0.5}, {t0 + seconds(4), "nan", std::nan("")}};
  const auto j = nlohmann::json::parse(
      tracker_section_json(s, {interval(t0, seconds(10), 100, 0)}, t0 + seconds(10), 0));
  EXPECT_EQ(j["process"], 4242);
  EXPECT_NE(j["rank"]["node_energy"].get<std::string>().find("recorded by LOCAL_RANK 0"), std::string::npos);
  EXPECT_EQ(j["phases"][0]["end"], "2024-05-01T10:00:10Z");
  EXPECT_EQ(j["phases"][0]["closed_by_stop"], true);
  EXPECT_DOUBLE_EQ(j["phases"][0]["job_j"].get<double>(), 100);
  EXPECT_EQ(j["marks"][0]["value"], 0.5);
  EXPECT_FALSE(j["marks"][1].contains("value")) << "a value that is not finite is left out";
  EXPECT_FALSE(j.contains("prediction"));
  EXPECT_FALSE(j.contains("budget"));
}

TEST(TrackerSection, PredictionIsComparedWithTheOutcomeOnlyWhenEveryEpochRan) {
  TrackerSection s;
  s.epochs = {{seconds(10), Energy::joules(100)}, {seconds(10), Energy::joules(100)}};
  s.epochs_planned = 2;
  PredictedRun p;
  p.epochs.observed = 1;
  p.epochs.total = 2;
  p.epochs.duration_s = {18, 20, 22};
  p.epochs.energy_j = {150, 250, 300};
  p.emissions_g = {0.015, 0.025, 0.03};
  s.first_prediction = p;
  s.budget = Mass::kilograms(1);
  s.budget_exceeded_at = 2;
  auto j = nlohmann::json::parse(tracker_section_json(s, {}, at("2024-05-01T10:00:20Z"), 1e-4));
  const auto& outcome = j["prediction"]["outcome"];
  EXPECT_EQ(outcome["complete"], true);
  EXPECT_DOUBLE_EQ(outcome["emissions_g"].get<double>(), 200 * 1e-4);
  EXPECT_DOUBLE_EQ(outcome["error_percent"]["energy"].get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(outcome["error_percent"]["duration"].get<double>(), 0.0);
  EXPECT_EQ(outcome["energy_within_interval"], true);
  EXPECT_EQ(j["budget"]["exceeded_at_epoch"], 2);
  s.epochs.pop_back();
  j = nlohmann::json::parse(tracker_section_json(s, {}, at("2024-05-01T10:00:20Z"), 1e-4));
  EXPECT_EQ(j["prediction"]["outcome"]["complete"], false);
  EXPECT_FALSE(j["prediction"]["outcome"].contains("error_percent"));
  EXPECT_NE(j["prediction"]["outcome"]["note"].get<std::string>().find("1 of 2 epochs"), std::string::npos);
}

}  // namespace
}  // namespace greenrun::engine
