// engine::run_node_sampler (greenrun/job_energy.h), the loop of `greenrun
// slurm sampler`, on a fake clock, a fake cgroup tree and procfs, and a fake
// sender: intervals on their deadlines, the spool beside the store by
// default, records kept while the server is down and the last interval sent
// regardless of the backoff; a stop mid-wait samples the partial interval.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "greenrun/job_energy.h"
#include "greenrun/runner/job_energy_record.h"
#include "runner/sensor_setup.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::FakeClock;
using std::chrono::seconds;

// A node drawing a constant 100 W on its CPU.
class ConstantCpu final : public sensors::EnergySensor {
 public:
  explicit ConstantCpu(SteadyTime start) : last_(start) {}
  std::string_view name() const override { return "constant"; }
  std::vector<sensors::Component> components() const override { return {sensors::Component::kCpu}; }
  Result<sensors::SensorSample> read(const sensors::SampleInput& in) override {
    const double s = std::chrono::duration<double>(in.now - last_).count();
    last_ = in.now;
    sensors::SensorSample out;
    out.readings.push_back({sensors::Component::kCpu, "package-0", Energy::joules(100 * s), sensors::Method::kMeasured, {}});
    return out;
  }

 private:
  SteadyTime last_;
};

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// Records what the loop reports.
class Recorder final : public NodeSamplerObserver {
 public:
  std::optional<NodeSamplerStarted> started;
  std::vector<NodeInterval> intervals;
  std::vector<FlushOutcome> flushes;
  std::vector<std::string> warnings;
  void on_started(const NodeSamplerStarted& s) override { started = s; }
  void on_interval(const NodeInterval& iv, const FlushOutcome& f) override {
    intervals.push_back(iv);
    flushes.push_back(f);
  }
  void on_warning(const std::string& w) override { warnings.push_back(w); }
};

class NodeSamplerLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("node-sampler-loop");
    services_.clock = &clock_;
    services_.store_path = (dir_ / "store" / "greenrun.db").string();
    services_.env = [](std::string_view k) -> std::optional<std::string> {
      if (k == "SLURMD_NODENAME") return "n7";
      return std::nullopt;
    };
    services_.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
      runner::SensorSetup s;
      s.sensors.push_back(std::make_unique<ConstantCpu>(now));
      s.label = "constant";
      return s;
    };
    // A 2-CPU node whose /proc/stat total is not read again (a constant
    // share is enough here: the sharing itself is job_energy_test's).
    write_text(dir_ / "proc" / "stat", "cpu  100 0 100 0 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\n");
    write_text(dir_ / "cg" / "cpuacct" / "slurm_n7" / "uid_0" / "job_5" / "cpuacct.usage", "0\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  NodeSamplerRun run() const {
    NodeSamplerRun r;
    r.sampler.zone = "DE";
    r.sampler.interval = seconds(10);
    r.sampler.cpu.cgroup_root = (dir_ / "cg").string();
    r.sampler.cpu.procfs_root = (dir_ / "proc").string();
    r.shipping.first_backoff = std::chrono::minutes(1);  // longer than the run: only a last attempt retries
    return r;
  }

  fs::path dir_;
  FakeClock clock_;
  Services services_;
};

