#include "greenrun/scheduling/pause_resume.h"

#include <gtest/gtest.h>

#include "greenrun/base/time_format.h"
#include "scheduling/flexible_start.h"
#include "test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using test::at;

// Brute force over every run/idle pattern of n slots: maximal runs are
// segments; each later segment first spends R slots restarting (no work) and
// pays `overhead` x the intensity of its first slot; each segment does at
// least min(L, K) work slots; each gap between two segments is at least P
// slots; the work adds up to exactly K.
double brute_force(const std::vector<double>& v, const SlotProblem& pr) {
  const size_t n = v.size();
  const size_t K = pr.work_slots, R = pr.restart_slots;
  const size_t L = std::min(std::max<size_t>(pr.min_work_slots, 1), K);
  const size_t P = pr.min_pause_slots;
  double best = std::numeric_limits<double>::infinity();
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    double cost = 0;
    size_t work = 0, segments = 0, last_end = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok;) {
      if (!(mask >> i & 1)) {
        ++i;
        continue;
      }
      if (segments > 0 && i - last_end < P) ok = false;
      size_t j = i;
      while (j < n && (mask >> j & 1)) ++j;
      const size_t len = j - i;
      const size_t restart = segments == 0 ? 0 : R;
      if (len < restart + L) ok = false;
      else {
        for (size_t k = i; k < j; ++k) cost += pr.slot_kwh * v[k];
        if (segments > 0) cost += pr.overhead_kwh * v[i];
        work += len - restart;
      }
      ++segments;
      last_end = j;
      i = j;
    }
    if (ok && work == K) best = std::min(best, cost);
  }
  return best;
}

double schedule_cost(const std::vector<double>& v, const SlotSchedule& s, const SlotProblem& pr) {
  double c = 0;
  size_t work = 0;
  for (size_t k = 0; k < s.segments.size(); ++k) {
    const auto& seg = s.segments[k];
    for (size_t i = seg.begin; i < seg.end; ++i) c += pr.slot_kwh * v[i];
    if (k > 0) c += pr.overhead_kwh * v[seg.begin];
    work += seg.end - seg.begin - seg.restart;
    EXPECT_EQ(seg.restart, k == 0 ? 0 : pr.restart_slots);
    if (k > 0) {
      EXPECT_GE(seg.begin, s.segments[k - 1].end);
    }
  }
  EXPECT_EQ(work, pr.work_slots);
  return c;
}

TEST(PauseResume, DynamicProgrammeMatchesBruteForceOnSmallInputs) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 400; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const size_t n = std::uniform_int_distribution<size_t>(1, 13)(rng);
    std::vector<double> v(n);
    for (double& x : v) x = std::uniform_int_distribution<int>(0, 20)(rng);
    SlotProblem pr;
    pr.work_slots = std::uniform_int_distribution<size_t>(1, n)(rng);
    pr.slot_kwh = 0.5;
    pr.overhead_kwh = std::uniform_int_distribution<int>(0, 3)(rng);
    pr.restart_slots = std::uniform_int_distribution<size_t>(0, 2)(rng);
    pr.min_work_slots = std::uniform_int_distribution<size_t>(1, 3)(rng);
    pr.min_pause_slots = std::uniform_int_distribution<size_t>(0, 4)(rng);
    auto s = schedule_slots(v, pr);
    ASSERT_TRUE(s) << s.error().message;
    const double oracle = brute_force(v, pr);
    for (size_t k = 1; k < s->segments.size(); ++k)
      EXPECT_GE(s->segments[k].begin - s->segments[k - 1].end, pr.min_pause_slots) << "minimum pause";
    EXPECT_NEAR(s->cost, oracle, 1e-9);
    EXPECT_NEAR(schedule_cost(v, *s, pr), s->cost, 1e-9) << "the segments add up to the cost";
    for (const auto& seg : s->segments) EXPECT_LE(seg.end, n) << "no slot past the deadline";
    for (size_t k = 1; k < s->segments.size(); ++k)
      if (s->segments[k].restart == 0) {
        EXPECT_GT(s->segments[k].begin, s->segments[k - 1].end) << "a pause of no time is no pause";
      }
  }
}

TEST(PauseResume, WithoutOverheadTakesTheKCleanestSlots) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 200; ++iter) {
    const size_t n = std::uniform_int_distribution<size_t>(1, 12)(rng);
    std::vector<double> v(n);
    for (double& x : v) x = std::uniform_int_distribution<int>(0, 9)(rng);
    SlotProblem pr;
    pr.work_slots = std::uniform_int_distribution<size_t>(1, n)(rng);
    pr.slot_kwh = 1;
    const auto chosen = cleanest_slots(v, pr.work_slots);
    double c = 0;
    for (size_t i : chosen) c += v[i];
    EXPECT_NEAR(c, brute_force(v, pr), 1e-12);
    auto dp = schedule_slots(v, pr);
    ASSERT_TRUE(dp);
    EXPECT_NEAR(dp->cost, c, 1e-12);
  }
}

