#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "intensity/importers/importer.h"
#include "fixtures.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

using testing::fixture;
using testing::import_fixture;

struct Expected {
  const char* zone;
  double direct;
  double lca;
  double estimated_percent;
};

// ../shared/data/README.md, section 1 (time-weighted means over the year).
const std::map<std::string, Expected>& table() {
  static const std::map<std::string, Expected> t = {
      {"green-dcc/AU-NSW_2022_hourly.csv", {"AU-NSW", 539.1, 592.8, 1.6}},
      {"green-dcc/AU-NSW_2023_hourly.csv", {"AU-NSW", 502.1, 554.2, 1.6}},
      {"green-dcc/CA-ON_2022_hourly.csv", {"CA-ON", 36.3, 59.3, 4.1}},
      {"green-dcc/CA-ON_2023_hourly.csv", {"CA-ON", 46.9, 72.8, 0.1}},
      {"green-dcc/DE-LU_2022_hourly.csv", {"DE", 411.0, 477.9, 0.0}},
      {"green-dcc/DE-LU_2023_hourly.csv", {"DE", 307.7, 367.0, 0.3}},
      {"green-dcc/GB_2022_hourly.csv", {"GB", 155.7, 222.0, 0.0}},
      {"green-dcc/GB_2023_hourly.csv", {"GB", 128.6, 187.5, 0.2}},
      {"green-dcc/IN-WE_2022_hourly.csv", {"IN-WE", 690.0, 747.5, 100.0}},
      {"green-dcc/IN-WE_2023_hourly.csv", {"IN-WE", 691.1, 749.2, 100.0}},
      {"green-dcc/JP-TK_2022_hourly.csv", {"JP-TK", 459.2, 549.7, 100.0}},
      {"green-dcc/JP-TK_2023_hourly.csv", {"JP-TK", 449.9, 539.7, 100.0}},
      {"green-dcc/SG_2022_hourly.csv", {"SG", 372.4, 491.5, 8.2}},
      {"green-dcc/SG_2023_hourly.csv", {"SG", 369.2, 488.1, 8.4}},
      {"green-dcc/US-CAL-CISO_2022_hourly.csv", {"US-CAL-CISO", 196.0, 262.3, 0.1}},
      {"green-dcc/US-CAL-CISO_2023_hourly.csv", {"US-CAL-CISO", 194.0, 260.7, 0.0}},
      {"green-dcc/US-MIDA-PJM_2022_hourly.csv", {"US-MIDA-PJM", 355.0, 424.5, 0.0}},
      {"green-dcc/US-MIDA-PJM_2023_hourly.csv", {"US-MIDA-PJM", 321.8, 392.4, 0.2}},
      {"green-dcc/US-NY-NYIS_2022_hourly.csv", {"US-NY-NYIS", 213.8, 281.2, 0.0}},
      {"green-dcc/US-NY-NYIS_2023_hourly.csv", {"US-NY-NYIS", 209.7, 277.8, 0.6}},
      {"green-dcc/US-TEX-ERCO_2022_hourly.csv", {"US-TEX-ERCO", 338.2, 399.5, 0.0}},
      {"green-dcc/US-TEX-ERCO_2023_hourly.csv", {"US-TEX-ERCO", 316.7, 380.5, 0.0}},
      {"decarbonization-potential/ES_2021_hourly.csv", {"ES", 127.0, 174.3, 0.0}},
      {"decarbonization-potential/ES_2022_hourly.csv", {"ES", 166.8, 219.3, 1.4}},
      {"decarbonization-potential/NO_2021_hourly.csv", {"NO", 7.6, 32.3, 0.0}},
      {"decarbonization-potential/NO_2022_hourly.csv", {"NO", 12.8, 38.1, 0.2}},
  };
  return t;
}

double annual_mean(const IntensitySeries& s) {
  auto m = s.mean(s.start(), s.end());
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  return m ? m->grams_per_kwh() : -1;
}

