// The Slurm parsers: time limits in every sbatch form, #SBATCH lines, the
// comment opt-in, squeue --json (its 22.05 shape) and run time with suspends.
#include <gtest/gtest.h>

#include <fstream>

#include "slurm/opt_in.h"
#include "slurm/sbatch_options.h"
#include "slurm/squeue.h"
#include "testing/paths.h"

namespace greenrun::slurm {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(SlurmTime, EverySbatchFormAndUnlimited) {
  EXPECT_EQ(**parse_slurm_time("90"), minutes(90));
  EXPECT_EQ(**parse_slurm_time("5:30"), minutes(5) + seconds(30));
  EXPECT_EQ(**parse_slurm_time("2:00:05"), hours(2) + seconds(5));
  EXPECT_EQ(**parse_slurm_time("1-2"), hours(26));
  EXPECT_EQ(**parse_slurm_time("1-2:30"), hours(26) + minutes(30));
  EXPECT_EQ(**parse_slurm_time("1-0:0:10"), hours(24) + seconds(10));
  EXPECT_FALSE(parse_slurm_time("UNLIMITED")->has_value());
  for (const char* bad : {"", "soon", "1:2:3:4", "-5", "0", "1-", "1h"}) {
    auto r = parse_slurm_time(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message.find("--time: expected minutes"), std::string::npos);
  }
}

TEST(ScanSbatch, TimeCommentAndScriptInEveryForm) {
  EXPECT_EQ(*scan_sbatch({"--time=10", "--wrap", "x"})->time_limit, minutes(10));
  EXPECT_EQ(*scan_sbatch({"--time", "10", "--wrap=x"})->time_limit, minutes(10));
  EXPECT_EQ(*scan_sbatch({"-t", "1:00:00", "--wrap=x"})->time_limit, hours(1));
  EXPECT_EQ(*scan_sbatch({"-N", "2", "-t5", "--wrap=x"})->time_limit, minutes(5));
  const auto dir = greenrun::testing::make_temp_dir("sbatch-args");
  const std::string script = (dir / "job.sh").string();
  std::ofstream(script) << "#!/bin/sh\ntrue\n";
  auto o = scan_sbatch({"--parsable", "-N", "2", "--comment=hi", "--begin=now", script, "--time=99"});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_FALSE(o->time_limit.has_value()) << "arguments after the script are the script's own";
  EXPECT_EQ(*o->comment, "hi");
  EXPECT_TRUE(o->has_begin);
  EXPECT_EQ(*o->script, script);
  EXPECT_FALSE(scan_sbatch({"--wrap", "sleep 1"})->script.has_value());
  auto bad = scan_sbatch({"--time=soon"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("--time"), std::string::npos);
}

TEST(ScanSbatch, SbatchLinesInTheScriptAndTheCommandLineWins) {
  const auto dir = greenrun::testing::make_temp_dir("sbatch-scan");
  const auto script = (dir / "job.sh").string();
  std::ofstream(script) << "#!/bin/bash\n#SBATCH -N 2\n#SBATCH --time=0:45:00  # comment\n\n#SBATCH "
                           "--comment=\"greenrun:interruptible\"\necho hi\n#SBATCH --time=1\n";
  auto o = scan_sbatch({script});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(*o->time_limit, minutes(45)) << "lines after the first command are not read";
  EXPECT_EQ(o->time_limit_source, script + " line 3");
  EXPECT_EQ(*o->comment, "greenrun:interruptible");
  EXPECT_EQ(*scan_sbatch({"-t", "7", script})->time_limit, minutes(7));
  std::ofstream(script) << "#!/bin/bash\n#SBATCH --time=never\n";
  auto bad = scan_sbatch({script});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find(script + " line 2: --time"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(scan_sbatch({(dir / "missing.sh").string()}).has_value());
  std::filesystem::remove_all(dir);
}

TEST(OptIn, OnlyAGreenrunCommentOptsInAndItRoundTrips) {
  EXPECT_FALSE(parse_opt_in("")->has_value());
  EXPECT_FALSE(parse_opt_in("greenrunner")->has_value());
  EXPECT_FALSE(parse_opt_in("my job: greenrun")->has_value());
  EXPECT_TRUE(parse_opt_in("greenrun")->has_value());
  OptIn o;
  o.deadline = UtcTime(seconds(1796617685));
  o.duration = seconds(90);
  o.interruptible = true;
  o.zone = "DE";
  const std::string text = format_opt_in(o);
  EXPECT_EQ(text, "greenrun:deadline=1796617685,duration=90,interruptible,zone=DE");
  auto back = parse_opt_in(text);
  ASSERT_TRUE(back.has_value() && back->has_value());
  EXPECT_EQ((*back)->deadline, o.deadline);
  EXPECT_EQ((*back)->duration, o.duration);
  EXPECT_TRUE((*back)->interruptible);
  EXPECT_EQ((*back)->zone, "DE");
  EXPECT_EQ((*parse_opt_in("greenrun:deadline=2026-12-07T18:00:00Z"))->deadline.value(),
            UtcTime(seconds(1796666400)));
  auto bad = parse_opt_in("greenrun:duration=soon");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("duration: expected seconds"), std::string::npos);
  EXPECT_FALSE(parse_opt_in("greenrun:colour=green").has_value());
}

TEST(Squeue, ParsesTheJsonAndCountsRunTimeWithoutSuspendedTime) {
  const std::string json = R"({"meta":{},"errors":[],"jobs":[
    {"job_id":12,"job_state":"PENDING","state_reason":"BeginTime","comment":"greenrun","start_time":1000,
     "suspend_time":0,"pre_sus_time":0,"time_limit":5,"deadline":0,"nodes":""},
    {"job_id":13,"job_state":"RUNNING","state_reason":"None","comment":"","start_time":1000,
     "suspend_time":1100,"pre_sus_time":40,"time_limit":4294967294,"deadline":2000,"nodes":"n[1-2]"},
    {"job_id":14,"job_state":"SUSPENDED","state_reason":"None","comment":"x","start_time":1000,
     "suspend_time":1100,"pre_sus_time":70,"time_limit":1,"deadline":0,"nodes":"n1"}]})";
  auto jobs = parse_squeue_json(json);
  ASSERT_TRUE(jobs.has_value()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 3u);
  const auto& p = (*jobs)[0];
  EXPECT_EQ(p.id, "12");
  EXPECT_EQ(p.state_reason, "BeginTime");
  EXPECT_EQ(p.comment, "greenrun");
  EXPECT_EQ(*p.time_limit, minutes(5));
  EXPECT_FALSE(p.deadline.has_value());
  const UtcTime now = UtcTime(seconds(1150));
  EXPECT_EQ(p.run_time(now), Duration{0});
  EXPECT_FALSE((*jobs)[1].time_limit.has_value()) << "INFINITE";
  EXPECT_EQ((*jobs)[1].run_time(now), seconds(90)) << "40 s before the suspend, 50 s since the resume";
  EXPECT_EQ((*jobs)[2].run_time(now), seconds(70));
  EXPECT_EQ(*(*jobs)[1].deadline, UtcTime(seconds(2000)));
  EXPECT_FALSE(parse_squeue_json("not json").has_value());
  auto bad = parse_squeue_json(R"({"jobs":[{"job_state":"RUNNING"}]})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("$.jobs[0].job_id"), std::string::npos);
}

}  // namespace
}  // namespace greenrun::slurm
