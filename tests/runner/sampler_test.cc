#include "runner/sampler.h"

#include <gtest/gtest.h>

#include <random>

#include "sensors/fake/fake_sensor.h"
#include "sensors/fake_trees.h"
#include "testing/fake_clock.h"
#include "testing/seed.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
using sensors::Component;
using sensors::Method;

// A sensor that returns whatever the test queues, or fails when told.
class ScriptedSensor final : public sensors::EnergySensor {
 public:
  struct Step {
    std::vector<sensors::Reading> readings;
    bool fail = false;
  };
  explicit ScriptedSensor(std::vector<Step>* steps) : steps_(steps) {}
  std::string_view name() const override { return "scripted"; }
  std::vector<Component> components() const override {
    return {Component::kCpu};
  }
  Result<sensors::SensorSample> read(const sensors::SampleInput& in) override {
    last_pids = std::vector<pid_t>(in.job_pids.begin(), in.job_pids.end());
    if (steps_->empty()) return sensors::SensorSample{};
    Step s = steps_->front();
    steps_->erase(steps_->begin());
    if (s.fail) return make_error("scripted failure");
    return sensors::SensorSample{s.readings, {}, {}};
  }
  std::vector<pid_t> last_pids;

 private:
  std::vector<Step>* steps_;
};

sensors::Reading cpu(double j) {
  return {
      Component::kCpu, "package-0", Energy::joules(j), Method::kMeasured, {}};
}
sensors::Reading dram(double j) {
  return {Component::kDram, "dram", Energy::joules(j), Method::kEstimated, {}};
}
sensors::Reading gpu(double j, std::optional<double> job = std::nullopt) {
  return {Component::kGpu, "gpu0", Energy::joules(j), Method::kIntegrated,
          job ? std::optional<Energy>(Energy::joules(*job)) : std::nullopt};
}

class SamplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proc_.set_machine(1000, 0, 9000);
    proc_.set_process(50, 1, 100, 0);
    proc_.set_children(50, "");
    dir_ = greenrun::testing::make_temp_dir("greenrun-sampler");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Sampler> make(Duration interval, TimelineWriter* w) {
    return make(interval, w, reader_);
  }
  std::unique_ptr<Sampler> make(Duration interval, TimelineWriter* w,
                                const sensors::ProcReader& reader) {
    std::vector<std::unique_ptr<sensors::EnergySensor>> v;
    auto s = std::make_unique<ScriptedSensor>(&steps_);
    sensor_ = s.get();
    v.push_back(std::move(s));
    return std::make_unique<Sampler>(clock_, std::move(v), reader, w, interval);
  }

  greenrun::testing::FakeClock clock_;
  greenrun::testing::ProcTree proc_;
  sensors::ProcReader reader_{proc_.root()};
  std::vector<ScriptedSensor::Step> steps_;
  ScriptedSensor* sensor_ = nullptr;
  std::filesystem::path dir_;
};

TEST_F(SamplerTest, SharesCpuAndDramByTheTreesCpuTime) {
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  // Machine: 200 busy ticks of 1000; the job: 50 of them.
  proc_.set_machine(1200, 0, 9800);
  proc_.set_process(50, 1, 150, 0);
  steps_.push_back({{cpu(10), dram(4), gpu(30)}});
  ASSERT_TRUE(sampler->sample_at_next_deadline());
  const auto& t = sampler->totals();
  EXPECT_DOUBLE_EQ(t.components.at(Component::kCpu).job.joules(), 2.5);
  EXPECT_DOUBLE_EQ(t.components.at(Component::kDram).job.joules(), 1.0);
  // A GPU without a per-process share counts whole for the job.
  EXPECT_DOUBLE_EQ(t.components.at(Component::kGpu).job.joules(), 30.0);
  EXPECT_EQ(sensor_->last_pids, std::vector<pid_t>{50});
}

TEST_F(SamplerTest, UsesTheSensorsOwnGpuShare) {
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  steps_.push_back({{gpu(30, 12)}});
  ASSERT_TRUE(sampler->sample_at_next_deadline());
  EXPECT_DOUBLE_EQ(
      sampler->totals().components.at(Component::kGpu).job.joules(), 12.0);
}