TEST(ElectricityMapsCsv, EveryHourlyFileImportsWithTheTabledMeans) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto root = ::greenrun::testing::shared_data() / "electricitymaps-hourly";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no " << root;
  size_t seen = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".csv") continue;
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    SCOPED_TRACE(rel);
    ++seen;
    ASSERT_TRUE(table().count(rel)) << "a file the README does not list";
    const Expected& want = table().at(rel);
    for (Signal signal : {Signal::kAverageDirect, Signal::kAverageLifecycle}) {
      ImportOptions o;
      o.electricitymaps_signal = signal;
      auto r = import_file(entry.path().string(), o);
      ASSERT_TRUE(r.has_value()) << r.error().message;
      EXPECT_EQ(r->format, Format::kElectricityMapsCsv);
      ASSERT_EQ(r->series.size(), 1u);
      const IntensitySeries& s = r->series[0];
      EXPECT_EQ(s.zone(), want.zone);
      EXPECT_EQ(s.signal(), signal);
      EXPECT_EQ(s.origin(), Origin::kActual);
      EXPECT_EQ(r->rows, 8760u);
      EXPECT_EQ(s.size(), 8760u);
      EXPECT_TRUE(s.gaps().empty());
      EXPECT_EQ(s.end() - s.start(), std::chrono::hours(8760));
      const double expected = signal == Signal::kAverageDirect ? want.direct : want.lca;
      EXPECT_NEAR(annual_mean(s), expected, 0.05 + 1e-9);
      EXPECT_NEAR(100.0 * static_cast<double>(r->estimated_rows) / 8760.0, want.estimated_percent, 0.05 + 1e-9);
    }
  }
  EXPECT_EQ(seen, table().size());
}

TEST(ElectricityMapsCsv, FullyEstimatedZonesAreFlaggedOnEveryPoint) {
  GREENRUN_REQUIRE_SHARED_DATA();
  for (const char* f : {"IN-WE_2022_hourly.csv", "JP-TK_2023_hourly.csv"}) {
    const auto path = ::greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc" / f;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
    auto r = import_file(path.string(), {});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->estimated_rows, 8760u);
    for (size_t i = 0; i < r->series[0].size(); i += 997) EXPECT_TRUE(r->series[0].point(i).estimated);
  }
}

TEST(ElectricityMapsCsv, ZoneComesFromTheColumnAndMustAgreeWithZoneFlag) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = ::greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  ImportOptions o;
  o.zone = "DE";
  ASSERT_TRUE(import_file(path.string(), o).has_value());
  o.zone = "DE-LU";
  auto r = import_file(path.string(), o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("DE-LU_2022_hourly.csv:2: Zone Id \"DE\" contradicts --zone DE-LU"),
            std::string::npos)
      << r.error().message;
}

TEST(ElectricityMapsCsv, ReadsTheSecondHeaderGeneration) {
  for (Signal signal : {Signal::kAverageDirect, Signal::kAverageLifecycle}) {
    ImportOptions o;
    o.electricitymaps_signal = signal;
    auto r = import_fixture("electricitymaps_v2.csv", o);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r->series.size(), 1u);
    const auto& s = r->series[0];
    EXPECT_EQ(s.zone(), "FR");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(r->estimated_rows, 1u);
    EXPECT_TRUE(s.point(1).estimated);
    EXPECT_FALSE(s.point(0).estimated);
    const double first = signal == Signal::kAverageDirect ? 20.5 : 40.25;
    EXPECT_DOUBLE_EQ(s.point(0).value.grams_per_kwh(), first);
    EXPECT_NEAR(annual_mean(s), first + 3.0, 1e-9);  // 20.5, 22.5, 24.5, 26.5
  }
}

