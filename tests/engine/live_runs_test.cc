// Live-status files: written atomically, read back, power from the energy
// between updates, stale files (process gone) and malformed ones skipped,
// removed at the end.
#include "greenrun/live_runs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "greenrun/base/time_format.h"
#include "runner/sampler.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

using namespace std::chrono_literals;

class LiveRunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("live-runs");
    store_ = (dir_ / "greenrun.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  LiveRun run(const std::string& id, pid_t pid) {
    LiveRun r;
    r.id = id;
    r.pid = pid;
    r.project = "p";
    r.zone = "DE";
    r.started = r.updated = t0_;
    r.state = "running";
    return r;
  }

  std::filesystem::path dir_;
  std::string store_;
  UtcTime t0_ = *parse_utc("2023-03-01T00:00:00Z");
};

TEST_F(LiveRunsTest, AFileIsWrittenUpdatedWithPowerAndRemovedAtTheEnd) {
  std::filesystem::path path;
  {
    LiveStatusFile live(store_, run("r1", ::getpid()));
    path = live.path();
    EXPECT_EQ(path, dir_ / "live" / "r1.json");
    auto runs = read_live_runs(store_);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].state, "running");
    EXPECT_TRUE(runs[0].components.empty());

    runner::SamplerTotals totals;
    totals.components[sensors::Component::kCpu].job = Energy::joules(100);
    totals.components[sensors::Component::kCpu].machine = Energy::joules(150);
    live.sampled(totals, t0_ + 10s);
    totals.components[sensors::Component::kCpu].job = Energy::joules(300);
    live.sampled(totals, t0_ + 20s);
    live.schedule_state("paused", t0_ + 1h, t0_ + 21s);
    runs = read_live_runs(store_);
    ASSERT_EQ(runs.size(), 1u);
    ASSERT_EQ(runs[0].components.size(), 1u);
    EXPECT_EQ(runs[0].components[0].component, "cpu");
    EXPECT_DOUBLE_EQ(runs[0].components[0].job_joules, 300);
    EXPECT_DOUBLE_EQ(runs[0].components[0].job_watts, 20);  // 200 J over 10 s
    EXPECT_EQ(runs[0].state, "paused");
    EXPECT_EQ(runs[0].next_decision, t0_ + 1h);
    EXPECT_TRUE(live.warnings().empty());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(read_live_runs(store_).empty());
}

TEST_F(LiveRunsTest, FilesOfGoneProcessesAndMalformedFilesAreSkipped) {
  std::filesystem::create_directories(dir_ / "live");
  LiveRun gone = run("gone", 999'999'999);
  std::ofstream(dir_ / "live" / "gone.json") << to_json(gone);
  std::ofstream(dir_ / "live" / "bad.json") << "{\"schema\": \"greenrun.live/1\", \"id\": 3}";
  std::ofstream(dir_ / "live" / "half.json.tmp") << "{";
  std::vector<std::string> problems;
  EXPECT_TRUE(read_live_runs(store_, &problems).empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("bad.json"), std::string::npos);
  // The same file counts while its process is alive.
  EXPECT_EQ(read_live_runs(store_, nullptr, [](pid_t) { return true; }).size(), 1u);
  // A new run clears files whose process is gone.
  LiveStatusFile live(store_, run("new", ::getpid()));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "live" / "gone.json"));
}

TEST_F(LiveRunsTest, TheJsonRoundTrips) {
  LiveRun r = run("x", 12);
  r.mode = "pause-resume";
  r.next_decision = t0_ + 30min;
  r.components.push_back({"gpu", "integrated", 1.5, 2.5, 3.5});
  auto back = live_run_from_json(to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->mode, "pause-resume");
  EXPECT_EQ(back->next_decision, r.next_decision);
  EXPECT_EQ(back->components[0].machine_joules, 2.5);
  EXPECT_FALSE(live_run_from_json("{}"));
}

}  // namespace
}  // namespace greenrun::engine