TEST_F(SamplerTest, FinalSampleUsesTheReapedJobsCpuTime) {
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  proc_.remove_process(50);  // exited and reaped
  proc_.set_machine(1100, 0, 9900);
  steps_.push_back({{cpu(10)}});
  clock_.advance(300ms);
  ASSERT_TRUE(sampler->sample(/*job_ticks_final=*/180));
  EXPECT_DOUBLE_EQ(
      sampler->totals().components.at(Component::kCpu).job.joules(),
      8.0);  // 80 of 100 ticks
  EXPECT_EQ(sampler->totals().steady_duration, 300ms);
}

TEST_F(SamplerTest, WritesOneParseableLinePerIntervalAndTotalsAddUp) {
  auto w = TimelineWriter::create((dir_ / "timeline.jsonl").string());
  ASSERT_TRUE(w);
  auto sampler = make(100ms, &*w);
  sampler->start(50);
  for (int i = 1; i <= 5; ++i) steps_.push_back({{cpu(i), dram(0.5)}});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sampler->sample_at_next_deadline());
  auto file = read_timeline(w->path());
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->intervals.size(), 5u);
  double sum = 0;
  for (const auto& iv : file->intervals) {
    EXPECT_EQ(iv.end - iv.start, 100ms);
    sum += iv.components.at(Component::kCpu).machine.joules();
  }
  EXPECT_DOUBLE_EQ(
      sum, sampler->totals().components.at(Component::kCpu).machine.joules());
  EXPECT_DOUBLE_EQ(sum, 15.0);
  EXPECT_EQ(file->intervals[0].start, clock_.utc_now() - 500ms);
}

TEST_F(SamplerTest, CountsMissedDeadlines) {
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  clock_.advance(3500ms);
  ASSERT_TRUE(sampler->sample());
  EXPECT_EQ(sampler->totals().dropped_deadlines,
            2u);  // 2 s and 3 s passed unsampled
  EXPECT_EQ(sampler->next_deadline(), SteadyTime{} + 4s);
}

TEST_F(SamplerTest, DropsAFailingSensorWithAWarning) {
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  steps_.push_back({{}, true});
  ASSERT_TRUE(sampler->sample_at_next_deadline());
  EXPECT_EQ(sampler->sensor_count(), 0u);
  ASSERT_EQ(sampler->totals().warnings.size(), 1u);
  EXPECT_NE(sampler->totals().warnings[0].find(
                "scripted sensor stopped: scripted failure"),
            std::string::npos);
}

TEST_F(SamplerTest, ChargesTheSameWhetherTheTreeIsFollowedOrScanned) {
  // A root with a child and a grandchild; an unrelated busy process beside.
  proc_.set_children(50, "51 ");
  proc_.set_process(51, 50, 10, 0);
  proc_.set_children(51, "52 ");
  proc_.set_process(52, 51, 10, 0);
  proc_.set_children(52, "");
  proc_.set_process(70, 1, 500, 0);
  proc_.set_children(70, "");
  const sensors::ProcReader scan(proc_.root(), sensors::TreeWalk::kScanAll);
  auto followed = make(1s, nullptr, reader_);
  auto scanned = make(1s, nullptr, scan);
  followed->start(50);
  scanned->start(50);
  proc_.set_machine(1300, 0, 9700);  // 300 busy ticks
  proc_.set_process(51, 50, 70, 0);  // +60
  proc_.set_process(52, 51, 40, 0);  // +30
  proc_.set_process(70, 1, 700, 0);  // +200, not the job's
  // Both read the same files at the same instant; each takes one step.
  steps_.push_back({{cpu(30)}});
  steps_.push_back({{cpu(30)}});
  ASSERT_TRUE(followed->sample_at_next_deadline());
  ASSERT_TRUE(scanned->sample_at_next_deadline());
  const double job =
      followed->totals().components.at(Component::kCpu).job.joules();
  EXPECT_DOUBLE_EQ(job, 9.0);  // 90 of 300 busy ticks
  EXPECT_DOUBLE_EQ(
      scanned->totals().components.at(Component::kCpu).job.joules(), job);
  EXPECT_TRUE(followed->totals().warnings.empty());
}

