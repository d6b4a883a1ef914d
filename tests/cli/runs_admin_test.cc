// Quality of life (issue 10, item 22), end to end with the real binary:
// --quiet, `runs delete|tag`, and `run --detach` with `runs status|cancel`.
// Detached runs are waited for by condition, with a bound, never by time.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "testing/cli_process.h"
#include "testing/paths.h"
#include "testing/stored_forecast.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;

class RunsAdminTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-runs-admin"); }
  void TearDown() override {
    // A detached supervisor left behind by a failed assertion is cancelled.
    if (!detached_.empty()) (void)run({"runs", "cancel", detached_});
    fs::remove_all(dir_);
  }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string out() const { return greenrun::testing::read_file(dir_ / "stdout.txt"); }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  std::string first_line() const { return out().substr(0, out().find('\n')); }
  // A measured run (fake sensors) that ends at once; its id.
  std::string quick_run() {
    EXPECT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--", "true"}), 0) << err();
    auto j = nlohmann::json::parse((run({"runs", "list", "--json", "--limit", "1"}), out()));
    return j.at(0).at("id").get<std::string>();
  }
  fs::path dir_;
  std::string detached_;
};

TEST_F(RunsAdminTest, QuietLeavesOnlyErrorsAndTheRequestedOutput) {
  ASSERT_EQ(run({"--quiet", "plan", "--zone", "DE", "--duration", "1h"}), 0);
  EXPECT_EQ(err(), "") << "no warning about the typical profile";
  EXPECT_NE(out().find("Plan for a 1h job"), std::string::npos) << out();
  ASSERT_EQ(run({"run", "--quiet", "--zone", "DE", "--sensors", "fake", "--", "echo", "job output"}), 0);
  EXPECT_EQ(err(), "") << "no summary";
  EXPECT_EQ(out(), "job output\n");
  EXPECT_EQ(run({"-q", "run", "--zone", "NOPE", "--sensors", "fake", "--", "true"}), 1);
  EXPECT_NE(err().find("unknown zone \"NOPE\""), std::string::npos) << "errors still print: " << err();
}

TEST_F(RunsAdminTest, TagsAreStoredShownAndFilterable) {
  const std::string a = quick_run(), b = quick_run();
  ASSERT_EQ(run({"runs", "tag", a, "dataset=imagenet", "seed=3"}), 0) << err();
  ASSERT_EQ(run({"runs", "show", a}), 0) << err();
  EXPECT_NE(out().find("dataset=imagenet seed=3"), std::string::npos) << out();
  ASSERT_EQ(run({"runs", "show", a, "--json"}), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(out())["tags"]["seed"], "3");
  ASSERT_EQ(run({"runs", "list", "--tag", "dataset=imagenet", "--csv"}), 0) << err();
  EXPECT_NE(out().find(a), std::string::npos);
  EXPECT_EQ(out().find(b), std::string::npos) << "the untagged run is filtered out";
  EXPECT_EQ(run({"runs", "tag", a, "no-equals-sign"}), 2);
  EXPECT_NE(err().find("KEY=VALUE"), std::string::npos) << err();
  EXPECT_EQ(run({"runs", "tag", "nosuchrun", "k=v"}), 1);
}

TEST_F(RunsAdminTest, DeleteRemovesTheRowAndKeepsFilesUnlessAsked) {
  const std::string a = quick_run(), b = quick_run();
  ASSERT_EQ(run({"runs", "show", a, "--json"}), 0);
  const fs::path folder_a = nlohmann::json::parse(out())["out_dir"].get<std::string>();
  ASSERT_EQ(run({"runs", "show", b, "--json"}), 0);
  const fs::path folder_b = nlohmann::json::parse(out())["out_dir"].get<std::string>();
  ASSERT_TRUE(fs::exists(folder_a / "run.json"));
  ASSERT_EQ(run({"runs", "delete", a}), 0) << err();
  EXPECT_NE(out().find("its files stay in " + folder_a.string()), std::string::npos) << out();
  EXPECT_TRUE(fs::exists(folder_a / "run.json"));
  EXPECT_EQ(run({"runs", "show", a}), 1) << "the row is gone";
  ASSERT_EQ(run({"runs", "delete", b, "--files"}), 0) << err();
  EXPECT_FALSE(fs::exists(folder_b));
  EXPECT_TRUE(fs::exists(folder_b.parent_path() / "emissions.csv")) << "the shared files stay";
  EXPECT_EQ(run({"runs", "delete", b}), 1);
  EXPECT_NE(err().find(b), std::string::npos) << err();
}

TEST_F(RunsAdminTest, ADetachedWaitingRunIsShownAndCancelledBeforeItStarts) {
  // A stored forecast whose cleanest hour is 3 h ahead, so the run waits
  // whatever the time of day (the typical profile's cleanest hour may be now).
  ASSERT_TRUE(greenrun::testing::store_hourly_forecast(dir_ / "greenrun.db", {900, 900, 900, 900, 900, 100}));
  const fs::path ran = dir_ / "ran";
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--start-within", "6h", "--duration", "1h", "--min-saving",
                 "0", "--detach", "--", "touch", ran.string()}),
            0)
      << err();
  detached_ = first_line();
  ASSERT_FALSE(detached_.empty());
  // The supervisor writes its live state once it has planned.
  ASSERT_TRUE(eventually([&] { return run({"runs", "status", detached_}) == 0 && out().find("waiting") != std::string::npos; }, 500))
      << out() << err();
  ASSERT_EQ(run({"runs", "cancel", detached_}), 0) << err();
  ASSERT_TRUE(eventually([&] { return run({"runs", "status", detached_}) == 0 && out().find("cancelled") != std::string::npos; }, 500))
      << out() << err();
  EXPECT_FALSE(fs::exists(ran)) << "a cancelled waiting job never starts";
  ASSERT_EQ(run({"runs", "show", detached_, "--json"}), 0);
  const auto rec = nlohmann::json::parse(out());
  EXPECT_TRUE(fs::exists(fs::path(rec["out_dir"].get<std::string>()) / "greenrun.log"));
  detached_.clear();
}