TEST(ElectricityMapsCsv, RejectsBadRowsWithFileAndLine) {
  const std::string header =
      "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO2eq/kWh (direct),Carbon Intensity gCO2eq/kWh "
      "(LCA),Low Carbon Percentage,Renewable Percentage,Data Source,Data Estimated,Data Estimation Method\n";
  const std::string ok = "2022-01-01 00:00:00,Germany,Germany,DE,163.46,213.79,81.25,73.73,entsoe.eu,false,\n";
  struct Case {
    std::string body;
    std::string want;
  } cases[] = {
      {"", "x.csv:1: expected an Electricity Maps CSV header"},
      {header, "x.csv:2: expected data rows"},
      {header + ok + "2022-01-01 01:00:00,Germany,Germany,DE,n/a,1,1,1,x,false,\n",
       "x.csv:3: column 6: expected a number, got \"1\""},  // LCA default; direct is n/a
      {header + ok + "2022-01-01 01:00:00,Germany,Germany,DE,1,-5,1,1,x,false,\n", "x.csv:3: column 6: expected an intensity between 0 and 5000 g/kWh, got -5 g/kWh"},
      {header + ok + ok, "x.csv:3: duplicate timestamp"},
      {header + ok + "2021-12-31 23:00:00,Germany,Germany,DE,1,5,1,1,x,false,\n", "x.csv:3: timestamps must increase"},
      {header + ok + "2022-01-01 01:00:00,France,France,FR,1,5,1,1,x,false,\n", "x.csv:3: expected one zone per file"},
      {header + ok + "2022-01-01 01:00:00,Germany,Germany,DE,1,nan,1,1,x,false,\n", "x.csv:3: column 6: expected a number"},
  };
  for (const auto& c : cases) {
    auto r = import_electricitymaps_csv(c.body, "x.csv", {});
    if (c.want.find("got \"1\"") != std::string::npos) {
      // The LCA column is fine in that row; the direct one is not.
      ImportOptions o;
      o.electricitymaps_signal = Signal::kAverageDirect;
      r = import_electricitymaps_csv(c.body, "x.csv", o);
      ASSERT_FALSE(r.has_value());
      EXPECT_NE(r.error().message.find("x.csv:3: column 5: expected a number, got \"n/a\""), std::string::npos)
          << r.error().message;
      continue;
    }
    ASSERT_FALSE(r.has_value()) << c.want;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}


// ---- the step comes from the rows, the name only confirms it (issue 10) ----

namespace step_rows {

const char* kHeader =
    "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO\u2082eq/kWh (direct),"
    "Carbon Intensity gCO\u2082eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,"
    "Data Estimated,Data Estimation Method\n";

std::string fmt_hour(int h) { return std::string("2023-01-01 ") + (h < 10 ? "0" : "") + std::to_string(h) + ":00:00"; }

std::string rows(const std::vector<std::string>& times, const std::string& source = "entsoe.eu") {
  std::string text = kHeader;
  for (const std::string& t : times) text += t + ",Germany,Germany,DE,300,350,50,40," + source + ",false,\n";
  return text;
}

}  // namespace step_rows

TEST(ElectricityMapsCsv, FifteenMinuteFileHasFifteenMinuteStepsWithoutGaps) {
  auto r = import_electricitymaps_csv(
      step_rows::rows({"2023-01-01 00:00:00", "2023-01-01 00:15:00", "2023-01-01 00:30:00", "2023-01-01 00:45:00"}),
      "DE_2023_15_minute.csv", {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const IntensitySeries& s = r->series[0];
  ASSERT_EQ(s.size(), 4u);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s.point(i).duration, std::chrono::minutes(15)) << i;
  EXPECT_EQ(s.end() - s.start(), std::chrono::hours(1));
  EXPECT_TRUE(r->notes.empty());
}

TEST(ElectricityMapsCsv, MonthlyAndYearlyFilesGetCalendarSteps) {
  auto monthly = import_electricitymaps_csv(
      step_rows::rows({"2023-01-01 00:00:00", "2023-02-01 00:00:00", "2023-03-01 00:00:00"}), "DE_2023_monthly.csv",
      {});
  ASSERT_TRUE(monthly.has_value()) << monthly.error().message;
  const IntensitySeries& m = monthly->series[0];
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.point(0).duration, std::chrono::days(31));
  EXPECT_EQ(m.point(1).duration, std::chrono::days(28));
  EXPECT_EQ(m.point(2).duration, std::chrono::days(31));
  auto yearly = import_electricitymaps_csv(step_rows::rows({"2023-01-01 00:00:00", "2024-01-01 00:00:00"}),
                                           "DE_yearly.csv", {});
  ASSERT_TRUE(yearly.has_value()) << yearly.error().message;
  EXPECT_EQ(yearly->series[0].point(0).duration, std::chrono::days(365));
  EXPECT_EQ(yearly->series[0].point(1).duration, std::chrono::days(366));  // 2024 is a leap year
  // One row: only the name can say the step.
  auto one = import_electricitymaps_csv(step_rows::rows({"2024-01-01 00:00:00"}), "DE_2024_yearly.csv", {});
  ASSERT_TRUE(one.has_value()) << one.error().message;
  EXPECT_EQ(one->series[0].point(0).duration, std::chrono::days(366));
  auto unnamed = import_electricitymaps_csv(step_rows::rows({"2024-01-01 00:00:00"}), "export.csv", {});
  ASSERT_FALSE(unnamed.has_value());
  EXPECT_NE(unnamed.error().message.find("export.csv:2: a single row, and the file name does not give its step"),
            std::string::npos)
      << unnamed.error().message;
}

TEST(ElectricityMapsCsv, AMisnamedFileKeepsTheRowsStepAndSaysSo) {
  auto r = import_electricitymaps_csv(
      step_rows::rows({"2023-01-01 00:00:00", "2023-01-01 00:15:00", "2023-01-01 00:30:00"}), "DE_2023_hourly.csv",
      {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->series[0].point(0).duration, std::chrono::minutes(15));
  EXPECT_EQ(r->series[0].point(2).duration, std::chrono::minutes(15));
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("the file name says a step of 1 h but the rows are 15 min apart"), std::string::npos)
      << r->notes[0];
  // A missing row stays a gap: the commonest gap is the step, not the longest.
  auto gap = import_electricitymaps_csv(
      step_rows::rows({"2023-01-01 00:00:00", "2023-01-01 01:00:00", "2023-01-01 03:00:00", "2023-01-01 04:00:00"}),
      "renamed.csv", {});
  ASSERT_TRUE(gap.has_value()) << gap.error().message;
  EXPECT_EQ(gap->series[0].point(1).duration, std::chrono::hours(1));
}

TEST(ElectricityMapsCsv, TheSharedHourlyFilesKeepHourlyStepsWhateverTheirName) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto path = ::greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/GB_2023_hourly.csv";
  auto text = read_import_file(path.string(), kMaxImportFileBytes);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  for (const char* name : {"GB_2023_hourly.csv", "GB_2023_15_minute.csv", "gb.csv"}) {
    auto r = import_electricitymaps_csv(*text, name, {});
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message;
    const IntensitySeries& s = r->series[0];
    EXPECT_EQ(s.size(), 8760u) << name;
    EXPECT_EQ(s.end() - s.start(), std::chrono::hours(8760)) << name;  // no gaps
    EXPECT_EQ(s.point(100).duration, std::chrono::hours(1)) << name;
  }
}

