#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

class SimulateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENRUN_REQUIRE_SHARED_DATA();
    dir_ = greenrun::testing::make_temp_dir("simulate");
    store_ = (dir_ / "s.db").string();
    for (const char* f : {"green-dcc/DE-LU_2022_hourly.csv", "decarbonization-potential/ES_2022_hourly.csv"})
      ASSERT_EQ(cli({"intensity", "import", (greenrun::testing::shared_data() / "electricitymaps-hourly" / f).string()}), 0)
          << err_.str();
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  int cli(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"greenrun", "--store", store_});
    return run_cli(args, out_, err_);
  }
  std::filesystem::path dir_;
  std::string store_;
  std::ostringstream out_, err_;
};

TEST_F(SimulateCommand, JsonRowsPerZonePresetAlgorithmWindow) {
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--zone", "ES", "--presets", "bert-finetune,vit-base", "--windows",
                 "24h,100%", "--algorithms", "flexible,pause-resume", "--starts", "monthly:1,7,13,19,25@00:00",
                 "--from", "2022-01-01", "--to", "2023-01-01", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  ASSERT_EQ(j["rows"].size(), 2u * 2 * 2 * 2);
  ASSERT_EQ(j["overall"].size(), 2u * 2 * 2);
  EXPECT_NE(j["sampling"].get<std::string>().find("days 1,7,13,19,25"), std::string::npos);
  EXPECT_EQ(j["provenance"].size(), 2u);
  for (const auto& r : j["rows"]) {
    for (const char* k : {"zone", "preset", "algorithm", "window", "starts", "mean_reduction_percent", "median",
                          "p10", "p90", "pauses_per_hour"})
      EXPECT_TRUE(r.contains(k)) << k;
    EXPECT_TRUE(r["window"] == "24h" || r["window"] == "100%");
    EXPECT_GT(r["starts"].get<int>(), 50);
    EXPECT_GE(r["mean_reduction_percent"].get<double>(), -1e-9);
  }
}

// The preset sweep keeps --min-pause as plan, run and simulate --jobs do: a
// 90-minute job on hourly data is planned in half hours, so the free
// planner may pause for half an hour; with --min-pause 3h it may not.
TEST_F(SimulateCommand, ThePresetSweepKeepsTheMinimumPause) {
  const auto presets = dir_ / "jobs.csv";
  std::ofstream(presets) << "name,duration,energy\nj,90m,1kWh\n";
  auto sweep = [&](const std::string& min_pause) {
    EXPECT_EQ(cli({"simulate", "--zone", "DE", "--presets", presets.string(), "--windows", "24h", "--algorithms",
                   "pause-resume", "--starts", "hourly", "--from", "2022-01-01", "--to", "2022-03-01", "--min-pause",
                   min_pause, "--json"}),
              0)
        << err_.str();
    return nlohmann::json::parse(out_.str())["rows"].at(0);
  };
  const auto any = sweep("0"), long_pauses = sweep("3h");
  EXPECT_EQ(any["starts"], long_pauses["starts"]);
  EXPECT_LT(long_pauses["mean_reduction_percent"].get<double>(), any["mean_reduction_percent"].get<double>())
      << "short pauses were allowed";
  EXPECT_GE(long_pauses["mean_reduction_percent"].get<double>(), 0.0) << "running at once is always allowed";
  // The default (10m) is below a half-hour slot: the same as any pause.
  EXPECT_EQ(cli({"simulate", "--zone", "DE", "--presets", presets.string(), "--windows", "24h", "--algorithms",
                 "pause-resume", "--starts", "hourly", "--from", "2022-01-01", "--to", "2022-03-01", "--json"}),
            0);
  EXPECT_EQ(nlohmann::json::parse(out_.str())["rows"].at(0)["mean_reduction_percent"], any["mean_reduction_percent"]);
}

