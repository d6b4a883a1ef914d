// End to end: `greenrun run` as a real process on the estimate path (no
// counters needed), plus `greenrun runs` in-process on the same store.
#include <gtest/gtest.h>

#include <algorithm>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "cli.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/time_format.h"
#include "greenrun/replay.h"
#include "intensity/store.h"
#include "runner/run_emissions.h"
#include "runner/run_store.h"
#include "runner/timeline_writer.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-run-e2e");
    out_ = dir_ / "out";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Starts greenrun in its own process group with a clean environment;
  // stderr goes to a file.
  pid_t start(const std::vector<std::string>& args, const greenrun::testing::EnvVars& env = {}) {
    return greenrun::testing::start_cli(args, dir_, env);
  }
  static int wait_exit(pid_t pid) { return greenrun::testing::wait_exit(pid); }
  int run(const std::vector<std::string>& args, const greenrun::testing::EnvVars& env = {}) {
    return wait_exit(start(args, env));
  }
  std::string file(const fs::path& p) const { return greenrun::testing::read_file(p); }
  std::string stderr_text() const { return file(dir_ / "stderr.txt"); }
  nlohmann::json run_json() const { return nlohmann::json::parse(file(greenrun::testing::latest_run_folder(out_) / "run.json")); }
  // Complete lines in the run's timeline so far.
  size_t sampled_lines() const {
    const std::string t = file(greenrun::testing::latest_run_folder(out_) / "timeline.jsonl");
    return static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));
  }

  fs::path dir_, out_;
};

