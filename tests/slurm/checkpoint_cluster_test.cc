// A checkpointing job (opt-in `checkpoint=GRACE`) on the real 2-node
// cluster with a 1-minute forecast: clean now, dirty the next minute, clean
// the one after. The job writes its progress every second and resumes from
// it. The agent signals it a grace before the dirty minute, is killed
// (SIGKILL) while the job checkpoints, and a second agent — knowing only
// what Slurm holds — requeues it and sets its restart to the clean minute;
// it resumes from its progress there and ends by its deadline.
#include <fstream>

#include "slurm_e2e.h"

namespace greenrun {
namespace {

using greenrun::testing::eventually;
using slurm_e2e::SlurmE2E;
namespace fs = std::filesystem;

constexpr int kWork = 70;  // seconds of work, in one-second steps

// A batch script that resumes from `progress` and logs each run to `log`:
//   run RESTARTS from N at EPOCH / checkpoint N at EPOCH / done EPOCH
std::string write_job(const fs::path& dir) {
  const fs::path script = dir / "ckpt.sh";
  const std::string p = (dir / "progress").string(), log = (dir / "ckpt.log").string();
  std::ofstream(script) << "#!/bin/bash\n"
                        << "n=$(cat " << p << " 2>/dev/null || echo 0)\n"
                        << "echo \"run ${SLURM_RESTART_COUNT:-0} from $n at $(date +%s)\" >> " << log << "\n"
                        << "trap 'echo \"checkpoint $n at $(date +%s)\" >> " << log << "' USR1\n"
                        << "while [ \"$n\" -lt " << kWork << " ]; do\n"
                        << "  sleep 1\n"
                        << "  n=$((n + 1)); echo $n > " << p << ".tmp && mv " << p << ".tmp " << p << "\n"
                        << "done\n"
                        << "echo \"done $(date +%s)\" >> " << log << "\n";
  fs::permissions(script, fs::perms::owner_all);
  return script.string();
}

// The number after `key` on the first log line starting with `prefix`; -1 if none.
int64_t logged(const std::string& log, const std::string& prefix, const std::string& key) {
  size_t at = 0;
  while (at < log.size()) {
    const size_t eol = log.find('\n', at);
    const std::string line = log.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    at = eol == std::string::npos ? log.size() : eol + 1;
    if (!line.starts_with(prefix)) continue;
    const size_t k = line.find(key);
    if (k == std::string::npos) continue;
    return std::stoll(line.substr(k + key.size()));
  }
  return -1;
}

TEST_F(SlurmE2E, CheckpointingJobIsRequeuedAtThePauseAndRestartsAtThePlannedSegmentAfterAnAgentRestart) {
  greenrun::testing::wait_for_minute_left(std::chrono::seconds(40));
  // Cleanest now, dirty the next minute, clean again the one after, dirty later.
  auto m0 = greenrun::testing::store_minute_forecast(store(), "DE", {50, 900, 100, 900});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  const int64_t minute0 = std::chrono::duration_cast<std::chrono::seconds>(m0->time_since_epoch()).count();
  const int64_t deadline = minute0 + 300;
  const fs::path log = dir_ / "ckpt.log";
  const std::string id = sbatch("-N1 -t 3 --requeue --open-mode=append -o " + (dir_ / "job.out").string() +
                                " --comment=greenrun:checkpoint=5,duration=" + std::to_string(kWork) +
                                ",deadline=" + std::to_string(deadline) + ",zone=DE " + write_job(dir_));
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(id) == "RUNNING"; }, 1500)) << cluster_->slurm("squeue").out;

  const pid_t first = start("agent1", {"slurm", "agent", "--zone", "DE", "--interval", "1s"});
  const auto comment = [&] { return cluster_->slurm("squeue -h -o %k -j " + id).out; };
  // Signalled a grace (5 s) before the dirty minute; then the state is written into its comment.
  ASSERT_TRUE(eventually([&] { return comment().find("signalled=") != std::string::npos; }, 4000))
      << cluster_->slurm("squeue").out << err("agent1");
  const int64_t signalled = slurm_e2e::epoch_now();
  ::kill(first, SIGKILL);
  wait(first);
  EXPECT_GE(signalled, minute0 + 50) << "signalled well before its pause";

  // A second agent requeues it and sets its restart to the clean minute.
  start("agent2", {"slurm", "agent", "--zone", "DE", "--interval", "1s"});
  const auto restarts = [&] {
    const std::string s = cluster_->slurm("scontrol show job " + id).out;
    const size_t at = s.find("Restarts=");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 9));
  };
  ASSERT_TRUE(eventually([&] { return restarts() == 1 && cluster_->job_state(id) == "PENDING"; }, 1500))
      << cluster_->slurm("squeue").out << err("agent2");
  EXPECT_LT(slurm_e2e::epoch_now(), minute0 + 120) << "requeued at the pause, not after the dirty minute";
  EXPECT_GE(logged(greenrun::testing::read_file(log), "checkpoint", "checkpoint "), 1) << "the job saw the signal";

  // Restarted in the clean minute (not at Slurm's own restart, 2 min after
  // the requeue), from its progress, and done by the deadline. The requeue
  // came at least a grace after the signal (minute0 + 55), so Slurm's own
  // restart is at minute0 + 175 or later; up to 40 s after the planned
  // segment is slurmctld's scheduling pass (21 s seen at a load of 3).
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(id).empty(); }, 12000))
      << cluster_->slurm("squeue").out << err("agent2");
  const std::string text = greenrun::testing::read_file(log);
  std::cout << text << err("agent1") << err("agent2");
  const int64_t resumed_from = logged(text, "run 1", "from ");
  const int64_t restarted = logged(text, "run 1", " at ");
  const int64_t done = logged(text, "done", "done ");
  EXPECT_GT(resumed_from, 20) << "resumed from its checkpoint, not from the start";
  EXPECT_GE(restarted, minute0 + 118) << "restarted before the planned segment";
  EXPECT_LE(restarted, minute0 + 160) << "restarted late: the agent did not set the planned restart";
  ASSERT_GT(done, 0) << text;
  EXPECT_LE(done, deadline);
  EXPECT_EQ(slurm_e2e::trimmed(greenrun::testing::read_file(dir_ / "progress")), std::to_string(kWork));
}

}  // namespace
}  // namespace greenrun
