// emissions.csv as CodeCarbon writes it (../shared/reference/python-peers.md):
// its 38 columns in its order, PUE on every component, kWh and kg, the
// country from the zone, RAM in GB of 1024^3 bytes — and greenrun_runs.csv
// beside it for what CodeCarbon has no column for.
#include "runner/codecarbon_csv.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "greenrun/base/time_format.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

using sensors::Component;
using sensors::Method;

// Splits one CSV line (RFC 4180 quoting).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::map<std::string, std::string> as_map(const std::string& header, const std::string& row) {
  const auto names = cells(header);
  const auto values = cells(row);
  EXPECT_EQ(names.size(), values.size()) << row;
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) m[names[i]] = values[i];
  return m;
}

RunRecord record() {
  RunRecord r;
  r.id = "20260301T100000Z-abcdef";
  r.project = "bert, large";
  r.phase = "train";
  r.command = {"python", "train.py"};
  r.started = *parse_utc("2026-03-01T10:00:00Z");
  r.duration = std::chrono::hours(1);
  r.ended = r.started + r.duration;
  r.zone = "DE";
  r.zone_source = "--zone";
  r.pue = 1.5;
  // Machine / job energy per component: 2 / 1 kWh CPU, 0.5 / 0.5 kWh GPU, 0.2 / 0.1 kWh DRAM.
  r.components.push_back({Component::kCpu, Energy::kilowatt_hours(2), Energy::kilowatt_hours(1), Method::kMeasured, {}});
  r.components.push_back({Component::kGpu, Energy::kilowatt_hours(0.5), Energy::kilowatt_hours(0.5), Method::kMeasured, {}});
  r.components.push_back({Component::kDram, Energy::kilowatt_hours(0.2), Energy::kilowatt_hours(0.1), Method::kEstimated, {}});
  r.components.push_back({Component::kPlatform, Energy::kilowatt_hours(9), Energy::kilowatt_hours(9), Method::kMeasured, {}});
  // 1.6 kWh x 1.5 PUE x 400 g/kWh = 960 g
  r.average = EmissionsFigure{"average-lifecycle", Mass::grams(960), CarbonIntensity::grams_per_kwh(400), "store: DE", 1.0};
  r.cpu_count = 8;
  r.cpu_model = "Intel(R) Xeon(R)";
  r.gpu_count = 2;
  r.gpu_model = "NVIDIA H100";
  r.ram_total_gb = 17.179869184;  // 16 GiB in decimal GB
  return r;
}

TEST(CodecarbonCsv, TheHeaderIsCodeCarbonsColumnsInItsOrder) {
  const std::vector<std::string> expected = {
      "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
      "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
      "water_consumed", "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os",
      "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude",
      "latitude", "ram_total_size", "tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent",
      "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue"};
  EXPECT_EQ(cells(codecarbon_header()), expected);
}

TEST(CodecarbonCsv, ARowHasPueOnEveryComponentAndTheCountryOfTheZone) {
  const auto m = as_map(codecarbon_header(), codecarbon_row(record()));
  EXPECT_EQ(m.at("project_name"), "bert, large");
  EXPECT_EQ(m.at("run_id"), "20260301T100000Z-abcdef");
  EXPECT_EQ(m.at("duration"), "3600");
  EXPECT_EQ(m.at("emissions"), "0.96");
  EXPECT_NEAR(std::stod(m.at("emissions_rate")), 0.96 / 3600, 1e-12);
  EXPECT_EQ(m.at("cpu_power"), "1000");  // the job's 1 kWh over an hour, before PUE
  EXPECT_EQ(m.at("gpu_power"), "500");
  EXPECT_EQ(m.at("ram_power"), "100");
  EXPECT_EQ(m.at("cpu_energy"), "1.5");  // x PUE
  EXPECT_EQ(m.at("gpu_energy"), "0.75");
  EXPECT_NEAR(std::stod(m.at("ram_energy")), 0.15, 1e-12);
  EXPECT_NEAR(std::stod(m.at("energy_consumed")), 1.5 + 0.75 + 0.15, 1e-9) << "the sum of the three, platform apart";
  EXPECT_EQ(m.at("water_consumed"), "0");
  EXPECT_EQ(m.at("country_name"), "Germany");
  EXPECT_EQ(m.at("country_iso_code"), "DEU");
  EXPECT_EQ(m.at("cloud_provider"), "");
  EXPECT_EQ(m.at("on_cloud"), "N");
  EXPECT_EQ(m.at("gpu_model"), "2 x NVIDIA H100");
  EXPECT_EQ(m.at("ram_total_size"), "16");
  EXPECT_EQ(m.at("tracking_mode"), "process");
  EXPECT_EQ(m.at("pue"), "1.5");
  EXPECT_EQ(m.at("codecarbon_version").rfind("greenrun-", 0), 0u);
  EXPECT_EQ(m.at("os").rfind("Linux-", 0), 0u) << m.at("os");
  EXPECT_NE(m.at("os").find("-with-glibc"), std::string::npos) << m.at("os");
  EXPECT_EQ(m.at("cpu_utilization_percent"), "") << "not measured: empty, never invented";
}