TEST_F(RunCommandTest, IdleCommandWritesLabelledFilesAndSummary) {
  const int rc = run({"run", "--sensors", "estimate", "--interval", "200ms", "--out", out_.string(), "--project", "demo",
                      "--", "sleep", "0.7"});
  ASSERT_EQ(rc, 0) << stderr_text();
  const auto err = stderr_text();
  EXPECT_NE(err.find("exit status 0"), std::string::npos) << err;
  EXPECT_NE(err.find("estimated"), std::string::npos);
  EXPECT_NE(err.find("world average"), std::string::npos);   // no zone: said so
  EXPECT_NE(err.find("embodied"), std::string::npos);
  EXPECT_NE(err.find("PUE"), std::string::npos);
  EXPECT_EQ(file(dir_ / "stdout.txt"), "");  // the summary never pollutes CMD's stdout
  const auto j = run_json();
  EXPECT_EQ(j["method"], "estimated");
  EXPECT_EQ(j["simulated"], false);
  EXPECT_GE(j["duration_s"].get<double>(), 0.65);
  EXPECT_GE(j["intervals"].get<int>(), 3);
  EXPECT_LE(j["job_energy_j"].get<double>(), j["machine_energy_j"].get<double>());
  EXPECT_GT(j["machine_energy_j"].get<double>(), 0.0);
  auto tl = runner::read_timeline((greenrun::testing::latest_run_folder(out_) / "timeline.jsonl").string());
  ASSERT_TRUE(tl) << tl.error().message;
  EXPECT_EQ(tl->intervals.size(), j["intervals"].get<size_t>());
  const auto csv = file(out_ / "emissions.csv");
  EXPECT_EQ(csv.rfind("timestamp,project_name,run_id,experiment_id,duration,emissions,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2);
  EXPECT_NE(csv.find(",demo,"), std::string::npos);
}

TEST_F(RunCommandTest, BusyCommandGetsAJobShare) {
  const int rc = run({"run", "--sensors", "estimate", "--interval", "100ms", "--out", out_.string(), "--", "sh", "-c",
                      "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"});
  ASSERT_EQ(rc, 0) << stderr_text();
  const auto j = run_json();
  double cpu_job = -1;
  for (const auto& c : j["components"])
    if (c["component"] == "cpu") cpu_job = c["job_j"].get<double>();
  EXPECT_GT(cpu_job, 0.0);
  EXPECT_LE(j["job_energy_j"].get<double>(), j["machine_energy_j"].get<double>() + 1e-9);
}

TEST_F(RunCommandTest, ExitsWithTheCommandsStatus) {
  EXPECT_EQ(run({"run", "--sensors", "estimate", "--out", out_.string(), "--", "sh", "-c", "exit 3"}), 3);
  EXPECT_EQ(run_json()["exit_status"], 3);
  EXPECT_EQ(run({"run", "--sensors", "estimate", "--out", out_.string(), "--", "sh", "-c", "kill -KILL $$"}), 137);
}

TEST_F(RunCommandTest, MissingCommandExits127) {
  EXPECT_EQ(run({"run", "--sensors", "estimate", "--out", out_.string(), "--", "greenrun-no-such-cmd"}), 127);
  EXPECT_NE(stderr_text().find("greenrun: greenrun-no-such-cmd: command not found"), std::string::npos)
      << stderr_text();
}

TEST_F(RunCommandTest, ForwardsSigtermAndStillReports) {
  const pid_t pid = start({"run", "--sensors", "estimate", "--interval", "100ms", "--out", out_.string(), "--",
                           "sleep", "30"});
  // Signal once the job is running and sampled (its first timeline lines).
  ASSERT_TRUE(greenrun::testing::eventually([&] { return sampled_lines() >= 2; }, 500)) << stderr_text();
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 128 + SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_EQ(run_json()["exit_status"], 143);
  ::kill(-pid, SIGKILL);  // nothing should be left; make sure
}

TEST_F(RunCommandTest, SigkillOfGreenrunLeavesAParseableTimeline) {
  const pid_t pid = start({"run", "--sensors", "estimate", "--interval", "100ms", "--out", out_.string(), "--",
                           "sleep", "30"});
  ASSERT_TRUE(greenrun::testing::eventually([&] { return sampled_lines() >= 3; }, 500)) << stderr_text();
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
  ::kill(-pid, SIGKILL);  // the orphaned sleep
  auto tl = runner::read_timeline((greenrun::testing::latest_run_folder(out_) / "timeline.jsonl").string());
  ASSERT_TRUE(tl) << tl.error().message;
  EXPECT_GE(tl->intervals.size(), 3u);
  EXPECT_EQ(tl->torn_lines, 0u);
  EXPECT_FALSE(fs::exists(greenrun::testing::latest_run_folder(out_) / "run.json")) << "a record was written";
}

TEST_F(RunCommandTest, FakeSensorsAreLabelledSimulated) {
  ASSERT_EQ(run({"run", "--sensors", "fake", "--out", out_.string(), "--", "true"}), 0) << stderr_text();
  EXPECT_NE(stderr_text().find("SIMULATED"), std::string::npos);
  EXPECT_EQ(run_json()["simulated"], true);
  EXPECT_EQ(run_json()["method"], "simulated");
}

TEST_F(RunCommandTest, UsageErrors) {
  EXPECT_EQ(run({"run", "--interval", "5ms", "--", "true"}), 2);
  EXPECT_NE(stderr_text().find("--interval: expected 10ms to 60s"), std::string::npos);
  EXPECT_EQ(run({"run", "--pue", "0.5", "--", "true"}), 2);
  EXPECT_EQ(run({"run", "--sensors", "magic", "--out", out_.string(), "--", "true"}), 1);
  EXPECT_NE(stderr_text().find("--sensors: expected auto"), std::string::npos);
}

// --threshold is read by the engine's one parser (engine::parse_threshold,
// as `simulate --jobs` reads it): the same message for the same text.
TEST_F(RunCommandTest, ThresholdIsReadByTheEnginesParser) {
  for (const std::string bad : {"p300", "dirty", "p", ""}) {
    SCOPED_TRACE("--threshold \"" + bad + "\"");
    const auto expected = engine::parse_threshold(bad);
    ASSERT_FALSE(expected);
    EXPECT_EQ(run({"run", "--zone", "DE", "--threshold", bad, "--max-delay", "1h", "--expected-duration", "1h", "--",
                   "true"}),
              2);
    EXPECT_NE(stderr_text().find("greenrun: --threshold: " + expected.error().message), std::string::npos)
        << stderr_text();
  }
}

TEST_F(RunCommandTest, ZoneFromTheEnvironmentIsUsedAndNamed) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--out", out_.string(), "--", "true"}, {{"GREENRUN_ZONE", "DE"}}), 0);
  EXPECT_EQ(run_json()["zone"], "DE");
  EXPECT_EQ(run_json()["zone_source"], "GREENRUN_ZONE");
}

TEST_F(RunCommandTest, RegionMapsToAZoneAndItsAnnualMeanIsLabelled) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--region", "aws:eu-central-1", "--out", out_.string(), "--", "true"}),
            0)
      << stderr_text();
  const auto j = run_json();
  EXPECT_EQ(j["zone"], "DE");
  EXPECT_EQ(j["cloud_region"], "aws:eu-central-1");
  // No hourly data in the (empty) store for now: the catalogue's annual mean, said so.
  const std::string source = j["emissions_average"]["source"];
  EXPECT_NE(source.find("annual mean"), std::string::npos) << source;
  EXPECT_DOUBLE_EQ(j["emissions_average"]["coverage"].get<double>(), 0.0);
  EXPECT_EQ(run({"run", "--region", "aws:nowhere-1", "--out", out_.string(), "--", "true"}), 1);
  EXPECT_NE(stderr_text().find("unknown aws region"), std::string::npos) << stderr_text();
}