TEST_F(SimulateCommand, CsvAndMarkdownStateSamplingAndProvenance) {
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--presets", "densenet-201", "--windows", "6h", "--starts", "hourly",
                 "--from", "2022-03-01", "--to", "2022-03-08", "--error", "0.1", "--repeat", "3", "--seed", "7",
                 "--csv"}),
            0)
      << err_.str();
  const std::string csv = out_.str();
  EXPECT_NE(csv.find("# sampling: every hour"), std::string::npos) << csv;
  EXPECT_NE(csv.find("3 repetitions, seed 7"), std::string::npos) << csv;
  EXPECT_NE(csv.find("# data: DE: electricitymaps-csv"), std::string::npos) << csv;
  EXPECT_NE(csv.find("zone,preset,algorithm,window,starts"), std::string::npos);
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--presets", "bert-finetune", "--windows", "12h", "--markdown"}), 0);
  EXPECT_NE(out_.str().find("| zone | preset |"), std::string::npos);
  // A user CSV of jobs.
  const auto jobs = dir_ / "jobs.csv";
  std::ofstream(jobs) << "name,duration,energy\nnightly,3h,2kWh\n";
  ASSERT_EQ(cli({"simulate", "--zone", "ES", "--presets", jobs.string(), "--windows", "50%", "--json"}), 0) << err_.str();
  EXPECT_EQ(nlohmann::json::parse(out_.str())["rows"][0]["preset"], "nightly");
}

TEST_F(SimulateCommand, BadInputIsOneLineAndNonZero) {
  // A malformed flag is a usage error (2); missing data is a failure (1).
  const std::vector<std::pair<std::vector<std::string>, int>> bad = {
      {{"simulate", "--zone", "FR"}, 1},
      {{"simulate", "--zone", "DE", "--presets", "gpt-5"}, 2},
      {{"simulate", "--zone", "DE", "--windows", "soon"}, 2},
      {{"simulate", "--zone", "DE", "--starts", "weekly"}, 2},
      {{"simulate", "--zone", "DE", "--algorithms", "threshold"}, 2},
      {{"simulate", "--zone", "DE", "--from", "2022-05-01", "--to", "2022-04-01"}, 2},
  };
  for (const auto& [args, status] : bad) {
    SCOPED_TRACE(args.back());
    EXPECT_EQ(cli(args), status);
    const std::string e = err_.str();
    EXPECT_EQ(e.rfind("greenrun: ", 0), 0u) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  }
}


// `simulate --jobs`: a job log replayed on the stored DE series, with the
// same per-job keys as `plan --json`.
TEST_F(SimulateCommand, ReplaysAJobLogWithPlanKeysAndTotals) {
  const auto log = dir_ / "jobs.csv";
  std::ofstream(log) << "id,submit,duration,power,rule,interruptible\n"
                        "train,2022-03-01T18:00,6h,1500W,next-workday@09:00,true\n"
                        "eval,2022-03-02T09:30,45m,300W,,\n"
                        "late,2022-03-03T10:00,5h,800W,within:2h,true\n"
                        "future,2024-01-01T00:00,1h,100W,,\n";
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string(), "--tz", "Europe/Berlin", "--rule", "slack:8h",
                 "--policies", "at-once,flexible,pause-resume,threshold", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["schema"], "greenrun.replay/1");
  EXPECT_EQ(j["tz"], "Europe/Berlin");
  ASSERT_EQ(j["excluded"].size(), 1u);
  EXPECT_EQ(j["excluded"][0]["id"], "future");
  EXPECT_EQ(j["excluded"][0]["line"], 5);
  EXPECT_NE(err_.str().find("jobs.csv:5: job future excluded"), std::string::npos) << err_.str();
  ASSERT_EQ(j["settings"].size(), 4u);
  for (const auto& s : j["settings"]) {
    SCOPED_TRACE(s["label"].get<std::string>());
    ASSERT_EQ(s["jobs"].size(), 3u);
    for (const char* k : {"jobs", "infeasible", "emissions_g", "at_once_g", "saving_g", "saving_percent",
                          "mean_saving_percent", "mean_intensity_g_per_kwh", "delay_h", "pauses"})
      EXPECT_TRUE(s["totals"].contains(k)) << k;
    EXPECT_EQ(s["totals"]["infeasible"], 1) << "late: 5 h in a 2 h window";
    for (const auto& job : s["jobs"]) {
      for (const char* k : {"id", "mode", "start", "end", "segments", "pauses", "emissions_g", "at_once_g", "saving_g",
                            "saving_percent", "delay_s", "feasible"})
        EXPECT_TRUE(job.contains(k)) << k;
      if (job["id"] == "late") {
        EXPECT_FALSE(job["feasible"].get<bool>());
        EXPECT_EQ(job["saving_g"], 0.0);
        EXPECT_EQ(job["start"], "2022-03-03T09:00:00Z");
      }
    }
    if (s["policy"] == "at-once") {
      EXPECT_EQ(s["totals"]["saving_g"], 0.0);
    }
    if (s["policy"] == "flexible" || s["policy"] == "pause-resume") {
      EXPECT_GE(s["totals"]["saving_g"].get<double>(), 0);
    }
  }
  // The 6 h training job submitted Tuesday 18:00 must end by Wednesday 09:00 CET.
  for (const auto& job : j["settings"][2]["jobs"]) {
    if (job["id"] == "train") {
      EXPECT_LE(job["end"].get<std::string>(), std::string("2022-03-02T08:00:00Z"));
    }
  }
}