TEST(CodecarbonCsv, MachineModeCountsTheWholeMachineAtTheSameIntensity) {
  CodecarbonContext machine;
  machine.tracking_mode = "machine";
  const auto m = as_map(codecarbon_header(), codecarbon_row(record(), machine));
  EXPECT_NEAR(std::stod(m.at("energy_consumed")), (2 + 0.5 + 0.2) * 1.5, 1e-9);
  EXPECT_NEAR(std::stod(m.at("emissions")), 2.7 * 1.5 * 0.4, 1e-9);
}

TEST(CodecarbonCsv, ACloudRunHasItsRegionCoordinatesAndCountry) {
  auto r = record();
  r.zone = "US-MIDA-PJM";
  r.cloud_region = "aws:us-east-1";
  const auto m = as_map(codecarbon_header(), codecarbon_row(r));
  EXPECT_EQ(m.at("cloud_provider"), "aws");
  EXPECT_EQ(m.at("cloud_region"), "us-east-1");
  EXPECT_EQ(m.at("on_cloud"), "Y");
  EXPECT_EQ(m.at("country_iso_code"), "USA");
  ASSERT_FALSE(m.at("latitude").empty());
  EXPECT_EQ(m.at("latitude").size() - m.at("latitude").find('.'), 2u) << "one decimal: " << m.at("latitude");
  EXPECT_NEAR(std::stod(m.at("latitude")), 38.9, 1.0);
}

TEST(CodecarbonCsv, UnknownEmissionsAreEmptyNeverZero) {
  auto r = record();
  r.average.reset();
  const auto m = as_map(codecarbon_header(), codecarbon_row(r));
  EXPECT_EQ(m.at("emissions"), "");
  EXPECT_EQ(m.at("emissions_rate"), "");
  EXPECT_NE(m.at("energy_consumed"), "");
  const auto g = as_map(greenrun_runs_header(), greenrun_runs_row(r));
  EXPECT_EQ(g.at("emissions_average_kg"), "");
}

TEST(CodecarbonCsv, GreenrunsOwnColumnsKeepMethodsZoneAndSource) {
  const auto g = as_map(greenrun_runs_header(), greenrun_runs_row(record()));
  EXPECT_EQ(g.at("run_id"), "20260301T100000Z-abcdef");
  EXPECT_EQ(g.at("cpu_method"), "measured");
  EXPECT_EQ(g.at("ram_method"), "estimated");
  EXPECT_EQ(g.at("zone"), "DE");
  EXPECT_EQ(g.at("intensity_average_source"), "store: DE");
  EXPECT_EQ(g.at("machine_energy_kwh"), "2.7");
}

TEST(CodecarbonCsv, AppendsUnderOneHeaderAndMovesAFileWithOtherColumnsAside) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-cc-csv");
  const auto path = dir / "emissions.csv";
  auto first = append_csv_row(path, codecarbon_header(), codecarbon_row(record()));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(*first);
  ASSERT_TRUE(append_csv_row(path, codecarbon_header(), codecarbon_row(record())));
  std::string text = greenrun::testing::read_file(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << "a header and two rows";
  EXPECT_EQ(text.find(codecarbon_header()), text.rfind(codecarbon_header()));

  {
    std::ofstream old(path);
    old << "timestamp,project_name,run_id,duration\n2020-01-01T00:00:00,p,x,1\n";
  }
  auto moved = append_csv_row(path, codecarbon_header(), codecarbon_row(record()));
  ASSERT_TRUE(moved) << moved.error().message;
  ASSERT_TRUE(*moved);
  EXPECT_NE((*moved)->find("moved to"), std::string::npos) << **moved;
  EXPECT_NE(greenrun::testing::read_file(dir / "emissions.csv.bak").find("2020-01-01"), std::string::npos);
  EXPECT_EQ(greenrun::testing::read_file(path).rfind(codecarbon_header(), 0), 0u);

  auto refused = append_csv_row(dir / "missing" / "emissions.csv", codecarbon_header(), "x");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("missing/emissions.csv"), std::string::npos) << refused.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::runner