TEST_F(RunCommandTest, AccountingReadsTheTimeline) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--interval", "100ms", "--out", out_.string(), "--", "sleep", "0.3"}),
            0);
  std::ostringstream out, err;
  const int rc = run_cli({"greenrun", "--store", (dir_ / "greenrun.db").string(), "emissions", "--energy",
                          (greenrun::testing::latest_run_folder(out_) / "timeline.jsonl").string(), "--zone", "DE"},
                         out, err);
  EXPECT_EQ(rc, 0) << err.str() << out.str();
}

// The lines of an accounting breakdown (greenrun.emissions/1) add up to its total.
void expect_lines_add_up(const nlohmann::json& b) {
  SCOPED_TRACE(b.dump());
  const double op = b["operational"]["average"]["grams"].get<double>();
  const double pue = b["pue"]["overhead_grams"].get<double>();
  const double emb = b["embodied"].is_null() ? 0.0 : b["embodied"]["grams"].get<double>();
  const double total = b["total"]["grams"].get<double>();
  EXPECT_GT(total, 0.0);
  EXPECT_NEAR(op + pue + emb, total, 1e-9 * total);
}

TEST_F(RunCommandTest, SummaryShowsTheAccountingBreakdownWithFallbackPueAndEmbodiedLines) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--interval", "100ms", "--zone", "DE", "--pue", "1.2",
                 "--embodied-kg", "1500", "--share", "0.5", "--lifetime", "4y", "--out", out_.string(), "--", "sh",
                 "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done"}),
            0)
      << stderr_text();
  const auto err = stderr_text();
  // The same breakdown `greenrun emissions` prints, for the job's energy.
  EXPECT_NE(err.find("Emissions of the job's attributed energy"), std::string::npos) << err;
  EXPECT_NE(err.find("Operational, average-lifecycle"), std::string::npos) << err;
  EXPECT_NE(err.find("annual mean, not time-resolved"), std::string::npos) << err;  // empty store: the fallback
  EXPECT_NE(err.find("Operational, marginal"), std::string::npos) << err;
  EXPECT_NE(err.find("PUE overhead (PUE 1.2)"), std::string::npos) << err;
  EXPECT_NE(err.find("Embodied (SCI M)"), std::string::npos) << err;
  EXPECT_NE(err.find("--embodied-kg 1500 kg, share 0.5"), std::string::npos) << err;
  EXPECT_NE(err.find("Whole machine"), std::string::npos) << err;
  // No store data for the next 24 h: the typical profile, called so.
  EXPECT_NE(err.find("best start in hindsight: "), std::string::npos) << err;
  EXPECT_NE(err.find("typical profile, not a forecast"), std::string::npos) << err;

  const auto j = run_json();
  const auto& job = j["emissions"]["job"];
  const auto& machine = j["emissions"]["machine"];
  ASSERT_TRUE(job.is_object()) << j.dump(2);
  ASSERT_TRUE(machine.is_object()) << j.dump(2);
  EXPECT_EQ(job["schema"], "greenrun.emissions/1");
  expect_lines_add_up(job);
  expect_lines_add_up(machine);
  EXPECT_NEAR(job["energy"]["joules"].get<double>(), j["job_energy_j"].get<double>(),
              1e-6 * j["job_energy_j"].get<double>());
  EXPECT_NEAR(machine["energy"]["joules"].get<double>(), j["machine_energy_j"].get<double>(),
              1e-6 * j["machine_energy_j"].get<double>());
  EXPECT_LE(job["total"]["grams"].get<double>(), machine["total"]["grams"].get<double>());
  EXPECT_DOUBLE_EQ(job["pue"]["pue"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(job["embodied"]["resource_share"].get<double>(), 0.5);
  EXPECT_NE(job["operational"]["average"]["fallback"]["note"].get<std::string>().find("annual mean"),
            std::string::npos);
  // The summary figure (store, CSV, `runs`) is operational x PUE, embodied apart.
  EXPECT_NEAR(j["emissions_average"]["job_g"].get<double>(),
              job["operational"]["average"]["grams"].get<double>() + job["pue"]["overhead_grams"].get<double>(),
              1e-9);
  const auto& fs = j["flexible_start"];
  ASSERT_EQ(fs["computed"], true) << fs.dump();
  EXPECT_EQ(fs["basis"], "typical profile, not a forecast");
  const double base = fs["baseline_g"].get<double>(), best = fs["emissions_g"].get<double>();
  EXPECT_LE(best, base);
  EXPECT_NEAR(fs["saving_percent"].get<double>(), base > 0 ? 100 * (base - best) / base : 0.0, 1e-9);
  auto start = parse_utc(fs["best_start"].get<std::string>());
  auto started = parse_utc(j["started"].get<std::string>());
  ASSERT_TRUE(start && started);
  EXPECT_GE(*start + std::chrono::seconds(1), *started);
  EXPECT_LE(*start, *started + std::chrono::hours(24) + std::chrono::seconds(1));
}

TEST_F(RunCommandTest, EmbodiedLineSaysHowToIncludeItOrNamesTheInstance) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--zone", "DE", "--out", out_.string(), "--", "sleep", "0.2"}), 0);
  EXPECT_NE(stderr_text().find("not included: pass --instance or --embodied-kg"), std::string::npos)
      << stderr_text();
  EXPECT_TRUE(run_json()["emissions"]["job"]["embodied"].is_null());
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--zone", "DE", "--instance", "aws:p3.2xlarge", "--out",
                 out_.string(), "--", "sleep", "0.2"}),
            0)
      << stderr_text();
  EXPECT_NE(stderr_text().find("Cloud Carbon Footprint"), std::string::npos) << stderr_text();
  expect_lines_add_up(run_json()["emissions"]["job"]);
  EXPECT_GT(run_json()["emissions"]["job"]["embodied"]["grams"].get<double>(), 0.0);
  EXPECT_EQ(run({"run", "--instance", "aws:no-such-type", "--out", out_.string(), "--", "true"}), 2);
  EXPECT_NE(stderr_text().find("greenrun: --instance:"), std::string::npos) << stderr_text();
  EXPECT_EQ(run({"run", "--embodied-kg", "100", "--lifetime", "soon", "--out", out_.string(), "--", "true"}), 2);
  EXPECT_NE(stderr_text().find("greenrun: --lifetime:"), std::string::npos) << stderr_text();
}