TEST_F(RunsAdminTest, ADetachedRunningJobIsStoppedAndRecordedAsCancelled) {
  const fs::path started = dir_ / "started";
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--start-within", "0s", "--duration", "1h", "--detach",
                 "--", "sh", "-c", "touch " + started.string() + "; exec sleep 600"}),
            0)
      << err();
  detached_ = first_line();
  ASSERT_TRUE(eventually([&] { return fs::exists(started); }, 1000)) << "the job did not start";
  ASSERT_TRUE(eventually([&] { return run({"runs", "status", detached_}) == 0 && out().find("running") != std::string::npos; }, 500))
      << out() << err();
  ASSERT_EQ(run({"runs", "cancel", detached_}), 0) << err();
  ASSERT_TRUE(eventually([&] { return run({"runs", "status", detached_}) == 0 && out().find("cancelled") != std::string::npos; }, 1000))
      << out() << err();
  ASSERT_EQ(run({"runs", "show", detached_, "--json"}), 0);
  const auto rec = nlohmann::json::parse(out());
  EXPECT_EQ(rec["exit_status"], 143) << "the job got SIGTERM";
  EXPECT_NE(rec["warnings"].dump().find("cancelled by `greenrun runs cancel`"), std::string::npos) << rec.dump();
  EXPECT_EQ(run({"runs", "cancel", detached_}), 1) << "nothing left to cancel";
  detached_.clear();
}

// A detached run that fails after the fork says so in `runs status`, with
// the first line of its error, not only in its log: a command that cannot
// be executed, and a zone with no data to plan on (FR: nothing stored, no
// typical profile), which is found only once the supervisor plans.
TEST_F(RunsAdminTest, ADetachedRunThatFailsAfterTheForkShowsWhyInStatus) {
  const fs::path ran = dir_ / "ran";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "--zone", "DE", "--sensors", "fake", "--detach", "--", "greenrun-no-such-cmd"},
       "greenrun-no-such-cmd: command not found"},
      {{"run", "--zone", "FR", "--sensors", "fake", "--start-within", "6h", "--duration", "1h", "--detach", "--",
        "touch", ran.string()},
       "no intensity data for zone FR"},
  };
  for (const auto& [args, why] : cases) {
    SCOPED_TRACE(args.back());
    ASSERT_EQ(run(args), 0) << err();
    const std::string id = first_line();
    ASSERT_FALSE(id.empty());
    // The supervisor fails at once; wait for the state, bounded, never by time.
    ASSERT_TRUE(eventually([&] { return run({"runs", "status", id}) == 0 && out().find("failed") != std::string::npos; },
                           500))
        << out() << err();
    const std::string text = out();
    EXPECT_EQ(text.find("run " + id + ": failed: "), 0u) << text;
    EXPECT_NE(text.find(why), std::string::npos) << text;
    ASSERT_EQ(run({"runs", "status", id, "--json"}), 0) << err();
    const auto j = nlohmann::json::parse(out());
    EXPECT_EQ(j["id"], id);
    EXPECT_EQ(j["state"], "failed");
    const std::string error = j["error"];
    EXPECT_NE(error.find(why), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << "one line";
    // The same words are in the log, where the whole message stays.
    const fs::path log = dir_ / "runs" / id / "greenrun.log";
    EXPECT_NE(greenrun::testing::read_file(log).find(error), std::string::npos) << greenrun::testing::read_file(log);
    EXPECT_EQ(run({"runs", "cancel", id}), 1) << "nothing in progress to cancel";
  }
  EXPECT_FALSE(fs::exists(ran)) << "the job never started";
}

TEST_F(RunsAdminTest, TheHindsightLineUsesTheUsersOwnWindow) {
  // --min-saving 100% runs at once whatever the plan: the window stays 3 h.
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "estimate", "--interval", "100ms", "--start-within", "3h",
                 "--duration", "1m", "--min-saving", "100%", "--", "sh", "-c",
                 "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done"}),
            0)
      << err();
  EXPECT_NE(err().find("best start in hindsight: "), std::string::npos) << err();
  EXPECT_NE(err().find("within 3h of the run's start"), std::string::npos) << err();
  EXPECT_EQ(err().find("24h"), std::string::npos) << "not the fixed window: " << err();
  ASSERT_EQ(run({"runs", "list", "--json", "--limit", "1"}), 0);
  const auto fs = nlohmann::json::parse(out()).at(0).at("flexible_start");
  ASSERT_TRUE(fs["computed"].get<bool>()) << fs.dump();
  EXPECT_EQ(fs["window_h"], 3);
}

}  // namespace
}  // namespace greenrun::cli
