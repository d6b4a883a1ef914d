// `slurm submit` and `slurm agent` find the cluster's zone by the same lookup
// as `greenrun run` (--zone, GREENRUN_ZONE, config.toml, metadata), and say
// where it came from. No daemons: submit --dry-run plans and submits nothing;
// the agent makes one pass (--once) over an empty queue.
#include <gtest/gtest.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>

#include "greenrun/base/time_format.h"
#include "testing/cli_process.h"
#include "testing/minute_forecast.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;

class SlurmZoneLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("slurm-zone");
    fs::create_directories(dir_ / "config" / "greenrun");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void config(const std::string& zone) {
    std::ofstream(dir_ / "config" / "greenrun" / "config.toml") << "zone = \"" << zone << "\"\n";
  }
  int run(const std::vector<std::string>& args, const greenrun::testing::EnvVars& env = {}) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_, env));
  }
  std::string out() const { return greenrun::testing::read_file(dir_ / "stdout.txt"); }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  fs::path dir_;
};

TEST_F(SlurmZoneLookup, SubmitPlansOnTheZoneInConfigAndNamesIt) {
  auto m0 = greenrun::testing::store_minute_forecast(dir_ / "greenrun.db", "FR", {900, 900, 100, 900});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  config("FR");
  const std::string deadline = format_utc(*m0 + std::chrono::minutes(30));
  const std::vector<std::string> submit = {"slurm", "submit", "--deadline", deadline, "--dry-run", "--",
                                           "-t", "1", "--wrap", "true"};
  ASSERT_EQ(run(submit), 0) << err();
  EXPECT_NE(out().find("zone FR (from config.toml)"), std::string::npos) << out();
  EXPECT_NE(out().find(",zone=FR"), std::string::npos) << "the opt-in carries the zone: " << out();
  EXPECT_NE(out().find("planned start"), std::string::npos) << out();
  // The flag comes first, then GREENRUN_ZONE, as for `greenrun run`.
  ASSERT_EQ(run(submit, {{"GREENRUN_ZONE", "DE"}}), 0) << err();
  EXPECT_NE(out().find("zone DE (from GREENRUN_ZONE)"), std::string::npos) << out();
  std::vector<std::string> flagged = submit;
  flagged.insert(flagged.begin() + 2, {"--zone", "PL"});
  ASSERT_EQ(run(flagged, {{"GREENRUN_ZONE", "DE"}}), 0) << err();
  EXPECT_NE(out().find("zone PL (from --zone)"), std::string::npos) << out();
  // A zone greenrun does not know, set in config, is refused, naming config.toml.
  config("NOPE");
  EXPECT_EQ(run(submit), 1);
  EXPECT_NE(err().find("config.toml: unknown zone \"NOPE\""), std::string::npos) << err();
}

TEST_F(SlurmZoneLookup, SubmitCheckpointPutsItsGraceInTheOptInAndRefusesABadOne) {
  const std::vector<std::string> base = {"slurm", "submit", "--zone", "DE", "--dry-run"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    for (const char* s : {"--", "-t", "1", "--wrap", "true"}) a.emplace_back(s);
    return a;
  };
  ASSERT_EQ(run(with({"--checkpoint", "90s"})), 0) << err();
  EXPECT_NE(out().find("--comment=greenrun:"), std::string::npos) << out();
  EXPECT_NE(out().find("checkpoint=90"), std::string::npos) << out();
  EXPECT_EQ(run(with({"--checkpoint", "soon"})), 2);
  EXPECT_NE(err().find("--checkpoint: expected the grace"), std::string::npos) << err();
}

TEST_F(SlurmZoneLookup, TheAgentTakesItsZoneFromConfigAndSaysSo) {
  config("FR");
  // No cluster here: a stand-in squeue on PATH answers an empty queue (a
  // real client without a slurm.conf would wait on DNS for minutes).
  fs::create_directories(dir_ / "bin");
  std::ofstream(dir_ / "bin" / "squeue") << "#!/bin/sh\necho '{\"jobs\":[]}'\n";
  fs::permissions(dir_ / "bin" / "squeue", fs::perms::owner_all);
  const char* path = std::getenv("PATH");
  EXPECT_EQ(run({"slurm", "agent", "--once", "--interval", "1s"},
                {{"PATH", (dir_ / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")}}),
            0)
      << err();
  EXPECT_NE(err().find("started (zone FR from config.toml"), std::string::npos) << err();
  config("NOPE");
  EXPECT_EQ(run({"slurm", "agent", "--once"}), 1);
  EXPECT_NE(err().find("config.toml: unknown zone \"NOPE\""), std::string::npos) << err();
}

}  // namespace
}  // namespace greenrun