TEST(ElectricityMapsCsv, AnUnterminatedQuoteInAnIgnoredColumnIsRefusedAtItsLine) {
  std::vector<std::string> times;
  for (int h = 0; h < 24; ++h) times.push_back(step_rows::fmt_hour(h));
  std::string text = step_rows::rows(times);
  // Line 4 (the third data row) opens a quote in "Data Source" and never closes it.
  const size_t at = text.find("entsoe.eu", text.find("2023-01-01 02:00:00"));
  text.insert(at, "\"");
  auto r = import_electricitymaps_csv(text, "DE_2023_hourly.csv", {});
  ASSERT_FALSE(r.has_value()) << "imported " << r->series[0].size() << " rows of 24";
  EXPECT_NE(r.error().message.find("DE_2023_hourly.csv:4: a quoted field opened on this line is never closed"),
            std::string::npos)
      << r.error().message;
}

TEST(ElectricityMapsCsv, ImplausibleValuesAreRefusedWithFileAndLine) {
  for (const char* v : {"1e308", "5000.5", "-1"}) {
    std::string text = step_rows::rows({"2023-01-01 00:00:00", "2023-01-01 01:00:00"});
    const size_t at = text.rfind(",350,");
    text.replace(at, 5, std::string(",") + v + ",");
    auto r = import_electricitymaps_csv(text, "DE_2023_hourly.csv", {});
    ASSERT_FALSE(r.has_value()) << v;
    EXPECT_NE(r.error().message.find("DE_2023_hourly.csv:3: column 6: expected an intensity between 0 and 5000 g/kWh"),
              std::string::npos)
        << r.error().message;
  }
  std::string edge = step_rows::rows({"2023-01-01 00:00:00"});
  edge.replace(edge.rfind(",350,"), 5, ",5000,");
  EXPECT_TRUE(import_electricitymaps_csv(edge, "DE_2023_hourly.csv", {}).has_value());
}

}  // namespace
}  // namespace greenrun::intensity
