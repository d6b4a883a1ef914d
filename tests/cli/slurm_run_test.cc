// `greenrun run` inside a Slurm job (the variables slurmd sets for a task):
// the run records SLURM_JOB_ID, the node and the rank, and of several tasks
// on one node only SLURM_LOCALID 0 records the node's (machine) energy, so a
// sum over the tasks counts the node once. The real binary, the fake sensor.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;

class SlurmRunTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("slurm-run"); }
  void TearDown() override { fs::remove_all(dir_); }

  // One task's `greenrun run`; its run.json.
  nlohmann::json run_task(const std::string& localid, const std::string& procid) {
    const fs::path d = dir_ / ("task" + procid);
    fs::create_directories(d);
    const pid_t p = greenrun::testing::start_cli(
        {"--store", (dir_ / "greenrun.db").string(), "run", "--sensors", "fake", "--zone", "DE", "--interval", "50ms",
         "--out", (dir_ / ("runs" + procid)).string(), "--", "sleep", "0.3"},
        d,
        {{"SLURM_JOB_ID", "4711"}, {"SLURMD_NODENAME", "n1"}, {"SLURM_PROCID", procid}, {"SLURM_LOCALID", localid},
         {"SLURM_STEP_ID", "0"}});
    EXPECT_EQ(greenrun::testing::wait_exit(p), 0) << greenrun::testing::read_file(d / "stderr.txt");
    // The run's own folder under --out holds its run.json.
    for (const auto& e : fs::directory_iterator(dir_ / ("runs" + procid)))
      if (fs::exists(e.path() / "run.json"))
        return nlohmann::json::parse(greenrun::testing::read_file(e.path() / "run.json"));
    ADD_FAILURE() << "no run.json under " << (dir_ / ("runs" + procid));
    return {};
  }

  fs::path dir_;
};

double machine_joules(const nlohmann::json& run) {
  double j = 0;
  for (const auto& c : run["components"]) j += c["machine_j"].get<double>();
  return j;
}

TEST_F(SlurmRunTest, RecordsTheJobNodeAndRankAndOnlyTheFirstTaskOnANodeCountsTheNode) {
  const auto first = run_task("0", "0");
  const auto second = run_task("1", "1");
  ASSERT_TRUE(first.contains("slurm")) << first.dump(2);
  EXPECT_EQ(first["slurm"]["job_id"], "4711");
  EXPECT_EQ(first["slurm"]["node"], "n1");
  EXPECT_EQ(first["slurm"]["procid"], 0);
  EXPECT_EQ(first["slurm"]["localid"], 0);
  EXPECT_EQ(first["slurm"]["step_id"], "0");
  EXPECT_GT(machine_joules(first), 0);
  ASSERT_TRUE(second.contains("slurm"));
  EXPECT_EQ(second["slurm"]["procid"], 1);
  EXPECT_EQ(machine_joules(second), 0) << second.dump(2);
  EXPECT_NE(second["slurm"]["node_energy"].get<std::string>().find("SLURM_LOCALID 0"), std::string::npos);
}

}  // namespace
}  // namespace greenrun

namespace greenrun {
namespace {

// Bad input to `slurm sampler` and `runs show slurm:`: a one-line error
// naming the flag or file, a non-zero exit, nothing written.
TEST_F(SlurmRunTest, BadSamplerFlagsAndJobIdsAreRefusedWithTheFlagNamed) {
  std::ofstream(dir_ / "token") << "t\n";
  fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  auto run = [&](const std::vector<std::string>& args, const std::string& name) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    const int status = greenrun::testing::wait_exit(greenrun::testing::start_cli(args, d));
    return std::make_pair(status, greenrun::testing::read_file(d / "stderr.txt"));
  };
  const std::string token = (dir_ / "token").string();
  auto [s1, e1] = run({"slurm", "sampler", "--server", "ftp://x", "--token-file", token, "--node", "n1"}, "bad-url");
  EXPECT_EQ(s1, 2);
  EXPECT_EQ(e1, "greenrun: --server ftp://x: expected http://HOST:PORT\n");
  auto [s2, e2] = run({"slurm", "sampler", "--server", "http://127.0.0.1:9", "--token-file",
                       (dir_ / "missing").string(), "--node", "n1"},
                      "no-token");
  EXPECT_EQ(s2, 1);
  EXPECT_NE(e2.find((dir_ / "missing").string() + ": cannot read the token file"), std::string::npos) << e2;
  auto [s3, e3] = run({"slurm", "sampler", "--server", "http://127.0.0.1:9", "--token-file", token, "--node", "n1",
                       "--interval", "2h"},
                      "bad-interval");
  EXPECT_EQ(s3, 2);
  EXPECT_NE(e3.find("--interval"), std::string::npos) << e3;
  auto [s4, e4] = run({"runs", "show", "slurm:"}, "empty-id");
  EXPECT_EQ(s4, 2);
  EXPECT_NE(e4.find("expected a job id"), std::string::npos) << e4;
  EXPECT_FALSE(fs::exists(dir_ / "bad-url" / "greenrun.db"));
}

}  // namespace
}  // namespace greenrun