// `run` and `emissions` label the embodied line alike for the same flags
// (one builder: engine/embodied_request.h), in JSON and in the text.
TEST_F(RunCommandTest, EmbodiedLabelIsTheSameAsEmissionsGives) {
  const std::vector<std::vector<std::string>> flag_sets = {
      {"--embodied-kg", "1500", "--share", "0.5", "--lifetime", "4y"},
      {"--embodied-kg", "876.6"},
      {"--instance", "aws:p3.2xlarge", "--lifetime", "3y"},
  };
  const fs::path log = dir_ / "energy.csv";
  std::ofstream(log) << "start,duration_s,cpu_kwh,method\n2031-01-01T00:00:00Z,60,0.001,measured\n";
  for (const auto& flags : flag_sets) {
    SCOPED_TRACE(flags.front() + " " + flags[1]);
    std::vector<std::string> run_args = {"run", "--sensors", "estimate", "--zone", "DE", "--out", out_.string()};
    run_args.insert(run_args.end(), flags.begin(), flags.end());
    run_args.insert(run_args.end(), {"--", "sleep", "0.2"});
    ASSERT_EQ(run(run_args), 0) << stderr_text();
    const std::string from_run = run_json()["emissions"]["job"]["embodied"]["source"];
    std::vector<std::string> em_args = {"greenrun", "--store", (dir_ / "store.db").string(), "emissions", "--energy",
                                        log.string(), "--zone", "DE", "--json"};
    em_args.insert(em_args.end(), flags.begin(), flags.end());
    std::ostringstream out, err;
    ASSERT_EQ(run_cli(em_args, out, err), 0) << err.str();
    EXPECT_EQ(nlohmann::json::parse(out.str())["embodied"]["source"], from_run);
    EXPECT_NE(stderr_text().find("  " + from_run + "\n"), std::string::npos) << stderr_text();
  }
}