TEST(PauseResume, NeverWorseThanFlexibleStartAndNeverPastTheDeadline) {
  const uint32_t seed = test::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 200; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto s = test::random_series(rng, 72, minutes(30), 500);
    const Duration dur = minutes(std::uniform_int_distribution<int>(1, 24)(rng) * 15);
    const Duration window = minutes(std::uniform_int_distribution<int>(0, 48)(rng) * 30);
    const Job job = *Job::make(dur, PowerProfile::constant(Power::watts(250)));
    const UtcTime e = s.start();
    const UtcTime deadline = e + window + dur;
    auto pr = plan_pause_resume(s, job, e, deadline);
    auto fs = plan_flexible_start(s, job, {e, e + window, std::nullopt});
    ASSERT_TRUE(pr) << pr.error().message;
    ASSERT_TRUE(fs) << fs.error().message;
    EXPECT_LE(pr->emissions.grams(), fs->emissions.grams() + 1e-9);
    EXPECT_NEAR(pr->baseline.grams(), fs->baseline.grams(), 1e-9);
    Duration ran{0};
    for (const Segment& seg : pr->segments) {
      EXPECT_GE(seg.start, e);
      EXPECT_LE(seg.end, deadline);
      ran += seg.end - seg.start;
    }
    EXPECT_EQ(ran, dur);
    // With overhead the plan still meets the deadline and is no better.
    PauseResumeOptions o;
    o.overhead = PauseOverhead{minutes(15), Energy::watt_hours(20)};
    auto with = plan_pause_resume(s, job, e, deadline, o);
    ASSERT_TRUE(with) << with.error().message;
    EXPECT_GE(with->emissions.grams(), pr->emissions.grams() - 1e-9);
    EXPECT_LE(with->emissions.grams(), fs->emissions.grams() + 1e-9)
        << "one segment is always allowed, so overhead never loses to Flexible Start";
    for (const Segment& seg : with->segments) EXPECT_LE(seg.end, deadline);
  }
}

TEST(PauseResume, ReportsAnInfeasibleDeadline) {
  std::mt19937 rng(3);
  const auto s = test::random_series(rng, 24, hours(1));
  const Job job = *Job::make(hours(6), PowerProfile::constant(Power::watts(100)));
  auto r = plan_pause_resume(s, job, s.start(), s.start() + hours(5));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot meet the deadline"), std::string::npos) << r.error().message;
  auto past = plan_pause_resume(s, job, s.start() + hours(5), s.start());
  ASSERT_FALSE(past);
  auto uncovered = plan_pause_resume(s, job, s.start() + hours(20), s.start() + hours(30));
  ASSERT_FALSE(uncovered);
  EXPECT_NE(uncovered.error().message.find("does not cover"), std::string::npos);
}

TEST(PauseResume, OverheadMergesSegmentsOnRealData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto gb = test::real_series("green-dcc/GB_2022_hourly.csv");
  const Job job = *Job::make(hours(12), PowerProfile::constant(Power::kilowatts(2)));
  const UtcTime e = at("2022-03-07T00:00Z");
  auto free = plan_pause_resume(gb, job, e, e + hours(48));
  ASSERT_TRUE(free) << free.error().message;
  PauseResumeOptions o;
  o.overhead.time = minutes(30);
  o.overhead.energy = Energy::kilowatt_hours(1);
  o.min_segment = hours(2);
  auto costly = plan_pause_resume(gb, job, e, e + hours(48), o);
  ASSERT_TRUE(costly) << costly.error().message;
  EXPECT_LE(costly->pauses(), free->pauses());
  EXPECT_GE(costly->emissions, free->emissions);
  for (size_t k = 0; k < costly->segments.size(); ++k) {
    const Segment& seg = costly->segments[k];
    EXPECT_GE(seg.end - seg.start - seg.restart, hours(2)) << "minimum segment";
    if (k > 0) {
      EXPECT_EQ(seg.restart, hours(1)) << "30 min restart rounded up to a whole 1 h slot";
    }
  }
  // An odd duration plans on finer slots, so nothing is rounded.
  const Job odd = *Job::make(minutes(100), PowerProfile::constant(Power::watts(300)));
  auto p = plan_pause_resume(gb, odd, e, e + hours(24));
  ASSERT_TRUE(p);
  Duration ran{0};
  for (const Segment& seg : p->segments) ran += seg.end - seg.start;
  EXPECT_EQ(ran, minutes(100));
}

TEST(PauseResume, NoPauseShorterThanTheMinimumOnRealData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto gb = test::real_series("green-dcc/GB_2022_hourly.csv");
  const Job job = *Job::make(hours(12), PowerProfile::constant(Power::kilowatts(1)));
  auto shortest_pause = [](const Plan& p) {
    Duration m = hours(1000);
    for (size_t k = 1; k < p.segments.size(); ++k) m = std::min(m, p.segments[k].start - p.segments[k - 1].end);
    return m;
  };
  // Every day of March 2022 with a 36 h window: where the unconstrained plan
  // takes a single dirty hour off, a 2 h minimum pause must forbid it.
  int short_pauses = 0;
  for (int day = 0; day < 31; ++day) {
    const UtcTime e = at("2022-03-01T00:00Z") + hours(24 * day);
    SCOPED_TRACE("start " + format_utc(e));
    auto free = plan_pause_resume(gb, job, e, e + hours(36));
    ASSERT_TRUE(free) << free.error().message;
    if (shortest_pause(*free) < hours(2)) ++short_pauses;
    PauseResumeOptions o;
    o.min_pause = hours(2);
    auto held = plan_pause_resume(gb, job, e, e + hours(36), o);
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_GE(shortest_pause(*held), hours(2));
    EXPECT_GE(held->emissions.grams(), free->emissions.grams() - 1e-9) << "a constraint cannot make a plan cleaner";
    Duration ran{0};
    for (const Segment& seg : held->segments) ran += seg.end - seg.start;
    EXPECT_EQ(ran, hours(12));
  }
  EXPECT_GT(short_pauses, 0) << "the data must call for a short pause somewhere for this test to mean anything";
  PauseResumeOptions bad;
  bad.min_pause = minutes(-1);
  EXPECT_FALSE(plan_pause_resume(gb, job, at("2022-03-01T00:00Z"), at("2022-03-02T12:00Z"), bad));
}

}  // namespace
}  // namespace greenrun::scheduling
