#include <gtest/gtest.h>

#include <fstream>

#include "greenrun/base/text_reader.h"
#include "sensors/estimate/cpu_power_model.h"
#include "sensors/estimate/estimated_sensors.h"
#include "sensors/estimate/tdp_table.h"
#include "sensors/fake/fake_sensor.h"
#include "testing/fake_clock.h"
#include "testing/paths.h"

namespace greenrun::sensors {
namespace {

using namespace std::chrono_literals;

TEST(TdpTable, NormalisesVendorStrings) {
  EXPECT_EQ(normalise_model_name("Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz"), "xeon gold 6148");
  EXPECT_EQ(normalise_model_name("AMD EPYC 7763 64-Core Processor"), "epyc 7763");
  EXPECT_EQ(normalise_model_name("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"), "core i7 8700");
  EXPECT_EQ(normalise_model_name("NVIDIA A100-SXM4-40GB"), "a100 sxm4 40gb");
}

TEST(TdpTable, FindsCpusFromProcCpuinfoNames) {
  auto xeon = find_cpu_tdp("Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
  ASSERT_TRUE(xeon);
  EXPECT_DOUBLE_EQ(xeon->tdp.watts(), 150.0);
  auto epyc = find_cpu_tdp("AMD EPYC 7763 64-Core Processor");
  ASSERT_TRUE(epyc);
  EXPECT_DOUBLE_EQ(epyc->tdp.watts(), 280.0);
  // The longest match wins: 6148F is not 6148.
  EXPECT_EQ(find_cpu_tdp("Intel(R) Xeon(R) Gold 6148F CPU")->matched, "xeon gold 6148f");
  EXPECT_FALSE(find_cpu_tdp("AMD EPYC"));  // what some cloud VMs report
  EXPECT_FALSE(find_cpu_tdp(""));
}

TEST(TdpTable, AgreesWithTheCodeCarbonTable) {
  GREENRUN_REQUIRE_SHARED_DATA();
  auto text = read_file((greenrun::testing::shared_data() / "codecarbon/hardware/cpu_power.csv").string());
  ASSERT_TRUE(text);
  LineReader lines(*text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  size_t checked = 0, mismatched = 0;
  lines.next(line);  // header
  while (lines.next(line)) {
    split_csv(line, f, scratch);
    if (f.size() != 2) continue;
    char* end = nullptr;
    const std::string tdp_text(f[1]);
    const double tdp = std::strtod(tdp_text.c_str(), &end);
    if (end != tdp_text.c_str() + tdp_text.size() || tdp <= 0) continue;  // e.g. "27.29.5": not in the table
    const std::string name(f[0]);
    auto m = find_cpu_tdp(name);
    ASSERT_TRUE(m) << name;
    // A row's own name must find an entry at least as specific as itself.
    if (m->matched == normalise_model_name(name)) {
      ++checked;
      if (std::abs(m->tdp.watts() - tdp) > 1e-9) ++mismatched;
    }
  }
  EXPECT_GT(checked, 4000u);
  // Duplicated normalised names keep the first row; a few later rows differ.
  EXPECT_LT(mismatched, checked / 50);
}

TEST(TdpTable, FindsGpusFromNvmlNames) {
  auto h100 = find_gpu_tdp("NVIDIA H100 80GB HBM3");
  ASSERT_TRUE(h100);
  EXPECT_EQ(h100->matched.substr(0, 4), "h100");
  auto a100 = find_gpu_tdp("NVIDIA A100-SXM4-80GB");
  ASSERT_TRUE(a100);
  EXPECT_DOUBLE_EQ(a100->tdp.watts(), 400.0);
  EXPECT_FALSE(find_gpu_tdp("Fake GPU"));
}

TEST(CpuPowerModel, BareMetalUsesTdpTimesSockets) {
  CpuInfo info{"Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz", 80, 2, false};
  auto m = cpu_power_model(info, std::nullopt);
  EXPECT_DOUBLE_EQ(m.max.watts(), 300.0);
  EXPECT_NEAR(m.idle.watts() / m.max.watts(), kCcfMeanMinWattsPerVcpu / kCcfMeanMaxWattsPerVcpu, 1e-12);
  EXPECT_NE(m.basis.find("2 socket"), std::string::npos) << m.basis;
}

TEST(CpuPowerModel, VmWithKnownHostTakesItsShare) {
  CpuInfo info{"AMD EPYC 7763 64-Core Processor", 8, 1, true};
  auto m = cpu_power_model(info, 128);
  EXPECT_DOUBLE_EQ(m.max.watts(), 280.0 * 8 / 128);
}

TEST(CpuPowerModel, VmWithUnknownHostUsesPerVcpuCoefficients) {
  CpuInfo info{"AMD EPYC", 2, 1, true};
  auto m = cpu_power_model(info, std::nullopt);
  EXPECT_DOUBLE_EQ(m.max.watts(), 2 * kCcfMeanMaxWattsPerVcpu);
  EXPECT_DOUBLE_EQ(m.idle.watts(), 2 * kCcfMeanMinWattsPerVcpu);
  EXPECT_NE(m.basis.find("not in the TDP table"), std::string::npos);
}

TEST(CpuPowerModel, PowerIsLinearInUtilisationAndClamped) {
  CpuPowerModel m{Power::watts(20), Power::watts(100), ""};
  EXPECT_DOUBLE_EQ(m.at(0).watts(), 20);
  EXPECT_DOUBLE_EQ(m.at(0.5).watts(), 60);
  EXPECT_DOUBLE_EQ(m.at(1).watts(), 100);
  EXPECT_DOUBLE_EQ(m.at(7).watts(), 100);
  EXPECT_DOUBLE_EQ(m.at(-1).watts(), 20);
}

TEST(DramModel, ThreeWattsPerEightGigabytes) { EXPECT_DOUBLE_EQ(dram_power(8'000'000'000ULL).watts(), 3.0); }

TEST(EstimatedSensors, EnergyIsPowerTimesTheCallersElapsedTime) {
  greenrun::testing::FakeClock clock;
  EstimatedCpuSensor cpu(CpuPowerModel{Power::watts(10), Power::watts(50), "test"}, clock.steady_now());
  EstimatedDramSensor dram(16'000'000'000ULL, clock.steady_now());
  clock.advance(2s);
  auto c = cpu.read(SampleInput{clock.steady_now(), {}, 0.25});
  auto d = dram.read(SampleInput{clock.steady_now(), {}, 0.25});
  ASSERT_TRUE(c && d);
  EXPECT_DOUBLE_EQ(c->readings[0].energy.joules(), 40.0);  // 20 W x 2 s
  EXPECT_DOUBLE_EQ(d->readings[0].energy.joules(), 12.0);  // 6 W x 2 s
  EXPECT_EQ(c->readings[0].method, Method::kEstimated);
  EXPECT_EQ(d->readings[0].method, Method::kEstimated);
  // No time passed: no energy.
  EXPECT_DOUBLE_EQ(cpu.read(SampleInput{clock.steady_now(), {}, 1.0})->readings[0].energy.joules(), 0.0);
}

TEST(FakeSensor, IsLabelledSimulated) {
  greenrun::testing::FakeClock clock;
  FakeSensor fake(clock.steady_now());
  clock.advance(1s);
  auto s = fake.read(SampleInput{clock.steady_now(), {}, 1.0});
  ASSERT_TRUE(s);
  for (const auto& r : s->readings) {
    EXPECT_EQ(r.method, Method::kSimulated);
    EXPECT_NE(r.device.find("simulated"), std::string::npos);
  }
  EXPECT_EQ(to_string(Method::kSimulated), "simulated");
  EXPECT_EQ(weaker(Method::kMeasured, Method::kEstimated), Method::kEstimated);
}

}  // namespace
}  // namespace greenrun::sensors
