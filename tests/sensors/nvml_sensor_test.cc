#include "sensors/nvml/nvml_sensor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "testing/fake_clock.h"
#include "testing/paths.h"

#ifndef GREENRUN_FAKE_NVML
#error "tests/fixtures/CMakeLists.txt defines GREENRUN_FAKE_NVML, the stand-in NVML library"
#endif

namespace greenrun::sensors::nvml {
namespace {

using namespace std::chrono_literals;

// Writes the stand-in library's control file (see tests/fixtures/fake_nvml.c).
class NvmlSensorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-nvml");
    script_ = dir_ / "nvml.txt";
    ::setenv("GREENRUN_FAKE_NVML_SCRIPT", script_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("GREENRUN_FAKE_NVML_SCRIPT");
    std::filesystem::remove_all(dir_);
  }
  void script(const std::string& text) { std::ofstream(script_) << text; }
  Result<std::unique_ptr<NvmlSensor>> open(std::optional<std::string> cvd = std::nullopt) {
    return NvmlSensor::open(GREENRUN_FAKE_NVML, cvd, clock_.steady_now());
  }
  SampleInput at(Duration d, std::span<const pid_t> pids = {}) {
    clock_.advance(d);
    return SampleInput{clock_.steady_now(), pids, 0};
  }

  std::filesystem::path dir_, script_;
  greenrun::testing::FakeClock clock_;
};

TEST_F(NvmlSensorTest, MissingLibraryIsAnErrorNotACrash) {
  auto s = NvmlSensor::open((dir_ / "libnvidia-ml.so.1").string(), std::nullopt, {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("cannot load NVML"), std::string::npos) << s.error().message;
}

TEST_F(NvmlSensorTest, InitFailureIsReported) {
  script("init=fail\ncount=1\n");
  auto s = open();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("nvmlInit_v2: Driver Not Loaded"), std::string::npos) << s.error().message;
}

TEST_F(NvmlSensorTest, NoGpuIsAnErrorThatSaysSo) {
  script("count=0\n");
  auto s = open();
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no usable GPU"), std::string::npos);
}

TEST_F(NvmlSensorTest, EnergyCounterIsMeasured) {
  script("count=2\n0.name=NVIDIA A100-SXM4-40GB\n0.energy_mj=1000000\n1.name=NVIDIA A100-SXM4-40GB\n1.energy_mj=50\n");
  auto s = open();
  ASSERT_TRUE(s) << s.error().message;
  script("count=2\n0.name=NVIDIA A100-SXM4-40GB\n0.energy_mj=1250000\n1.name=NVIDIA A100-SXM4-40GB\n1.energy_mj=100050\n");
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample) << sample.error().message;
  ASSERT_EQ(sample->readings.size(), 2u);
  EXPECT_DOUBLE_EQ(sample->readings[0].energy.joules(), 250.0);
  EXPECT_DOUBLE_EQ(sample->readings[1].energy.joules(), 100.0);
  EXPECT_EQ(sample->readings[0].method, Method::kMeasured);
  EXPECT_EQ(sample->readings[0].device, "gpu0 NVIDIA A100-SXM4-40GB");
}

TEST_F(NvmlSensorTest, CounterNotSupportedIntegratesPowerSamples) {
  script("count=1\n0.name=Tesla T4\n0.power_mw=60000\n");
  auto s = open();
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ((*s)->notes().size(), 1u);
  EXPECT_NE((*s)->notes()[0].find("integrating power samples"), std::string::npos);
  script("count=1\n0.name=Tesla T4\n0.power_mw=70000\n");
  auto sample = (*s)->read(at(2s));
  ASSERT_TRUE(sample);
  // Trapezoid: (60 W + 70 W) / 2 x 2 s.
  EXPECT_DOUBLE_EQ(sample->readings[0].energy.joules(), 130.0);
  EXPECT_EQ(sample->readings[0].method, Method::kIntegrated);
}

TEST_F(NvmlSensorTest, PreferPowerSkipsTheCounter) {
  script("count=1\n0.energy_mj=0\n0.power_mw=100000\n");
  auto s = NvmlSensor::open(GREENRUN_FAKE_NVML, std::nullopt, clock_.steady_now(), /*prefer_power=*/true);
  ASSERT_TRUE(s);
  script("count=1\n0.energy_mj=999999\n0.power_mw=100000\n");
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->readings[0].method, Method::kIntegrated);
  EXPECT_DOUBLE_EQ(sample->readings[0].energy.joules(), 100.0);
}

