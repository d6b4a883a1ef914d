// `greenrun slurm agent` against a real 2-node cluster and a 1-minute
// forecast: an opted-in interruptible job is suspended (its processes in
// state T on both nodes) while the grid is dirty, resumed when it is clean,
// and finishes before its deadline; a job that did not opt in is never
// touched; SIGTERM resumes what the agent suspended, and so does its
// watchdog when the agent is killed with SIGKILL.
#include <algorithm>
#include <set>

#include "slurm_e2e.h"

namespace greenrun {
namespace {

using greenrun::testing::eventually;
using slurm_e2e::SlurmE2E;
namespace fs = std::filesystem;

bool all_in(const greenrun::testing::SlurmCluster& c, const std::string& id, char state, size_t at_least) {
  const auto pids = c.job_pids(id);
  if (pids.size() < at_least) return false;
  return std::all_of(pids.begin(), pids.end(), [&](int pid) {
    const char s = greenrun::testing::proc_state(pid);
    return s == state || s == '?';
  });
}

bool none_stopped(const greenrun::testing::SlurmCluster& c, const std::string& id, size_t at_least) {
  const auto pids = c.job_pids(id);
  if (pids.size() < at_least) return false;
  return std::none_of(pids.begin(), pids.end(), [&](int pid) { return greenrun::testing::proc_state(pid) == 'T'; });
}

// A 2-node job whose work is `seconds` one-second steps; it writes the time
// it ended (epoch seconds) last.
std::string work_job(const fs::path& out, int seconds) {
  return "-N2 -t 5 -o " + out.string() + " --wrap 'srun sh -c \"for i in \\$(seq " + std::to_string(seconds) +
         "); do sleep 1; done\"; date +%s'";
}

TEST_F(SlurmE2E, InterruptibleJobIsSuspendedWhileDirtyResumedWhenCleanAndKeepsItsDeadline) {
  greenrun::testing::wait_for_minute_left(std::chrono::seconds(25));
  // Dirty now, clean the next minute, dirty after.
  auto m0 = greenrun::testing::store_minute_forecast(store(), "DE", {900, 100, 900});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  const int64_t minute0 = std::chrono::duration_cast<std::chrono::seconds>(m0->time_since_epoch()).count();
  const int64_t deadline = minute0 + 150;
  const std::string id = sbatch("--comment=greenrun:interruptible,duration=40,deadline=" + std::to_string(deadline) +
                                ",zone=DE " + work_job(dir_ / "job.out", 40));
  const std::string other = sbatch("-N1 -n1 -o /dev/null --wrap 'sleep 300'");  // did not opt in
  ASSERT_TRUE(eventually([&] { return cluster_->job_pids(id).size() >= 2 && cluster_->job_state(other) == "RUNNING"; },
                         1500));

  start("agent", {"slurm", "agent", "--zone", "DE", "--interval", "1s"});
  std::set<std::string> other_states;
  const auto watch = [&] { other_states.insert(cluster_->job_state(other)); };
  ASSERT_TRUE(eventually(
      [&] {
        watch();
        return cluster_->job_state(id) == "SUSPENDED" && all_in(*cluster_, id, 'T', 2);
      },
      1500))
      << cluster_->slurm("squeue").out << err("agent");
  std::cout << "suspended at " << slurm_e2e::epoch_now() - minute0 << " s into minute 0\n";
  // Resumed in the clean minute, and finishes there.
  ASSERT_TRUE(eventually(
      [&] {
        watch();
        return cluster_->job_state(id) == "RUNNING" && none_stopped(*cluster_, id, 2);
      },
      5000))
      << cluster_->slurm("squeue").out << err("agent");
  const int64_t resumed = slurm_e2e::epoch_now();
  // Not before the clean minute, less the shortest pause worth making (5 s:
  // a pause that would end sooner is not begun).
  EXPECT_GE(resumed, minute0 + 55) << "resumed well before the clean minute";
  ASSERT_TRUE(eventually(
      [&] {
        watch();
        return cluster_->job_state(id).empty();
      },
      5000))
      << cluster_->slurm("squeue").out << err("agent");
  const std::string ended = slurm_e2e::trimmed(greenrun::testing::read_file(dir_ / "job.out"));
  ASSERT_FALSE(ended.empty());
  EXPECT_LE(std::stoll(ended.substr(ended.rfind('\n') + 1)), deadline) << "the deadline was kept";
  watch();
  EXPECT_EQ(other_states, (std::set<std::string>{"RUNNING"})) << "the job that did not opt in was never touched";
  std::cout << err("agent");
}

TEST_F(SlurmE2E, SigtermResumesWhatTheAgentSuspendedAndSoDoesItsWatchdogAfterSigkill) {
  // Dirty for this minute and the next, clean after: the agent suspends at once.
  auto m0 = greenrun::testing::store_minute_forecast(store(), "DE", {900, 900, 100});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  const int64_t deadline = std::chrono::duration_cast<std::chrono::seconds>(m0->time_since_epoch()).count() + 600;
  const std::string id = sbatch("--comment=greenrun:interruptible,duration=60,deadline=" + std::to_string(deadline) +
                                " " + work_job(dir_ / "job.out", 60));
  ASSERT_TRUE(eventually([&] { return cluster_->job_pids(id).size() >= 2; }, 1500));
  const auto suspended = [&] { return cluster_->job_state(id) == "SUSPENDED" && all_in(*cluster_, id, 'T', 2); };
  const auto running = [&] { return cluster_->job_state(id) == "RUNNING" && none_stopped(*cluster_, id, 2); };

  // SIGTERM: the agent resumes the job before it exits.
  const pid_t first = start("agent1", {"slurm", "agent", "--zone", "DE", "--interval", "1s"});
  ASSERT_TRUE(eventually(suspended, 1500)) << err("agent1");
  ::kill(first, SIGTERM);
  EXPECT_EQ(wait(first), 0);
  EXPECT_EQ(cluster_->job_state(id), "RUNNING") << "resumed before the agent exited";
  EXPECT_TRUE(eventually(running, 500)) << cluster_->slurm("squeue").out << err("agent1");

  // SIGKILL mid-schedule: the watchdog resumes it.
  const pid_t second = start("agent2", {"slurm", "agent", "--zone", "DE", "--interval", "1s"});
  ASSERT_TRUE(eventually(suspended, 1500)) << err("agent2");
  ::kill(second, SIGKILL);
  EXPECT_EQ(wait(second), 128 + SIGKILL);
  EXPECT_TRUE(eventually(running, 1500)) << cluster_->slurm("squeue").out << err("agent2");
  EXPECT_NE(err("agent2").find("watchdog: the agent is gone; job " + id + " resumed"), std::string::npos)
      << err("agent2");
  cluster_->slurm("scancel " + id);
}

}  // namespace
}  // namespace greenrun
