// `greenrun intensity ...` driven in-process through run_cli with a temporary
// --store, on the shared Electricity Maps files and small broken fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <algorithm>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CliRun {
  int code;
  std::string out, err;
};

class IntensityCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-intensity-cli");
    store_ = (dir_ / "store" / "greenrun.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"greenrun", "--store", store_, "intensity"});
    std::ostringstream out, err;
    const int code = run_cli(args, out, err);
    return CliRun{code, out.str(), err.str()};
  }

  static std::string em(const std::string& rel) {
    return (greenrun::testing::shared_data() / "electricitymaps-hourly" / rel).string();
  }

  // Writes an Electricity Maps CSV with the given data lines.
  std::string write_csv(const std::string& name, const std::vector<std::string>& rows) {
    const fs::path p = dir_ / name;
    std::ofstream f(p);
    f << "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO\u2082eq/kWh (direct),"
         "Carbon Intensity gCO\u2082eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,"
         "Data Estimated,Data Estimation Method\n";
    for (const auto& r : rows) f << r << "\n";
    return p.string();
  }

  fs::path dir_;
  std::string store_;
};

TEST_F(IntensityCommandTest, ImportsTheSharedFilesAndStatsJsonGivesTheReadmeMeans) {
  GREENRUN_REQUIRE_SHARED_DATA();
  std::vector<std::string> files;
  for (const auto& sub : {"green-dcc", "decarbonization-potential"})
    for (const auto& e : fs::directory_iterator(greenrun::testing::shared_data() / "electricitymaps-hourly" / sub))
      files.push_back(e.path().string());
  ASSERT_EQ(files.size(), 26u);
  std::vector<std::string> args{"import"};
  args.insert(args.end(), files.begin(), files.end());
  CliRun lca = run(args);
  ASSERT_EQ(lca.code, 0) << lca.err;
  EXPECT_NE(lca.out.find("store: " + store_), std::string::npos) << lca.out;
  EXPECT_NE(lca.out.find("227760 new"), std::string::npos) << lca.out;
  args.insert(args.end(), {"--signal", "direct"});
  CliRun direct = run(args);
  ASSERT_EQ(direct.code, 0) << direct.err;

  CliRun stats = run({"stats", "--json"});
  ASSERT_EQ(stats.code, 0) << stats.err;
  const json arr = json::parse(stats.out);
  ASSERT_TRUE(arr.is_array());
  ASSERT_EQ(arr.size(), 52u);
  std::map<std::string, json> by;
  for (const json& o : arr)
    by[o.at("zone").get<std::string>() + "/" + std::to_string(o.at("year").get<int>()) + "/" +
       o.at("signal").get<std::string>()] = o;
  // A sample of ../shared/data/README.md's table: DE (file DE-LU), GB, NO, JP-TK (100% estimated).
  struct Row {
    const char* key;
    double mean, min, max;
  };
  for (const Row& r : {Row{"DE/2022/average-direct", 411.0, 117.4, 681.4}, Row{"GB/2023/average-direct", 128.6, 3.6, 282.3},
                       Row{"NO/2021/average-direct", 7.6, 0.9, 76.6}, Row{"CA-ON/2023/average-direct", 46.9, 0.0, 138.7}}) {
    SCOPED_TRACE(r.key);
    ASSERT_TRUE(by.count(r.key));
    const json& o = by[r.key];
    EXPECT_EQ(o.at("count").get<size_t>(), 8760u);
    EXPECT_NEAR(o.at("mean").get<double>(), r.mean, 0.05 + 1e-9);
    EXPECT_NEAR(o.at("min").get<double>(), r.min, 0.05 + 1e-9);
    EXPECT_NEAR(o.at("max").get<double>(), r.max, 0.05 + 1e-9);
    EXPECT_EQ(o.at("origin"), "actual");
  }
  EXPECT_NEAR(by["DE/2022/average-lifecycle"].at("mean").get<double>(), 477.9, 0.05 + 1e-9);
  EXPECT_NEAR(by["ES/2022/average-lifecycle"].at("mean").get<double>(), 219.3, 0.05 + 1e-9);
  EXPECT_EQ(by["JP-TK/2022/average-lifecycle"].at("estimated").get<size_t>(), 8760u);
  const json& src = by["DE/2022/average-lifecycle"].at("imports");
  ASSERT_EQ(src.size(), 1u);
  EXPECT_NE(src[0].at("origin").get<std::string>().find("DE-LU_2022_hourly.csv"), std::string::npos);

  // Importing again changes nothing.
  CliRun again = run({"import", em("green-dcc/GB_2023_hourly.csv")});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("0 new, 0 replaced, 8760 unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(run({"stats", "--json"}).out.size(), stats.out.size());
}

TEST_F(IntensityCommandTest, AMalformedFileImportsNothingAndNamesFileAndLine) {
  GREENRUN_REQUIRE_SHARED_DATA();
  ASSERT_EQ(run({"import", em("green-dcc/GB_2022_hourly.csv")}).code, 0);
  const CliRun list_before = run({"list", "--json"});
  const CliRun stats_before = run({"stats", "--json"});
  const std::string bad = write_csv("bad_2023_hourly.csv",
                                    {"2023-01-01 00:00:00,Great Britain,Great Britain,GB,62.55,91.44,86,60,x,false,",
                                     "2023-01-01 01:00:00,Great Britain,Great Britain,GB,65.09,n/a,85,60,x,false,"});
  // A good file first, the bad one second: neither is imported.
  const CliRun r = run({"import", em("green-dcc/GB_2023_hourly.csv"), bad});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("greenrun: ")) << r.err;
  EXPECT_NE(r.err.find("bad_2023_hourly.csv:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("n/a"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(run({"list", "--json"}).out, list_before.out);
  EXPECT_EQ(run({"stats", "--json"}).out, stats_before.out);
}

TEST_F(IntensityCommandTest, AMissingFileIsAnErrorNotAUsageError) {
  const CliRun r = run({"import", (dir_ / "nope.csv").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
}

TEST_F(IntensityCommandTest, ShowMarksEstimatedPointsAndGapsAndMatchesZonesCaseInsensitively) {
  const std::string f = write_csv("tiny_hourly.csv", {"2023-03-01 00:00:00,Germany,Germany,DE,300,350,50,40,x,false,",
                                                      "2023-03-01 01:00:00,Germany,Germany,DE,310,360,50,40,x,true,M",
                                                      "2023-03-01 04:00:00,Germany,Germany,DE,320,370,50,40,x,false,"});
  ASSERT_EQ(run({"import", f}).code, 0);
  const CliRun text = run({"show", "de", "--from", "2023-03-01T00:00Z", "--to", "2023-03-01T06:00Z"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("store: " + store_), std::string::npos);
  EXPECT_NE(text.out.find("DE average-lifecycle (actual)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("estimated"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("GAP: no data for 2h"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("GAP: no data for 1h"), std::string::npos) << text.out;  // after the last point
  EXPECT_NE(text.out.find("3 points (1 estimated), 2 gaps totalling 3h"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("not fully covered"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("tiny_hourly.csv"), std::string::npos) << text.out;

  const CliRun csv = run({"show", "DE", "--from", "2023-03-01", "--to", "2023-03-01T05:00Z", "--csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "start,end,g_per_kwh,status,import\n"
            "2023-03-01T00:00:00Z,2023-03-01T01:00:00Z,350,ok,1\n"
            "2023-03-01T01:00:00Z,2023-03-01T02:00:00Z,360,estimated,1\n"
            "2023-03-01T02:00:00Z,2023-03-01T04:00:00Z,,gap,\n"
            "2023-03-01T04:00:00Z,2023-03-01T05:00:00Z,370,ok,1\n");

  const CliRun js = run({"show", "De", "--from", "2023-03-01T00:30Z", "--to", "2023-03-01T01:30Z", "--json"});
  ASSERT_EQ(js.code, 0) << js.err;
  const json doc = json::parse(js.out);
  EXPECT_EQ(doc.at("zone"), "DE");
  EXPECT_EQ(doc.at("points").size(), 2u);  // whole points overlapping the window
  EXPECT_EQ(doc.at("estimated_points"), 1);
  EXPECT_TRUE(doc.at("gaps").empty());
  EXPECT_DOUBLE_EQ(doc.at("mean_g_per_kwh").get<double>(), 355.0);
  EXPECT_EQ(doc.at("imports").size(), 1u);
}

TEST_F(IntensityCommandTest, ShowNamesTheStoredZonesWhenTheZoneIsUnknown) {
  const std::string f = write_csv("t_hourly.csv", {"2023-03-01 00:00:00,Germany,Germany,DE,300,350,50,40,x,false,"});
  ASSERT_EQ(run({"import", f}).code, 0);
  const CliRun r = run({"show", "FR"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no intensity data for zone \"FR\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stored zones: DE"), std::string::npos) << r.err;
}

TEST_F(IntensityCommandTest, ShowAsksWhichSeriesWhenAZoneHasSeveral) {
  const std::string f = write_csv("t_hourly.csv", {"2023-03-01 00:00:00,Germany,Germany,DE,300,350,50,40,x,false,"});
  ASSERT_EQ(run({"import", f}).code, 0);
  ASSERT_EQ(run({"import", f, "--signal", "direct"}).code, 0);
  const CliRun r = run({"show", "DE"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--signal"), std::string::npos) << r.err;
  const CliRun d = run({"show", "DE", "--signal", "direct", "--csv"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_NE(d.out.find(",300,ok,"), std::string::npos) << d.out;
}

TEST_F(IntensityCommandTest, ListShowsSeriesAndTheirSources) {
  const std::string f = write_csv("t_hourly.csv", {"2023-03-01 00:00:00,Germany,Germany,DE,300,350,50,40,x,false,",
                                                   "2023-03-01 01:00:00,Germany,Germany,DE,300,350,50,40,x,true,"});
  CliRun empty = run({"list"});
  ASSERT_EQ(empty.code, 0);
  EXPECT_NE(empty.out.find("no intensity data yet"), std::string::npos);
  ASSERT_EQ(run({"import", f}).code, 0);
  const CliRun text = run({"list"});
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("store: " + store_), std::string::npos);
  EXPECT_NE(text.out.find("electricitymaps-csv: " + f), std::string::npos) << text.out;
  const json arr = json::parse(run({"list", "--json"}).out);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0].at("zone"), "DE");
  EXPECT_EQ(arr[0].at("points"), 2);
  EXPECT_EQ(arr[0].at("estimated"), 1);
  EXPECT_EQ(arr[0].at("from"), "2023-03-01T00:00:00Z");
  EXPECT_EQ(arr[0].at("to"), "2023-03-01T02:00:00Z");
  EXPECT_EQ(arr[0].at("imports")[0].at("origin"), f);
}

TEST_F(IntensityCommandTest, ACorruptStoreIsAOneLineError) {
  fs::create_directories(fs::path(store_).parent_path());
  {
    std::ofstream f(store_);
    for (int i = 0; i < 100; ++i) f << "garbage garbage garbage\n";
  }
  const CliRun r = run({"stats"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not a greenrun store"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(IntensityCommandTest, HelpDescribesTheSubcommands) {
  const CliRun r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* word : {"import", "list", "show", "stats", "GREENRUN_STORE"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
  const CliRun imp = run({"import", "--help"});
  EXPECT_EQ(imp.code, 0);
  EXPECT_NE(imp.out.find("--signal"), std::string::npos) << imp.out;
}

// ---- import flags for every ImportOptions field; --region --------------------

std::string importer_fixture(const std::string& file) {
  return (greenrun::testing::source_dir() / "tests/intensity/importers/fixtures" / file).string();
}

TEST_F(IntensityCommandTest, GenericCsvTakesUnitTimeZoneStepOriginAndSignal) {
  const fs::path p = dir_ / "site.csv";
  std::ofstream(p) << "time,value\n2024-03-01 00:00,1000\n2024-03-01 01:00,500\n2024-03-01 03:00,200\n";
  const CliRun r = run({"import", p.string(), "--format", "generic-csv", "--zone", "SITE", "--unit", "lbs/MWh", "--tz",
                        "+01:00", "--step", "1h", "--origin", "forecast", "--generic-signal", "marginal"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("SITE marginal (forecast)"), std::string::npos) << r.out;
  const CliRun csv = run({"show", "SITE", "--csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  // Local 00:00 at +01:00 is 23:00 UTC the day before; 1 lbs/MWh = 0.45359237 g/kWh;
  // with --step 1h the missing 02:00 row is a gap, not a stretched 01:00 row.
  EXPECT_EQ(csv.out,
            "start,end,g_per_kwh,status,import\n"
            "2024-02-29T23:00:00Z,2024-03-01T00:00:00Z,453.59237,ok,1\n"
            "2024-03-01T00:00:00Z,2024-03-01T01:00:00Z,226.796185,ok,1\n"
            "2024-03-01T01:00:00Z,2024-03-01T02:00:00Z,,gap,\n"
            "2024-03-01T02:00:00Z,2024-03-01T03:00:00Z,90.718474,ok,1\n");
  // Without --tz and --step: UTC, and the gap stretches the row before it.
  const CliRun plain = run({"import", p.string(), "--format", "generic-csv", "--zone", "PLAIN"});
  ASSERT_EQ(plain.code, 0) << plain.err;
  const CliRun plain_csv = run({"show", "PLAIN", "--csv"});
  EXPECT_NE(plain_csv.out.find("2024-03-01T01:00:00Z,2024-03-01T03:00:00Z,500,ok"), std::string::npos)
      << plain_csv.out;
}

TEST_F(IntensityCommandTest, BadGenericFlagValuesAreOneLineErrors) {
  const fs::path p = dir_ / "site.csv";
  std::ofstream(p) << "time,value\n2024-03-01 00:00,1000\n2024-03-01 01:00,500\n";
  const std::string f = p.string();
  // --tz takes an offset or a tzdata zone (CET is one); neither is refused.
  const CliRun tz = run({"import", f, "--zone", "S", "--tz", "Mars/Olympus"});
  EXPECT_EQ(tz.code, 1);
  EXPECT_NE(tz.err.find("--tz: expected an offset such as +01:00 or a time zone such as Europe/Berlin"),
            std::string::npos)
      << tz.err;
  const CliRun unit = run({"import", f, "--zone", "S", "--unit", "furlongs"});
  EXPECT_EQ(unit.code, 1);
  EXPECT_NE(unit.err.find("--unit:"), std::string::npos) << unit.err;
  const CliRun step = run({"import", f, "--zone", "S", "--step", "soon"});
  EXPECT_EQ(step.code, 1);
  EXPECT_NE(step.err.find("--step:"), std::string::npos) << step.err;
  const CliRun origin = run({"import", f, "--zone", "S", "--origin", "typical"});
  EXPECT_EQ(origin.code, 1);
  const CliRun marginal_em = run({"import", f, "--zone", "S", "--signal", "marginal"});
  EXPECT_EQ(marginal_em.code, 1);
  EXPECT_NE(marginal_em.err.find("--generic-signal"), std::string::npos) << marginal_em.err;
  EXPECT_EQ(run({"list", "--json"}).out, "[]\n");  // nothing was imported
}

TEST_F(IntensityCommandTest, AFlagForAnotherFormatIsRefusedNotIgnored) {
  const std::string wt = importer_fixture("watttime_historical.json");
  const CliRun r = run({"import", wt, "--unit", "lbs/MWh"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--unit applies to generic-csv only, but the file is watttime-json"), std::string::npos)
      << r.err;
  const CliRun named = run({"import", wt, "--format", "watttime-json", "--tz", "+01:00"});
  EXPECT_EQ(named.code, 1);
  EXPECT_NE(named.err.find("--tz applies to generic-csv only, not --format watttime-json"), std::string::npos)
      << named.err;
  EXPECT_EQ(run({"list", "--json"}).out, "[]\n");
}

TEST_F(IntensityCommandTest, WattTimeJsonPrintsItsNotesAndSkippedRows) {
  const CliRun r = run({"import", importer_fixture("watttime_forecast_historical.json")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("PJM_DC marginal (forecast)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 points"), std::string::npos) << r.out;
  // Two superseded forecast values: counted, with the reason.
  EXPECT_NE(r.out.find("note: " + importer_fixture("watttime_forecast_historical.json") +
                       ": 2 of 6 rows not imported"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 forecast generations merged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 older values superseded"), std::string::npos) << r.out;

  const CliRun actual = run({"import", importer_fixture("watttime_forecast_historical.json"), "--watttime-origin",
                             "actual"});
  ASSERT_EQ(actual.code, 0) << actual.err;
  EXPECT_NE(actual.out.find("PJM_DC marginal (actual)"), std::string::npos) << actual.out;
}

TEST_F(IntensityCommandTest, WattTimeNullsAreAnErrorUnlessNullsAsGaps) {
  const std::string f = importer_fixture("broken_watttime_null_value.json");
  const CliRun strict = run({"import", f});
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("$.data[1].value: expected a number, got null"), std::string::npos) << strict.err;
  const CliRun gaps = run({"import", f, "--nulls-as-gaps"});
  ASSERT_EQ(gaps.code, 0) << gaps.err;
  EXPECT_NE(gaps.out.find("1 null values: missing points"), std::string::npos) << gaps.out;
  EXPECT_NE(gaps.out.find("1 of"), std::string::npos) << gaps.out;
  const CliRun csv = run({"show", "CAISO_NORTH", "--csv"});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_NE(csv.out.find(",gap,"), std::string::npos) << csv.out;
}

TEST_F(IntensityCommandTest, RegionResolvesThroughTheCatalogueForImportAndShow) {
  const fs::path p = dir_ / "westus.csv";
  std::ofstream(p) << "time,value\n2024-03-01T00:00Z,200\n2024-03-01T01:00Z,220\n";
  // Nothing stored for the region's zone yet: show says which zone it looked for.
  const CliRun none = run({"show", "--region", "azure:westus"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no intensity data for zone \"US-CAL-CISO\" (azure:westus"), std::string::npos)
      << none.err;
  const CliRun imp = run({"import", p.string(), "--format", "generic-csv", "--region", "azure:westus"});
  ASSERT_EQ(imp.code, 0) << imp.err;
  EXPECT_NE(imp.out.find("US-CAL-CISO average-lifecycle (actual)"), std::string::npos) << imp.out;
  const CliRun show = run({"show", "--region", "azure:westus", "--json"});
  ASSERT_EQ(show.code, 0) << show.err;
  const json doc = json::parse(show.out);
  EXPECT_EQ(doc.at("zone"), "US-CAL-CISO");
  EXPECT_DOUBLE_EQ(doc.at("mean_g_per_kwh").get<double>(), 210.0);
  // A ZONE of the provider:region form is a region too.
  EXPECT_EQ(run({"show", "azure:westus", "--csv"}).code, 0);
  const CliRun unknown = run({"show", "--region", "azure:nowhere"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("--region azure:nowhere"), std::string::npos) << unknown.err;
  EXPECT_NE(run({"import", p.string(), "--zone", "X", "--region", "azure:westus"}).code, 0);
}

// ---- refusals (issue 10): tests/intensity/importers/malformed/expectations.txt ----

std::string slurp_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST_F(IntensityCommandTest, MalformedInputsAreRefusedWithTheirLineAndLeaveTheStoreUnchanged) {
  const fs::path root = greenrun::testing::source_dir() / "tests/intensity/importers/malformed";
  const fs::path good = greenrun::testing::source_dir() / "tests/intensity/importers/fixtures/generic.csv";
  ASSERT_EQ(run({"import", good.string(), "--zone", "DE"}).code, 0);
  const auto snapshot = [&] {
    return run({"list", "--json"}).out + run({"stats", "--json"}).out + slurp_bytes(store_);
  };
  const std::string before = snapshot();
  std::ifstream list(root / "expectations.txt");
  ASSERT_TRUE(list) << root / "expectations.txt";
  std::string line;
  std::set<std::string> listed;
  size_t checked = 0;
  while (std::getline(list, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t bar1 = line.find(" | "), bar2 = line.find(" | ", bar1 + 3);
    ASSERT_NE(bar2, std::string::npos) << "expected FILE | FLAGS | FRAGMENT, got " << line;
    const std::string file = line.substr(0, bar1);
    const std::string fragment = line.substr(bar2 + 3);
    std::vector<std::string> args{"import", (root / file).string()};
    std::istringstream flags(line.substr(bar1 + 3, bar2 - bar1 - 3));
    for (std::string flag; flags >> flag;) args.push_back(flag);
    SCOPED_TRACE(file);
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find(fragment), std::string::npos) << "expected \"" << fragment << "\" in " << r.err;
    EXPECT_NE(r.err.find("(nothing was imported)"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_EQ(snapshot(), before) << "the store changed";
    listed.insert(file);
    ++checked;
  }
  // Every checked-in malformed file has its expectation.
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename() != "expectations.txt") {
      EXPECT_TRUE(listed.count(fs::relative(e.path(), root).string())) << e.path() << " has no expectation";
    }
  EXPECT_GE(checked, 20u);
}

TEST_F(IntensityCommandTest, ADirectoryOrADeviceIsRefusedInOneLine) {
  const CliRun d = run({"import", dir_.string()});
  EXPECT_EQ(d.code, 1);
  EXPECT_NE(d.err.find(dir_.string() + ": is a directory"), std::string::npos) << d.err;
  EXPECT_EQ(std::count(d.err.begin(), d.err.end(), '\n'), 1) << d.err;
  const CliRun z = run({"import", "/dev/zero"});
  EXPECT_EQ(z.code, 1);
  EXPECT_NE(z.err.find("/dev/zero: not a regular file"), std::string::npos) << z.err;
}

TEST_F(IntensityCommandTest, ReadCommandsNeverCreateOrWriteTheStore) {
  const CliRun list = run({"list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("no intensity data yet"), std::string::npos) << list.out;
  EXPECT_EQ(run({"stats"}).code, 0);
  EXPECT_FALSE(fs::exists(fs::path(store_).parent_path())) << "list/stats created the store";

  const fs::path good = greenrun::testing::source_dir() / "tests/intensity/importers/fixtures/generic.csv";
  ASSERT_EQ(run({"import", good.string(), "--zone", "DE"}).code, 0);
  // The writer left the store whole in its main file.
  if (fs::exists(store_ + "-wal")) {
    EXPECT_EQ(fs::file_size(store_ + "-wal"), 0u);
  }
  const std::string bytes = slurp_bytes(store_);
  const auto mtime = fs::last_write_time(store_);
  for (std::vector<std::string> args : {std::vector<std::string>{"list"}, {"stats", "--json"}, {"show", "DE"}}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.code, 0) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(slurp_bytes(store_), bytes);
  EXPECT_EQ(fs::last_write_time(store_), mtime);

  // A file that is not a store.
  std::ofstream(store_, std::ios::trunc) << "not a database, not a database, not a database\n";
  for (const char* cmd : {"list", "stats"}) {
    const CliRun r = run({cmd});
    EXPECT_EQ(r.code, 1) << cmd;
    EXPECT_NE(r.err.find(store_ + ": not a greenrun store"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace greenrun::cli