// With no stored data, `run`'s summary figure and `emissions` name the
// annual-mean fallback alike: one builder, one label.
TEST_F(RunCommandTest, AnnualMeanFallbackIsLabelledAsEmissionsLabelsIt) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--interval", "100ms", "--zone", "DE", "--out", out_.string(), "--",
                 "sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done"}),
            0)
      << stderr_text();
  const std::string from_run = run_json()["emissions_average"]["source"];
  const fs::path log = dir_ / "energy.csv";
  std::ofstream(log) << "start,duration_s,cpu_kwh,method\n2031-01-01T00:00:00Z,60,0.001,measured\n";
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"greenrun", "--store", (dir_ / "store.db").string(), "emissions", "--energy", log.string(),
                     "--zone", "DE", "--json"},
                    out, err),
            0)
      << err.str();
  const std::string source = nlohmann::json::parse(out.str())["operational"]["average"]["fallback"]["source"];
  EXPECT_EQ(from_run, "annual mean, not time-resolved (" + source + ")");
  EXPECT_NE(stderr_text().find("annual mean, not time-resolved (" + source + ")"), std::string::npos)
      << stderr_text();
}

TEST_F(RunCommandTest, NoZoneSaysWhyThereIsNoFlexibleStart) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--out", out_.string(), "--", "true"}), 0);
  EXPECT_NE(stderr_text().find("best start in hindsight: not computed: no grid zone known"), std::string::npos)
      << stderr_text();
  EXPECT_EQ(run_json()["flexible_start"]["computed"], false);
  EXPECT_FALSE(run_json()["flexible_start"]["reason"].get<std::string>().empty());
}