TEST_F(SimulateCommand, ReplaysSacctWithSeededForecastErrorAsCsvAndMarkdown) {
  const auto log = dir_ / "sacct.txt";
  std::ofstream(log) << "JobID|Submit|Start|Elapsed|TimeLimit|NNodes|ConsumedEnergy\n"
                        "11|2022-06-01T10:00:00|2022-06-01T10:00:00|03:00:00|04:00:00|1|10.8M\n"
                        "11.batch|2022-06-01T10:00:00|2022-06-01T10:00:00|03:00:00||1|10.8M\n"
                        "12|2022-06-02T22:10:00|2022-06-02T22:11:00|1-02:00:00|2-00:00:00|4|\n"
                        "13|2022-06-03T08:00:00|Unknown|00:00:00|01:00:00|1|0\n";
  ASSERT_EQ(cli({"simulate", "--zone", "ES", "--jobs", log.string(), "--rule", "slack:12h", "--policies",
                 "flexible,pause-resume", "--error", "0,0.1", "--repeat", "2", "--seed", "5", "--csv"}),
            0)
      << err_.str();
  const std::string csv = out_.str();
  EXPECT_NE(csv.find("# log: " + log.string() + " (sacct, 2 jobs, 1 job steps ignored)"), std::string::npos) << csv;
  EXPECT_NE(csv.find("# excluded: 1 jobs; 13 (line 5): never ran"), std::string::npos) << csv;
  EXPECT_NE(csv.find("seeds: 5,6"), std::string::npos) << csv;
  EXPECT_NE(csv.find("lost to forecast error"), std::string::npos) << csv;
  EXPECT_NE(csv.find("setting,policy,rule,error,jobs,infeasible"), std::string::npos) << csv;
  ASSERT_EQ(cli({"simulate", "--zone", "ES", "--jobs", log.string(), "--rules", "slack:6h", "--rules", "slack:12h",
                 "--markdown", "--per-job"}),
            0)
      << err_.str();
  EXPECT_NE(out_.str().find("| setting | id | mode |"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("flexible slack:12h"), std::string::npos) << out_.str();
}

// --node-power is read by the one power-flag parser (job_flags.h): W, kW,
// MW or bare watts, the same value the same result; bad values name the flag.
TEST_F(SimulateCommand, NodePowerIsReadLikeEveryPowerFlag) {
  const auto log = dir_ / "sacct.txt";
  std::ofstream(log) << "JobID|Submit|Start|Elapsed|TimeLimit|NNodes|ConsumedEnergy\n"
                        "12|2022-06-02T22:10:00|2022-06-02T22:11:00|1-02:00:00|2-00:00:00|4|\n";
  std::vector<std::string> outputs;
  for (const std::string power : {"1500", "1500W", "1.5kW", "0.0015MW"}) {
    ASSERT_EQ(cli({"simulate", "--zone", "ES", "--jobs", log.string(), "--rule", "slack:12h", "--policies",
                   "at-once,flexible", "--node-power", power, "--json"}),
              0)
        << power << ": " << err_.str();
    outputs.push_back(out_.str());
  }
  for (const auto& o : outputs) EXPECT_EQ(o, outputs.front());
  EXPECT_NE(outputs.front().find("\"energy_kwh\": 156.0"), std::string::npos) << "26 h x 4 nodes x 1.5 kW\n" << outputs.front();
  for (const std::string bad : {"-3W", "0", "lots", "inf"}) {
    EXPECT_EQ(cli({"simulate", "--zone", "ES", "--jobs", log.string(), "--node-power", bad}), 2) << bad;
    EXPECT_NE(err_.str().find("greenrun: --node-power: expected a positive power such as 300W, 0.3kW or 300 (watts), "
                              "got \"" + bad + "\""),
              std::string::npos)
        << err_.str();
  }
}

TEST_F(SimulateCommand, BadJobLogsAreOneLineErrors) {
  const auto log = dir_ / "bad.csv";
  std::ofstream(log) << "id,submit,duration,power\na,2022-03-01T10:00,1h,100W\nb,2022-03-01T10:00,1h,much\n";
  EXPECT_EQ(cli({"simulate", "--zone", "DE", "--jobs", log.string()}), 1);
  const std::string e = err_.str();
  EXPECT_NE(e.find("bad.csv:3: column power:"), std::string::npos) << e;
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  const std::vector<std::vector<std::string>> usage = {
      {"simulate", "--zone", "DE", "--jobs", log.string(), "--tz", "Mars/Olympus"},
      {"simulate", "--zone", "DE", "--jobs", log.string(), "--rule", "whenever"},
      {"simulate", "--zone", "DE", "--jobs", log.string(), "--policies", "sometimes"},
      {"simulate", "--zone", "DE", "--jobs", log.string(), "--error", "0,-1"},
      {"simulate", "--zone", "DE", "--zone", "ES", "--jobs", log.string()},
  };
  for (const auto& args : usage) {
    SCOPED_TRACE(args.back());
    EXPECT_EQ(cli(args), 2) << err_.str();
    const std::string u = err_.str();
    EXPECT_EQ(std::count(u.begin(), u.end(), '\n'), 1) << u;
  }
  EXPECT_NE(cli({"simulate", "--zone", "DE", "--jobs", (dir_ / "missing.csv").string()}), 0);
  EXPECT_NE(err_.str().find("missing.csv"), std::string::npos);
}


// A synthetic workload: a preset started daily at 01:00 Berlin time,
// replayed with windows reaching up to 4 h before the nominal time.
TEST_F(SimulateCommand, ReplaysPresetsOnALocalDailySchedule) {
  ASSERT_EQ(cli({"simulate", "--zone", "DE", "--presets", "bert-finetune", "--starts", "daily@01:00", "--tz",
                 "Europe/Berlin", "--from", "2022-03-20", "--to", "2022-04-03", "--rules", "around:0h", "--rules",
                 "around:4h", "--policies", "flexible", "--json"}),
            0)
      << err_.str();
  const auto j = nlohmann::json::parse(out_.str());
  EXPECT_EQ(j["log"]["format"], "synthetic");
  ASSERT_EQ(j["settings"].size(), 2u);
  const auto& none = j["settings"][0];
  const auto& wide = j["settings"][1];
  ASSERT_EQ(none["jobs"].size(), 14u);
  EXPECT_EQ(none["jobs"][0]["start"], "2022-03-20T00:00:00Z");  // 01:00 CET
  EXPECT_EQ(none["jobs"][7]["start"], "2022-03-27T00:00:00Z");  // 01:00 CET, before the change at 02:00
  EXPECT_EQ(none["jobs"][8]["start"], "2022-03-27T23:00:00Z");  // 01:00 CEST
  EXPECT_EQ(none["totals"]["saving_g"], 0.0);
  EXPECT_GE(wide["totals"]["saving_g"].get<double>(), 0.0);
  bool earlier = false;
  for (const auto& job : wide["jobs"]) earlier |= job["delay_s"].get<double>() < 0;
  EXPECT_TRUE(earlier) << "some job starts before its nominal time";
  EXPECT_EQ(cli({"simulate", "--zone", "DE", "--starts", "daily@01:00"}), 2);
  EXPECT_NE(err_.str().find("expected --from and --to"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace greenrun::cli