TEST_F(SamplerTest, WarnsOnceWhenTheTreeIsFoundByScanning) {
  proc_.set_process(60, 1, 100, 0);  // no children files: a kernel without them
  proc_.set_process(61, 60, 100, 0);
  auto sampler = make(1s, nullptr);
  sampler->start(60);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sampler->sample_at_next_deadline());
  ASSERT_EQ(sampler->totals().warnings.size(), 1u);
  EXPECT_NE(sampler->totals().warnings[0].find("scanning every process"),
            std::string::npos);
}

TEST_F(SamplerTest, TicksThatDropAndComeBackAreNotChargedTwice) {
  proc_.set_children(50, "51 ");
  proc_.set_process(51, 50, 100, 0);
  proc_.set_children(51, "");
  auto sampler = make(1s, nullptr);
  sampler->start(50);  // the tree: 200 ticks
  // 51 exits and is reaped between the reads of one walk: its 100 ticks are
  // in neither 51 nor (yet) its parent's cutime.
  proc_.set_children(50, "");
  proc_.remove_process(51);
  proc_.set_machine(1100, 0, 9900);
  steps_.push_back({{cpu(10)}});
  ASSERT_TRUE(sampler->sample_at_next_deadline());
  // Next sample: the parent's cutime holds them, plus 20 new ticks.
  proc_.set_process(50, 1, 120, 0, /*cutime*/ 100);
  proc_.set_machine(1200, 0, 9800);
  steps_.push_back({{cpu(10)}});
  ASSERT_TRUE(sampler->sample_at_next_deadline());
  EXPECT_DOUBLE_EQ(
      sampler->totals().components.at(Component::kCpu).job.joules(),
      2.0);  // 20 of 100 busy ticks
}

TEST_F(SamplerTest, PropertyJobEnergyNeverExceedsMachineEnergy) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  auto sampler = make(1s, nullptr);
  sampler->start(50);
  uint64_t busy = 1000, idle = 9000, job = 100;
  for (int i = 0; i < 50; ++i) {
    const uint64_t b = rng() % 200,
                   j = rng() %
                       250;  // the job may even claim more than the machine
    busy += b;
    idle += rng() % 200;
    job += j;
    proc_.set_machine(busy, 0, idle);
    proc_.set_process(50, 1, job, 0);
    steps_.push_back({{cpu(static_cast<double>(rng() % 100)),
                       dram(static_cast<double>(rng() % 10))}});
    ASSERT_TRUE(sampler->sample_at_next_deadline());
  }
  for (const auto& [c, t] : sampler->totals().components) {
    EXPECT_LE(t.job.joules(), t.machine.joules() + 1e-9)
        << sensors::to_string(c);
    EXPECT_GE(t.job.joules(), 0.0);
  }
}

}  // namespace
}  // namespace greenrun::runner

namespace greenrun::runner {
namespace {

// Energy is counted from the sampler's start, not from when the sensor was
// set up: the time between (making the run folder, spawning the job — on a
// loaded machine a good part of a second) is not the job's.
TEST(SamplerStart, CountsEnergyFromTheStartNotFromTheSensorsSetUp) {
  greenrun::testing::FakeClock clock;
  greenrun::testing::ProcTree proc;
  proc.set_machine(1000, 0, 9000);
  sensors::ProcReader reader(proc.root());
  std::vector<std::unique_ptr<sensors::EnergySensor>> v;
  v.push_back(std::make_unique<sensors::FakeSensor>(clock.steady_now(), Power::watts(100), Power::watts(0)));
  Sampler sampler(clock, std::move(v), reader, nullptr, 1s);
  clock.advance(10s);  // set up long before the job starts
  sampler.start(0);
  ASSERT_TRUE(sampler.sample_at_next_deadline());
  // One second at 100 W x (0.2 + 0.8 x 0 utilisation) = 20 J; not 11 s of it.
  EXPECT_NEAR(sampler.totals().components.at(sensors::Component::kCpu).machine.joules(), 20.0, 1e-9);
}

}  // namespace
}  // namespace greenrun::runner