// greenrun has no clock override, so the store gets real Electricity Maps
// rows for Germany (2022, from /work/shared/data) moved to start two hours
// before now: real values, the run's own time. The run is then priced by the
// hour from the store and the flexible-start line uses the stored data.
TEST_F(RunCommandTest, StoreDataPricesTheRunAndDrivesTheFlexibleStartLine) {
  GREENRUN_REQUIRE_SHARED_DATA();
  std::ifstream in(greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv");
  std::string header, line;
  ASSERT_TRUE(std::getline(in, header));
  const UtcTime now = SystemClock().utc_now();
  UtcTime t = std::chrono::floor<std::chrono::hours>(now) - std::chrono::hours(2);
  std::ofstream csv(dir_ / "DE_shifted.csv");
  csv << header << "\n";
  for (int row = 0; row < 60 && std::getline(in, line); ++row, t += std::chrono::hours(1)) {
    const CivilTime c = to_civil(t);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d-%02u-%02u %02u:00:00", c.year, c.month, c.day, c.hour);
    csv << stamp << line.substr(line.find(',')) << "\n";
  }
  csv.close();
  const std::string store = (dir_ / "greenrun.db").string();
  std::ostringstream o1, e1;
  ASSERT_EQ(run_cli({"greenrun", "--store", store, "intensity", "import", (dir_ / "DE_shifted.csv").string()}, o1, e1),
            0)
      << e1.str();

  ASSERT_EQ(run({"run", "--sensors", "estimate", "--interval", "100ms", "--zone", "DE", "--out", out_.string(), "--",
                 "sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done"}),
            0)
      << stderr_text();
  const auto err = stderr_text();
  const auto j = run_json();
  EXPECT_DOUBLE_EQ(j["emissions_average"]["coverage"].get<double>(), 1.0) << j.dump(2);
  EXPECT_NE(j["emissions_average"]["source"].get<std::string>().find("store: DE"), std::string::npos);
  EXPECT_EQ(err.find("annual mean, not time-resolved"), std::string::npos) << err;
  expect_lines_add_up(j["emissions"]["job"]);

  const auto& fs = j["flexible_start"];
  ASSERT_EQ(fs["computed"], true) << fs.dump();
  EXPECT_EQ(fs["basis"], "stored actual data (hindsight)");
  // The same answer from the library, over the same store and timeline.
  auto db = intensity::IntensityStore::open(store);
  ASSERT_TRUE(db) << db.error().message;
  auto tl = runner::read_timeline((greenrun::testing::latest_run_folder(out_) / "timeline.jsonl").string());
  ASSERT_TRUE(tl) << tl.error().message;
  const auto expected = runner::flexible_start_hindsight(&*db, "DE", tl->intervals, tl->intervals.front().start);
  ASSERT_TRUE(expected.computed) << expected.reason;
  EXPECT_NEAR(fs["saving_percent"].get<double>(), expected.saving_percent, 0.5);
  auto best = parse_utc(fs["best_start"].get<std::string>());
  ASSERT_TRUE(best);
  EXPECT_LE(std::chrono::abs(*best - expected.best_start), std::chrono::seconds(1));
  if (fs["saving_percent"].get<double>() > 0.05) {
    EXPECT_NE(err.find("best start in hindsight: started at " + fs["best_start"].get<std::string>() +
                       ", within 24h of the run's start, it would have emitted"),
              std::string::npos)
        << err;
  }
}

#ifdef GREENRUN_FAKE_NVML
TEST_F(RunCommandTest, GpuThroughTheStandInNvmlLibrary) {
  std::ofstream(dir_ / "nvml.txt") << "count=1\n0.name=NVIDIA A100-SXM4-40GB\n0.power_mw=200000\n";
  ASSERT_EQ(run({"run", "--sensors", "nvml", "--interval", "100ms", "--out", out_.string(), "--", "sleep", "0.3"},
                {{"GREENRUN_NVML_LIBRARY", GREENRUN_FAKE_NVML},
                 {"GREENRUN_FAKE_NVML_SCRIPT", (dir_ / "nvml.txt").string()}}),
            0)
      << stderr_text();
  const auto j = run_json();
  bool found = false;
  for (const auto& c : j["components"]) {
    if (c["component"] != "gpu") continue;
    found = true;
    EXPECT_EQ(c["method"], "integrated");
    EXPECT_NEAR(c["machine_j"].get<double>(), 200.0 * j["duration_s"].get<double>(), 200.0 * 0.05);
  }
  EXPECT_TRUE(found) << file(greenrun::testing::latest_run_folder(out_) / "run.json");
  EXPECT_EQ(j["host"]["gpu_model"], "NVIDIA A100-SXM4-40GB");
}
#endif

TEST_F(RunCommandTest, RunsListShowAndSummary) {
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--project", "bert", "--phase", "training", "--out", out_.string(),
                 "--", "true"}),
            0);
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--project", "bert", "--phase", "inference", "--out",
                 (dir_ / "out2").string(), "--", "true"}),
            0);
  const std::string store = (dir_ / "greenrun.db").string();
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"greenrun", "--store", store, "runs", "list"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("bert"), std::string::npos);
  EXPECT_NE(out.str().find("inference"), std::string::npos);
  const std::string id = run_json()["id"];
  std::ostringstream show, e2;
  ASSERT_EQ(run_cli({"greenrun", "--store", store, "runs", "show", id}, show, e2), 0) << e2.str();
  EXPECT_NE(show.str().find("training"), std::string::npos);
  std::ostringstream sum, e3;
  ASSERT_EQ(run_cli({"greenrun", "--store", store, "runs", "summary", "--by", "phase", "--json"}, sum, e3), 0);
  const auto j = nlohmann::json::parse(sum.str());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["phase"], "inference");
  EXPECT_EQ(j[1]["runs"], 1);
  std::ostringstream o4, e4;
  EXPECT_EQ(run_cli({"greenrun", "--store", store, "runs", "show", "nope"}, o4, e4), 1);
  EXPECT_NE(e4.str().find("greenrun: no run with id"), std::string::npos);
}

