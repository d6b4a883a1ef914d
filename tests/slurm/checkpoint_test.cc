// Checkpointing jobs (opt-in `checkpoint[=GRACE]`): the comment keys that
// carry the agent's state, the engine's decisions (signal, requeue, restart
// at the next planned segment, never so late that the deadline is missed) and
// the agent's Slurm commands over a fake command runner. No daemons, fast;
// tests/slurm/checkpoint_cluster_test.cc runs the same on a real cluster.
#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/batch_scheduling.h"
#include "intensity/store.h"
#include "slurm/agent.h"
#include "slurm/opt_in.h"
#include "testing/batch_fakes.h"
#include "testing/paths.h"

namespace greenrun::slurm {
namespace {

using engine::BatchAction;
using engine::BatchJob;
using engine::BatchJobState;
using std::chrono::minutes;
using std::chrono::seconds;
using greenrun::testing::batch_job;
using greenrun::testing::FakeSlurm;
using greenrun::testing::kT0;
using greenrun::testing::kT0s;
using greenrun::testing::minutes_series;

// 70 s of work, clean minute 0, dirty minute 1, clean from minute 2 on.
BatchJob checkpointing(BatchJobState state, UtcTime deadline) {
  BatchJob j = batch_job(state, seconds(70), deadline);
  j.id = "9";
  j.checkpoint = true;
  j.checkpoint_grace = seconds(5);
  return j;
}

TEST(CheckpointOptIn, KeysRoundTripAndBadValuesNameTheKey) {
  auto o = parse_opt_in("greenrun:deadline=1796616600,duration=70,checkpoint=5,done=42,signalled=1796616055/1");
  ASSERT_TRUE(o.has_value()) << o.error().message;
  ASSERT_TRUE(o->has_value());
  EXPECT_EQ((*o)->checkpoint_grace, seconds(5));
  EXPECT_EQ((*o)->done, seconds(42));
  ASSERT_TRUE((*o)->signalled.has_value());
  EXPECT_EQ((*o)->signalled->at, UtcTime(seconds(1796616055)));
  EXPECT_EQ((*o)->signalled->restarts, 1);
  EXPECT_EQ(format_opt_in(**o), "greenrun:deadline=1796616600,duration=70,checkpoint=5,done=42,signalled=1796616055/1");
  auto plain = parse_opt_in("greenrun:checkpoint");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ((*plain)->checkpoint_grace, kDefaultCheckpointGrace);
  EXPECT_FALSE((*parse_opt_in("greenrun:interruptible"))->checkpoint_grace.has_value());
  for (const char* bad : {"greenrun:checkpoint=soon", "greenrun:done=-3", "greenrun:signalled=17966", "greenrun:signalled=x/1"}) {
    auto r = parse_opt_in(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message.find(std::string(bad).substr(9, 4)), std::string::npos) << r.error().message;
  }
}

TEST(DecideCheckpoint, SignalledAGraceBeforeThePauseAndRestartedAtTheNextSegment) {
  const auto f = minutes_series({100, 900, 100});
  engine::BatchPolicy policy;
  policy.lead = seconds(3);
  const UtcTime deadline = kT0 + minutes(6);
  auto j = checkpointing(BatchJobState::kRunning, deadline);
  j.done = seconds(10);
  // Mid-segment: runs on, and says when it will be checkpointed.
  auto d = engine::decide_batch_job(j, &f, kT0 + seconds(10), policy);
  EXPECT_EQ(d.action, BatchAction::kNone);
  EXPECT_NE(d.reason.find("then checkpoint and requeue"), std::string::npos) << d.reason;
  // Its grace before the dirty minute: signalled, to restart in minute 2.
  j.done = seconds(55);
  d = engine::decide_batch_job(j, &f, kT0 + seconds(55), policy);
  EXPECT_EQ(d.action, BatchAction::kCheckpoint) << d.reason;
  EXPECT_EQ(d.start, kT0 + minutes(2));
  EXPECT_LE(d.start, d.latest);
  // Signalled: nothing until the grace is over, then requeued.
  j.signalled = kT0 + seconds(55);
  EXPECT_EQ(engine::decide_batch_job(j, &f, kT0 + seconds(58), policy).action, BatchAction::kNone);
  EXPECT_EQ(engine::decide_batch_job(j, &f, kT0 + seconds(60), policy).action, BatchAction::kRequeue);
  // Requeued (pending, 55 s saved): its start is set to the next segment.
  auto pending = checkpointing(BatchJobState::kPending, deadline);
  pending.done = seconds(55);
  pending.start = kT0 + seconds(61) + policy.requeue_delay;  // Slurm's own restart
  d = engine::decide_batch_job(pending, &f, kT0 + seconds(62), policy);
  EXPECT_EQ(d.action, BatchAction::kSetStart) << d.reason;
  EXPECT_EQ(d.start, kT0 + minutes(2));
  EXPECT_NE(d.reason.find("restart"), std::string::npos) << d.reason;
}

TEST(DecideCheckpoint, NeverRequeuedWhenSlurmsOwnRestartWouldMissTheDeadline) {
  const auto f = minutes_series({100, 900, 100});
  engine::BatchPolicy policy;
  policy.lead = seconds(3);
  // 15 s left to do; deadline 2 min 30 s: the clean minute 2 fits, but were
  // the agent gone after the requeue at 1:00, Slurm would restart it at
  // 3:01, too late. So it runs on (it is not interruptible).
  auto j = checkpointing(BatchJobState::kRunning, kT0 + minutes(2) + seconds(30));
  j.done = seconds(55);
  auto d = engine::decide_batch_job(j, &f, kT0 + seconds(55), policy);
  EXPECT_EQ(d.action, BatchAction::kNone);
  EXPECT_NE(d.reason.find("too close to the deadline to requeue"), std::string::npos) << d.reason;
  // Also interruptible: suspended instead (the suspension has no restart delay).
  j.interruptible = true;
  d = engine::decide_batch_job(j, &f, kT0 + seconds(60), policy);
  EXPECT_EQ(d.action, BatchAction::kSuspend) << d.reason;
  // A shorter restart delay (a site's cred_expire) makes room.
  policy.requeue_delay = seconds(31);
  j.interruptible = false;
  EXPECT_EQ(engine::decide_batch_job(j, &f, kT0 + seconds(55), policy).action, BatchAction::kCheckpoint);
  // Slurm may not requeue it: runs on.
  j.requeueable = false;
  d = engine::decide_batch_job(j, &f, kT0 + seconds(55), policy);
  EXPECT_EQ(d.action, BatchAction::kNone);
  EXPECT_NE(d.reason.find("--no-requeue"), std::string::npos) << d.reason;
  // A pause shorter than min_checkpoint_pause is not worth a requeue.
  const auto short_dirty = minutes_series({100, 100, 100});
  j.requeueable = true;
  j.duration = minutes(5);
  EXPECT_EQ(engine::decide_batch_job(j, &short_dirty, kT0 + seconds(55), policy).action, BatchAction::kNone);
}

TEST(DecideCheckpoint, ARestartIsNeverSetPastTheLatestStart) {
  // Clean only in minute 9; the deadline at 4 min with 70 s of work.
  const auto f = minutes_series({900, 900, 900, 900, 900, 900, 900, 900, 900, 100, 900});
  engine::BatchPolicy policy;
  policy.lead = seconds(3);
  auto pending = checkpointing(BatchJobState::kPending, kT0 + minutes(4));
  pending.done = seconds(20);
  pending.start = kT0 + minutes(9);
  const auto d = engine::decide_batch_job(pending, &f, kT0 + seconds(30), policy);
  EXPECT_EQ(d.action, BatchAction::kSetStart);
  EXPECT_LE(d.start + seconds(50), kT0 + minutes(4)) << "50 s of work left must end by the deadline";
}

std::string job_json(const std::string& state, const std::string& comment, int64_t start, int restarts) {
  return "{\"jobs\":[{\"job_id\":9,\"job_state\":\"" + state + "\",\"state_reason\":\"" +
         (state == "PENDING" ? "BeginTime" : "None") + "\",\"comment\":\"" + comment +
         "\",\"start_time\":" + std::to_string(start) +
         ",\"suspend_time\":0,\"pre_sus_time\":0,\"time_limit\":3,\"deadline\":0,\"restart_cnt\":" +
         std::to_string(restarts) + ",\"requeue\":true}]}";
}

TEST(AgentCheckpoint, WritesItsStateSignalsRequeuesAndSetsTheRestart) {
  const auto dir = greenrun::testing::make_temp_dir("agent-checkpoint");
  const std::string store = (dir / "greenrun.db").string();
  {
    auto st = intensity::IntensityStore::open(store);
    ASSERT_TRUE(st.has_value());
    ASSERT_TRUE(st->import({minutes_series({100, 900, 100})}).has_value());
  }
  engine::Services services;
  services.store_path = store;
  AgentOptions options;
  options.zone = "DE";
  options.forecast.provider = "store";
  options.interval = seconds(1);
  const std::string opt = "greenrun:deadline=" + std::to_string(kT0s + 360) + ",duration=70,checkpoint=5";
  FakeSlurm fake;
  SlurmClient client(fake, 1, [](Duration) {});
  {
    Agent agent(options, client, services, nullptr);
    // Running since 0:00; at 0:56 the grace before the dirty minute has come.
    fake.queue_json = job_json("RUNNING", opt, kT0s, 0);
    auto r = agent.tick(kT0 + seconds(56));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->checkpointed, 1u);
    ASSERT_EQ(fake.calls.size(), 3u);
    EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"scancel", "--signal=USR1", "--full", "9"}));
    EXPECT_EQ(fake.calls[2], (std::vector<std::string>{"scontrol", "update", "jobid=9",
                                                       "Comment=" + opt + ",done=56,signalled=" +
                                                           std::to_string(kT0s + 56) + "/0"}));
  }
  // A new agent (the first one is gone) finds the state in the comment: it
  // does not signal again, and requeues once the grace is over.
  Agent agent(options, client, services, nullptr);
  fake.calls.clear();
  const std::string signalled = opt + ",done=56,signalled=" + std::to_string(kT0s + 56) + "/0";
  fake.queue_json = job_json("RUNNING", signalled, kT0s, 0);
  ASSERT_TRUE(agent.tick(kT0 + seconds(58)).has_value());
  EXPECT_EQ(fake.calls.size(), 1u) << "nothing but squeue during the grace";
  ASSERT_TRUE(agent.tick(kT0 + seconds(61)).has_value());
  ASSERT_EQ(fake.calls.size(), 3u);
  EXPECT_EQ(fake.calls[2], (std::vector<std::string>{"scontrol", "requeue", "9"}));
  // Requeued: pending with Slurm's own restart 2 min away, restart count 1;
  // the stale `signalled` (run 0) is ignored and the restart is set to the
  // clean minute 2, with 56 s of work counted as saved.
  fake.calls.clear();
  fake.queue_json = job_json("PENDING", signalled, kT0s + 62 + 121, 1);
  ASSERT_TRUE(agent.tick(kT0 + seconds(62)).has_value());
  ASSERT_EQ(fake.calls.size(), 2u);
  EXPECT_EQ(fake.calls[1], (std::vector<std::string>{"scontrol", "update", "jobid=9",
                                                     "StartTime=" + slurm_time(kT0 + minutes(2))}));
  // Restarted in minute 2: 56 s saved + 5 s of this run; 9 s remain, it runs on.
  fake.calls.clear();
  fake.queue_json = job_json("RUNNING", signalled, kT0s + 120, 1);
  ASSERT_TRUE(agent.tick(kT0 + seconds(125)).has_value());
  EXPECT_EQ(fake.calls.size(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::slurm
