// The agent's decisions (engine::decide_batch_job) and one agent pass over a
// fake queue (a fake command runner, a fixed clock): no daemons, fast.
#include <gtest/gtest.h>

#include <map>

#include "greenrun/batch_scheduling.h"
#include "slurm/agent.h"
#include "testing/batch_fakes.h"

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
using greenrun::testing::minutes_series;

TEST(DecideBatchJob, PendingJobStartsInTheCleanMinuteNeverAfterItsLatestStart) {
  const auto f = minutes_series({500, 500, 100, 500});
  const UtcTime now = kT0 + seconds(10);
  auto d = engine::decide_batch_job(batch_job(BatchJobState::kPending, minutes(1), kT0 + minutes(10)), &f, now);
  EXPECT_EQ(d.action, BatchAction::kSetStart);
  EXPECT_EQ(d.start, kT0 + minutes(2));
  // Its begin already there: nothing to do (no churn).
  auto there = batch_job(BatchJobState::kPending, minutes(1), kT0 + minutes(10));
  there.start = kT0 + minutes(2);
  EXPECT_EQ(engine::decide_batch_job(there, &f, now).action, BatchAction::kNone);
  // The clean minute lies beyond the latest start: start by the latest start.
  engine::BatchPolicy policy;
  auto tight = batch_job(BatchJobState::kPending, minutes(1), kT0 + minutes(2) + seconds(30));
  d = engine::decide_batch_job(tight, &f, now, policy);
  EXPECT_LE(d.start, kT0 + minutes(1) + seconds(30));
  // A begin set past its latest start (by hand) is pulled back in.
  tight.start = kT0 + minutes(30);
  d = engine::decide_batch_job(tight, &f, now, policy);
  EXPECT_EQ(d.action, BatchAction::kSetStart);
  EXPECT_LE(d.start, kT0 + minutes(1) + seconds(30));
  // The latest start has come: now.
  d = engine::decide_batch_job(tight, &f, kT0 + minutes(2), policy);
  EXPECT_EQ(d.action, BatchAction::kSetStart);
  EXPECT_EQ(d.start, kT0 + minutes(2));
}

TEST(DecideBatchJob, NoDeadlineOrNoForecastMeansAsIfGreenrunWereAbsent) {
  const auto f = minutes_series({500, 100});
  auto j = batch_job(BatchJobState::kPending, minutes(1), kT0);
  j.deadline.reset();
  j.start = kT0 + minutes(5);  // its own --begin: kept
  auto d = engine::decide_batch_job(j, &f, kT0);
  EXPECT_EQ(d.action, BatchAction::kNone);
  EXPECT_EQ(d.reason, "not flexible: no deadline");
  auto s = batch_job(BatchJobState::kPending, minutes(1), kT0 + minutes(10));
  s.start = kT0 + minutes(4);
  d = engine::decide_batch_job(s, nullptr, kT0);
  EXPECT_EQ(d.action, BatchAction::kSetStart);
  EXPECT_EQ(d.start, kT0);
  EXPECT_NE(d.reason.find("no forecast"), std::string::npos);
  auto r = batch_job(BatchJobState::kSuspended, minutes(5), kT0 + minutes(30), true);
  EXPECT_EQ(engine::decide_batch_job(r, nullptr, kT0).action, BatchAction::kResume);
}

TEST(DecideBatchJob, InterruptibleJobPausesWhileDirtyAndTheDeadlineIsHard) {
  const auto f = minutes_series({900, 900, 100, 100, 900});
  const UtcTime now = kT0 + seconds(5);
  auto running = batch_job(BatchJobState::kRunning, minutes(2), kT0 + minutes(10), true);
  auto d = engine::decide_batch_job(running, &f, now);
  EXPECT_EQ(d.action, BatchAction::kSuspend);
  EXPECT_EQ(d.start, kT0 + minutes(2));
  // Not interruptible: never suspended.
  auto plain = running;
  plain.interruptible = false;
  EXPECT_EQ(engine::decide_batch_job(plain, &f, now).action, BatchAction::kNone);
  // Suspended, the clean minutes come: resumed.
  auto suspended = running;
  suspended.state = BatchJobState::kSuspended;
  EXPECT_EQ(engine::decide_batch_job(suspended, &f, now).action, BatchAction::kNone);
  EXPECT_EQ(engine::decide_batch_job(suspended, &f, kT0 + minutes(2)).action, BatchAction::kResume);
  // The deadline guard: 2 min of work left and 2 min 3 s to the deadline,
  // with the agent acting up to 5 s late: resume now, whatever the forecast.
  engine::BatchPolicy policy;
  policy.lead = seconds(5);
  auto late = suspended;
  late.deadline = now + minutes(2) + seconds(3);
  d = engine::decide_batch_job(late, &f, now, policy);
  EXPECT_EQ(d.action, BatchAction::kResume);
  EXPECT_NE(d.reason.find("deadline guard"), std::string::npos);
  // Work done counts: 1 min 50 s done of 2 min leaves 10 s, which fits later.
  auto almost = late;
  almost.done = minutes(1) + seconds(50);
  almost.deadline = kT0 + minutes(4);
  EXPECT_EQ(engine::decide_batch_job(almost, &f, now, policy).action, BatchAction::kNone);
}

