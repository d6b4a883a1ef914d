// engine::Tracker: this process measured from start() to stop() with the
// fake sensor and a scratch store, recorded as engine::run records a
// command; the "tracker" section (phases, marks, epochs, prediction, rank)
// and its round trip through run.json and the store. No timing assertions:
// the figures checked are the ones the tracker must record whatever the
// machine's speed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "greenrun/tracker.h"
#include "runner/run_store.h"
#include "runner/sensor_setup.h"
#include "sensors/fake/fake_sensor.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

namespace fs = std::filesystem;

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-tracker");
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    services_.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
      runner::SensorSetup s;
      s.sensors.push_back(std::make_unique<sensors::FakeSensor>(now));
      s.label = "fake";
      return s;
    };
  }
  void TearDown() override { fs::remove_all(dir_); }
  TrackRequest request() const {
    TrackRequest r;
    r.zone = "DE";
    r.project = "p";
    r.interval = std::chrono::milliseconds(10);
    r.command = {"python", "train.py"};
    r.rank = RankInfo{};
    return r;
  }
  fs::path dir_;
  Services services_;
};

TEST_F(TrackerTest, RecordsPhasesMarksEpochsAndAPredictionInTheStore) {
  auto req = request();
  req.epochs = 3;
  req.epochs_before_prediction = 2;
  auto t = Tracker::start(req, services_);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_TRUE((*t)->phase_begin("train"));
  (*t)->mark("epoch", 1);
  auto e1 = (*t)->epoch_end();
  ASSERT_TRUE(e1) << e1.error().message;
  EXPECT_FALSE(e1->prediction);
  ASSERT_TRUE((*t)->phase_begin("eval"));
  auto e2 = (*t)->epoch_end();
  ASSERT_TRUE(e2);
  ASSERT_TRUE(e2->prediction);
  EXPECT_EQ(e2->prediction->epochs.total, 3u);
  ASSERT_TRUE((*t)->phase_end("eval"));
  EXPECT_FALSE((*t)->phase_end("eval"));  // not open any more
  EXPECT_FALSE((*t)->phase_begin("train"));  // already open
  ASSERT_TRUE((*t)->epoch_end());
  auto out = (*t)->stop(0);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE((*t)->stop(0));  // twice

  ASSERT_TRUE(out->record.tracker);
  const auto j = nlohmann::json::parse(runner::tracker_section_to_json(*out->record.tracker));
  ASSERT_EQ(j["phases"].size(), 2u);
  EXPECT_EQ(j["phases"][0]["name"], "train");
  EXPECT_TRUE(j["phases"][0]["closed_by_stop"].get<bool>());
  EXPECT_FALSE(j["phases"][1]["closed_by_stop"].get<bool>());
  ASSERT_EQ(j["marks"].size(), 1u);
  EXPECT_EQ(j["marks"][0]["value"], 1.0);
  EXPECT_EQ(j["epochs"].size(), 3u);
  EXPECT_TRUE(j["prediction"]["outcome"]["complete"].get<bool>());
  EXPECT_EQ(j["rank"]["local_rank"], 0);
  EXPECT_EQ(out->record.command, (std::vector<std::string>{"python", "train.py"}));
  EXPECT_EQ(out->record.zone, "DE");

  // The store holds the same record, tracker section included.
  auto store = runner::RunStore::open(services_.store_path);
  ASSERT_TRUE(store);
  auto back = store->get(out->record.id);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->tracker, out->record.tracker);
  // The timeline carries the marks in the interval lines.
  std::ifstream timeline(fs::path(out->record.out_dir) / "timeline.jsonl");
  std::string line;
  size_t marks = 0;
  while (std::getline(timeline, line))
    if (auto l = nlohmann::json::parse(line); l.contains("marks")) marks += l["marks"].size();
  EXPECT_EQ(marks, 4u);  // two phase begins, one mark, one phase end
}

TEST_F(TrackerTest, BadRequestsAreUsageErrorsWithTheCliMessages) {
  auto req = request();
  req.interval = std::chrono::minutes(2);
  auto t = Tracker::start(req, services_);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(t.error().message, "interval: expected 10ms to 60s, got 2m");
  req = request();
  req.epochs = 0;
  EXPECT_FALSE(Tracker::start(req, services_));
  req = request();
  req.zone = "NOPE";
  auto z = Tracker::start(req, services_);
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().kind, ErrorKind::kNotFound);
}

TEST(RankInfo, ReadsTorchThenSlurmVariables) {
  const auto env = [](std::map<std::string, std::string> m) {
    return [m](std::string_view k) -> std::optional<std::string> {
      auto it = m.find(std::string(k));
      return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  auto torch = RankInfo::from_environment(env({{"RANK", "3"}, {"LOCAL_RANK", "1"}, {"WORLD_SIZE", "8"}}));
  ASSERT_TRUE(torch);
  EXPECT_EQ(torch->rank, 3);
  EXPECT_EQ(torch->local_rank, 1);
  EXPECT_EQ(torch->world_size, 8);
  auto slurm = RankInfo::from_environment(env({{"SLURM_PROCID", "5"}, {"SLURM_LOCALID", "0"}, {"SLURM_NTASKS", "6"}}));
  ASSERT_TRUE(slurm);
  EXPECT_EQ(slurm->rank, 5);
  EXPECT_EQ(slurm->local_rank, 0);
  auto none = RankInfo::from_environment(env({}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->world_size, 1);
  EXPECT_EQ(none->source, "");
  auto bad = RankInfo::from_environment(env({{"RANK", "-1"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "RANK: expected a non-negative integer, got \"-1\"");
}

}  // namespace
}  // namespace greenrun::engine