// Issue 9: an argument that is not UTF-8 made nlohmann::json::dump throw
// (type_error 316) after the job had run: run.json was left empty, with no
// emissions.csv and no store row. The argument is now recorded escaped
// (docs/formats.md, "run.json") and read back byte for byte.
TEST_F(RunCommandTest, AnArgumentThatIsNotUtf8IsRecordedEverywhere) {
  const std::string arg = "ok\xff\n";
  ASSERT_EQ(run({"run", "--sensors", "estimate", "--project", "bytes", "--out", out_.string(), "--", "printf", arg}),
            0)
      << stderr_text();
  EXPECT_EQ(file(dir_ / "stdout.txt"), "ok\xff\n");  // the job's own output, untouched
  const auto j = run_json();
  EXPECT_EQ(j["schema"], "greenrun.run/1");
  EXPECT_EQ(j["command"], nlohmann::json({"printf", "ok\\xff\n"}));  // the newline is UTF-8
  EXPECT_EQ(j["escaped"], nlohmann::json::array({"command"}));
  const std::string csv = file(out_ / "emissions.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2) << csv;  // header and one row
  const std::string store = (dir_ / "greenrun.db").string();
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"greenrun", "--store", store, "runs", "list"}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find(j["id"].get<std::string>()), std::string::npos) << out.str();
  auto runs = runner::RunStore::open(store);
  ASSERT_TRUE(runs) << runs.error().message;
  auto back = runs->get(j["id"].get<std::string>());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->command, (std::vector<std::string>{"printf", arg}));
}

}  // namespace
}  // namespace greenrun::cli