std::string queued(int id, const std::string& state, const std::string& comment, int64_t start, int64_t deadline = 0) {
  return "{\"job_id\":" + std::to_string(id) + ",\"job_state\":\"" + state +
         "\",\"state_reason\":\"" + (state == "PENDING" ? "BeginTime" : "None") + "\",\"comment\":\"" + comment +
         "\",\"start_time\":" + std::to_string(start) + ",\"suspend_time\":0,\"pre_sus_time\":0,\"time_limit\":2," +
         "\"deadline\":" + std::to_string(deadline) + "}";
}

TEST(AgentPass, ActsOnOptedInJobsOnlyAndRetriesAFailingSlurmBoundedly) {
  const int64_t t0 = std::chrono::duration_cast<seconds>(kT0.time_since_epoch()).count();
  const std::string dl = std::to_string(t0 + 600);
  FakeSlurm fake;
  fake.queue_json = "{\"jobs\":[" + queued(1, "PENDING", "greenrun:deadline=" + dl, t0) + "," +
                    queued(2, "PENDING", "", t0) + "," + queued(3, "RUNNING", "something else", t0) + "," +
                    queued(4, "RUNNING", "greenrun:interruptible,deadline=" + dl, t0) + "," +
                    queued(5, "RUNNING", "greenrun:nonsense", t0) + "]}";
  int sleeps = 0;
  SlurmClient client(fake, 3, [&](Duration) { ++sleeps; });
  // The forecast is handed in as the store would: the agent loads it by the
  // engine's policy; here a store-less agent has no forecast, so jobs run as
  // if greenrun were absent, and only opted-in jobs are looked at.
  engine::Services services;
  services.store_path = "/nonexistent/greenrun.db";
  std::vector<std::string> log;
  AgentOptions options;
  options.zone = "";  // no zone: no forecast
  Agent agent(options, client, services, [&](const std::string& l) { log.push_back(l); });
  auto r = agent.tick(kT0 + seconds(1));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->opted_in, 2u);
  for (const auto& c : fake.calls)
    for (const auto& a : c)
      for (const char* other : {"2", "3", "jobid=2", "jobid=3"}) EXPECT_NE(a, other) << "touched a job that did not opt in";
  bool logged_bad = false;
  for (const auto& l : log) logged_bad = logged_bad || l.find("job 5: opted in, but left alone") != std::string::npos;
  EXPECT_TRUE(logged_bad);

  // Slurm unreachable: the pass fails after 3 tries with 2 back-off sleeps.
  fake.fail_next = 3;
  auto down = agent.tick(kT0 + seconds(2));
  ASSERT_FALSE(down.has_value());
  EXPECT_NE(down.error().message.find("Unable to contact"), std::string::npos);
  EXPECT_EQ(sleeps, 2);
  // Back: the next pass works.
  EXPECT_TRUE(agent.tick(kT0 + seconds(3)).has_value());
}

TEST(AgentPass, SuspendsAnInterruptibleJobAndReleaseAllResumesIt) {
  FakeSlurm fake;
  SlurmClient client(fake, 1, [](Duration) {});
  engine::Services services;
  Agent agent({}, client, services, nullptr);
  const int64_t t0 = std::chrono::duration_cast<seconds>(kT0.time_since_epoch()).count();
  // act() on a parsed queue with a forecast would need the store; the
  // decision itself is covered above, so here the bookkeeping: a suspended
  // interruptible job found in the queue (an agent restart) is the agent's,
  // and release_all resumes it.
  auto q = parse_squeue_json("{\"jobs\":[" +
                             queued(4, "SUSPENDED", "greenrun:interruptible,deadline=" + std::to_string(t0 + 3600), t0) +
                             "]}");
  ASSERT_TRUE(q.has_value());
  (void)agent.act(*q, kT0 + seconds(1));
  // No zone, so no forecast: a suspended job is resumed at once.
  EXPECT_EQ(fake.count("resume"), 1u);
  EXPECT_TRUE(agent.suspended().empty());
  // Opted in but not interruptible, suspended by someone else: left alone.
  auto admin = parse_squeue_json("{\"jobs\":[" +
                                 queued(6, "SUSPENDED", "greenrun:deadline=" + std::to_string(t0 + 3600), t0) + "]}");
  ASSERT_TRUE(admin.has_value());
  (void)agent.act(*admin, kT0 + seconds(2));
  EXPECT_EQ(fake.count("resume"), 1u);
}

}  // namespace
}  // namespace greenrun::slurm