TEST_F(NodeSamplerLoop, SamplesOnItsDeadlinesSpoolsBesideTheStoreAndSendsTheLastIntervalRegardless) {
  size_t calls = 0;
  bool up = false;
  std::vector<runner::JobEnergyRecord> received;
  RecordSender send = [&](const std::string& body) -> Status {
    ++calls;
    if (!up) return make_error(ErrorKind::kUnavailable, "connection refused");
    auto r = runner::parse_records_body(body);
    EXPECT_TRUE(r) << r.error().message;
    received.insert(received.end(), r->begin(), r->end());
    return {};
  };
  const UtcTime t0 = clock_.utc_now();
  NodeSamplerRun r = run();
  r.count = 3;
  Recorder seen;
  auto done = run_node_sampler(r, send, services_, seen, nullptr);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_TRUE(seen.started);
  EXPECT_EQ(seen.started->node, "n7") << "SLURMD_NODENAME when no node is given";
  EXPECT_EQ(seen.started->zone, "DE");
  EXPECT_EQ(seen.started->spool_path, (dir_ / "store" / "slurm-spool-n7.jsonl").string());
  EXPECT_EQ(seen.started->sensor_label, "constant");
  ASSERT_EQ(seen.intervals.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(seen.intervals[k].start, t0 + seconds(10 * static_cast<int>(k))) << k;
    EXPECT_EQ(seen.intervals[k].end, t0 + seconds(10 * static_cast<int>(k) + 10)) << k;
    EXPECT_DOUBLE_EQ(seen.intervals[k].node_energy.joules(), 1000) << k;
    ASSERT_EQ(seen.intervals[k].records.size(), 1u) << k;
    EXPECT_EQ(seen.intervals[k].records[0].job_id, "5");
    EXPECT_EQ(seen.intervals[k].records[0].node, "n7");
  }
  // The server is down: the first interval is tried, the second waits for
  // the backoff (1 min), the last is tried regardless.
  EXPECT_TRUE(seen.flushes[0].attempted);
  EXPECT_FALSE(seen.flushes[1].attempted);
  EXPECT_TRUE(seen.flushes[2].attempted);
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(done->intervals, 3u);
  EXPECT_EQ(done->pending, 3u);
  EXPECT_FALSE(done->stopped);

  // The next run sends what the spool holds first, with its own interval.
  up = true;
  r.count = 1;
  Recorder again;
  auto second = run_node_sampler(r, send, services_, again, nullptr);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(again.started->pending, 3u);
  EXPECT_EQ(second->pending, 0u);
  EXPECT_EQ(received.size(), 4u);
}

TEST_F(NodeSamplerLoop, AStopMidWaitSamplesThePartialIntervalAndFlushesOnce) {
  size_t calls = 0;
  RecordSender send = [&](const std::string&) -> Status {
    ++calls;
    return make_error(ErrorKind::kUnavailable, "connection refused");
  };
  const SteadyTime s0 = clock_.steady_now();
  const UtcTime t0 = clock_.utc_now();
  Recorder seen;
  // SIGTERM 25 s in: the third interval is cut at 25 s.
  auto done = run_node_sampler(run(), send, services_, seen, [&] { return clock_.steady_now() >= s0 + seconds(25); });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(done->stopped);
  ASSERT_EQ(seen.intervals.size(), 3u);
  EXPECT_EQ(seen.intervals[2].start, t0 + seconds(20));
  EXPECT_EQ(seen.intervals[2].end, t0 + seconds(25));
  EXPECT_DOUBLE_EQ(seen.intervals[2].node_energy.joules(), 500);
  EXPECT_TRUE(seen.flushes[2].attempted) << "the last interval is sent regardless of the backoff";
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(done->pending, 3u);
}

TEST_F(NodeSamplerLoop, ErrorsOfItsPartsEndItAndNameTheCause) {
  RecordSender send = [](const std::string&) -> Status { return {}; };
  Recorder seen;
  NodeSamplerRun bad = run();
  bad.sampler.interval = std::chrono::minutes(5);
  bad.count = 1;
  auto r = run_node_sampler(bad, send, services_, seen, nullptr);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--interval"), std::string::npos) << r.error().message;
  // A spool that cannot be created (its folder is a file).
  write_text(dir_ / "blocker", "x");
  NodeSamplerRun spool = run();
  spool.spool = (dir_ / "blocker" / "spool.jsonl").string();
  spool.count = 1;
  auto s = run_node_sampler(spool, send, services_, seen, nullptr);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("spool.jsonl"), std::string::npos) << s.error().message;
  // No stop and no count: a usage error, not an endless loop.
  auto endless = run_node_sampler(run(), send, services_, seen, nullptr);
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(seen.intervals.empty());
}

}  // namespace
}  // namespace greenrun::engine