TEST_F(NvmlSensorTest, CounterFailingMidRunFallsBackToPower) {
  script("count=1\n0.energy_mj=0\n0.power_mw=100000\n");
  auto s = open();
  ASSERT_TRUE(s);
  script("count=1\n0.power_mw=100000\n");  // counter now NOT_SUPPORTED
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->readings[0].method, Method::kIntegrated);
  EXPECT_DOUBLE_EQ(sample->readings[0].energy.joules(), 100.0);
  ASSERT_FALSE(sample->warnings.empty());
  EXPECT_NE(sample->warnings[0].find("Not Supported"), std::string::npos);
}

TEST_F(NvmlSensorTest, NoPowerReadingEstimatesTdpTimesUtilisation) {
  script("count=1\n0.name=NVIDIA H100 SXM\n0.util=50\n");
  auto s = open();
  ASSERT_TRUE(s) << s.error().message;
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->readings[0].method, Method::kEstimated);
  EXPECT_DOUBLE_EQ(sample->readings[0].energy.joules(), 350.0);  // 700 W x 50 % x 1 s
}

TEST_F(NvmlSensorTest, GpuLostMidRunIsDroppedThenTheSensorStops) {
  script("count=2\n0.energy_mj=0\n1.energy_mj=0\n");
  auto s = open();
  ASSERT_TRUE(s);
  script("count=2\n0.energy_mj=1000\n1.energy_mj=1000\n1.lost=1\n");
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample);
  ASSERT_EQ(sample->readings.size(), 1u);
  ASSERT_EQ(sample->warnings.size(), 1u);
  EXPECT_NE(sample->warnings[0].find("gpu1"), std::string::npos);
  EXPECT_NE(sample->warnings[0].find("GPU is lost"), std::string::npos);
  script("count=2\n0.lost=1\n1.lost=1\n");
  EXPECT_FALSE((*s)->read(at(1s)));
}

TEST_F(NvmlSensorTest, JobShareFollowsTheJobsGpuMemory) {
  script("count=1\n0.energy_mj=0\n0.procs=100:1000,200:3000\n");
  auto s = open();
  ASSERT_TRUE(s);
  script("count=1\n0.energy_mj=8000\n0.procs=100:1000,200:3000\n");
  const pid_t job[] = {200, 201};
  auto sample = (*s)->read(at(1s, job));
  ASSERT_TRUE(sample);
  ASSERT_TRUE(sample->readings[0].job_energy);
  EXPECT_DOUBLE_EQ(sample->readings[0].job_energy->joules(), 6.0);  // 3/4 of 8 J
}

TEST_F(NvmlSensorTest, NoProcessListLeavesTheShareUnknown) {
  script("count=1\n0.energy_mj=0\n");
  auto s = open();
  ASSERT_TRUE(s);
  auto sample = (*s)->read(at(1s));
  ASSERT_TRUE(sample);
  EXPECT_FALSE(sample->readings[0].job_energy);
}

TEST_F(NvmlSensorTest, HonoursCudaVisibleDevices) {
  script("count=3\n0.energy_mj=0\n0.uuid=GPU-aaaa\n1.energy_mj=0\n1.uuid=GPU-bbbb\n2.energy_mj=0\n2.uuid=GPU-cccc\n");
  auto s = open(std::string("2,GPU-bb"));
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ((*s)->devices().size(), 2u);
  EXPECT_EQ((*s)->devices()[0].index, 2u);
  EXPECT_EQ((*s)->devices()[1].index, 1u);
  EXPECT_FALSE(open(std::string("")));  // an empty list hides every GPU
}

TEST(VisibleDevices, FollowsCudaRules) {
  const std::vector<std::string> uuids = {"GPU-aaaa-1", "GPU-bbbb-2", "GPU-cccc-3", "GPU-dddd-4"};
  EXPECT_EQ(visible_devices(std::nullopt, 4, uuids), (std::vector<unsigned>{0, 1, 2, 3}));
  EXPECT_EQ(visible_devices(std::string(""), 4, uuids), (std::vector<unsigned>{}));
  EXPECT_EQ(visible_devices(std::string("1,3"), 4, uuids), (std::vector<unsigned>{1, 3}));
  EXPECT_EQ(visible_devices(std::string(" 2 , 0 "), 4, uuids), (std::vector<unsigned>{2, 0}));
  // An invalid entry ends the list, as in CUDA.
  EXPECT_EQ(visible_devices(std::string("1,7,2"), 4, uuids), (std::vector<unsigned>{1}));
  EXPECT_EQ(visible_devices(std::string("-1"), 4, uuids), (std::vector<unsigned>{}));
  EXPECT_EQ(visible_devices(std::string("GPU-cccc,0"), 4, uuids), (std::vector<unsigned>{2, 0}));
  EXPECT_EQ(visible_devices(std::string("1,1"), 4, uuids), (std::vector<unsigned>{1}));
}

}  // namespace
}  // namespace greenrun::sensors::nvml
