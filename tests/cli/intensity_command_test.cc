// `greenrun intensity ...` driven in-process through run_cli with a temporary
// --store, on the shared Electricity Maps files and small broken fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

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

}  // namespace
}  // namespace greenrun::cli
