#include "greenrun/scheduling/replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "scheduling/test_series.h"

namespace greenrun::scheduling {
namespace {

using std::chrono::hours, std::chrono::minutes;
using test::at;

LoggedJob job(std::string id, UtcTime submit, Duration d, double watts,
              std::optional<UtcTime> deadline = {}) {
  LoggedJob j;
  j.id = std::move(id);
  j.line = 2;
  j.submit = submit;
  j.duration = d;
  j.power = Power::watts(watts);
  j.deadline = deadline;
  return j;
}

ReplaySetting setting(Policy p) {
  ReplaySetting s;
  s.policy = p;
  return s;
}

double brute_grams(const intensity::IntensitySeries& s, double kw, UtcTime a,
                   UtcTime b) {
  return kw * s.integrate(a, b).g_per_kwh_ms / 3.6e6;
}

// Flexible Start against every start on a one-minute grid (the job's
// emissions bend only where its start or end meets an hour, which is on that
// grid here), and Pause and Resume against every choice of K of the window's
// hours.
TEST(Replay, MatchesBruteForceOnSmallLogs) {
  const uint32_t seed = test::test_seed();
  std::mt19937 rng(seed);
  const UtcTime t0 = at("2023-01-01T00:00:00Z");
  const auto series = test::random_series(rng, 24 * 6, hours(1), 9, t0);
  JobLog log;
  log.name = "random.csv";
  std::uniform_int_distribution<int> minute(0, 24 * 60), tens(1, 30),
      slack(0, 6 * 60), hrs(1, 4), win(0, 6);
  std::vector<size_t> flexible_ids, pr_ids;
  for (int i = 0; i < 60; ++i) {
    const UtcTime submit = t0 + hours(24) + minutes(minute(rng));
    const Duration d = minutes(10 * tens(rng));
    log.jobs.push_back(job("f" + std::to_string(i), submit, d, 500,
                           submit + d + minutes(slack(rng))));
    flexible_ids.push_back(log.jobs.size() - 1);
  }
  for (int i = 0; i < 40; ++i) {
    const UtcTime submit = t0 + hours(24 + minute(rng) / 60);
    const Duration d = hours(hrs(rng));
    log.jobs.push_back(job("p" + std::to_string(i), submit, d, 2000,
                           submit + d + hours(win(rng))));
    pr_ids.push_back(log.jobs.size() - 1);
  }
  ReplayOptions o;
  o.settings = {setting(Policy::kFlexibleStart), setting(Policy::kPauseResume)};
  auto r = replay_jobs(series, log, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->excluded.size(), 0u);
  const auto& flex = r->settings[0].jobs;
  const auto& pr = r->settings[1].jobs;
  ASSERT_EQ(flex.size(), log.jobs.size());
  for (size_t i : flexible_ids) {
    const LoggedJob& j = log.jobs[i];
    double best = 1e300;
    for (UtcTime s = j.submit; s + j.duration <= *j.deadline; s += minutes(1))
      best = std::min(best, brute_grams(series, 0.5, s, s + j.duration));
    EXPECT_NEAR(flex[i].plan.emissions.grams(), best,
                1e-9 * std::max(1.0, best))
        << j.id << " seed " << seed;
    EXPECT_GE(flex[i].plan.start(), j.submit);
    EXPECT_LE(flex[i].plan.end(), *j.deadline);
    EXPECT_NEAR(flex[i].plan.baseline.grams(),
                brute_grams(series, 0.5, j.submit, j.submit + j.duration),
                1e-9);
  }
  for (size_t i : pr_ids) {
    const LoggedJob& j = log.jobs[i];
    const auto n = static_cast<size_t>((*j.deadline - j.submit) / hours(1));
    const auto K = static_cast<size_t>(j.duration / hours(1));
    double best = 1e300;
    for (uint32_t mask = 0; mask < (1u << n); ++mask) {
      if (static_cast<size_t>(__builtin_popcount(mask)) != K) continue;
      double g = 0;
      for (size_t h = 0; h < n; ++h)
        if (mask >> h & 1u)
          g += brute_grams(series, 2.0, j.submit + hours(h),
                           j.submit + hours(h + 1));
      best = std::min(best, g);
    }
    EXPECT_NEAR(pr[i].plan.emissions.grams(), best, 1e-9 * std::max(1.0, best))
        << j.id << " seed " << seed;
    Duration worked{0};
    for (const auto& s : pr[i].plan.segments) worked += s.end - s.start;
    EXPECT_EQ(worked, j.duration) << j.id;
  }
}

TEST(Replay, TotalsAddUpAndCountInfeasibleFallbacksAndExclusions) {
  const uint32_t seed = test::test_seed();
  std::mt19937 rng(seed);
  const UtcTime t0 = at("2023-01-01T00:00:00Z");
  const auto series = test::random_series(rng, 72, hours(1), 9, t0);
  JobLog log;
  log.name = "log.csv";
  log.jobs.push_back(job("ok", t0 + hours(2), hours(2), 1000, t0 + hours(12)));
  log.jobs.push_back(job("late", t0 + hours(4), hours(3), 1000,
                         t0 + hours(6)));  // longer than its window
  log.jobs.push_back(
      job("rigid", t0 + hours(5), minutes(90), 300, t0 + hours(20)));
  log.jobs.back().interruptible = false;
  log.jobs.push_back(job("outside", t0 + hours(70), hours(4), 1000,
                         t0 + hours(80)));  // past the data
  log.jobs.back().line = 9;
  ReplayOptions o;
  o.settings = {setting(Policy::kAtOnce), setting(Policy::kPauseResume)};
  auto r = replay_jobs(series, log, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->excluded.size(), 1u);
  EXPECT_EQ(r->excluded[0].id, "outside");
  EXPECT_EQ(r->excluded[0].line, 9u);
  EXPECT_NE(r->excluded[0].reason.find("does not cover"), std::string::npos);
  const auto& pr = r->settings[1];
  EXPECT_EQ(pr.totals.jobs, 3u);
  EXPECT_EQ(pr.totals.infeasible, 1u);
  EXPECT_EQ(pr.totals.fell_back, 1u);
  const auto& late = pr.jobs[1];
  EXPECT_FALSE(late.feasible);
  EXPECT_EQ(late.plan.start(), t0 + hours(4));
  EXPECT_DOUBLE_EQ(late.plan.emissions.grams(), late.plan.baseline.grams());
  EXPECT_EQ(pr.jobs[2].plan.segments.size(), 1u);  // not interruptible: one run
  double e = 0, b = 0;
  for (const auto& j : pr.jobs) {
    e += j.plan.emissions.grams();
    b += j.plan.baseline.grams();
  }
  EXPECT_NEAR(pr.totals.emissions_g, e, 1e-9);
  EXPECT_NEAR(pr.totals.at_once_g, b, 1e-9);
  EXPECT_NEAR(pr.totals.saving_percent(), 100 * (b - e) / b, 1e-9);
  EXPECT_NEAR(pr.totals.mean_intensity(), e / (2 + 3 + 0.45), 1e-9);
  EXPECT_NEAR(r->settings[0].totals.emissions_g, b,
              1e-9);  // at once is the baseline
  EXPECT_GE(pr.totals.saving_g(), 0);
}

// Nightly jobs on the real DE series with a window around 01:00: the plans
// made on noisy forecasts (fixed seeds, printed) never beat those made on
// the actuals, since Flexible Start and free Pause and Resume on the actuals
// are optimal for every job.
TEST(Replay, ForecastErrorCostsSavingOnRealData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto series = test::real_series("green-dcc/DE-LU_2022_hourly.csv");
  ASSERT_FALSE(series.empty());
  auto tz = TimeZone::load("Europe/Berlin");
  if (!tz) GTEST_SKIP() << "needs the tzdata package: " << tz.error().message;
  auto nightly = parse_start_schedule("daily@01:00");
  ASSERT_TRUE(nightly);
  JobLog log;
  log.name = "nightly";
  for (UtcTime t : schedule_times(*nightly, at("2022-01-02T00:00:00Z"),
                                  at("2022-12-30T00:00:00Z"), *tz))
    log.jobs.push_back(
        job("n" + std::to_string(log.jobs.size()), t, hours(3), 2000));
  ASSERT_EQ(log.jobs.size(), 362u);
  ReplayOptions o;
  o.tz = *tz;
  o.default_rule = *parse_job_rule("around:4h", *tz);
  o.repeat = 3;
  o.seed = test::test_seed();
  for (Policy p : {Policy::kFlexibleStart, Policy::kPauseResume}) {
    ReplaySetting s = setting(p);
    s.error = 0.1;
    o.settings.push_back(s);
  }
  auto r = replay_jobs(series, log, o);
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& s : r->settings) {
    ASSERT_EQ(s.seeds, (std::vector<uint64_t>{o.seed, o.seed + 1, o.seed + 2}))
        << "seed " << o.seed;
    ASSERT_TRUE(s.perfect_saving);
    EXPECT_GT(*s.perfect_saving, 2.0) << s.setting.label();
    for (double x : s.saving_by_seed)
      EXPECT_LE(x, *s.perfect_saving + 1e-9)
          << s.setting.label() << " seed " << o.seed;
    EXPECT_GT(s.saving_sd, 0);
    EXPECT_EQ(s.totals.jobs, 362u);
  }
  // The same seed gives the same answer.
  auto again = replay_jobs(series, log, o);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->settings[0].saving_by_seed, r->settings[0].saving_by_seed);
}

TEST(Replay, ThresholdAndOverheadRunOnRealData) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto series =
      test::real_series("decarbonization-potential/ES_2022_hourly.csv");
  ASSERT_FALSE(series.empty());
  JobLog log;
  log.name = "jobs";
  for (int d = 1; d < 28; ++d) {
    const UtcTime t = at("2022-03-01T09:17:00Z") + hours(24 * d);
    log.jobs.push_back(job("j" + std::to_string(d), t, minutes(137), 800));
  }
  ReplayOptions o;
  o.default_rule = *parse_job_rule("slack:12h", TimeZone::utc());
  ReplaySetting th = setting(Policy::kThreshold);
  th.threshold.percentile = 30;
  ReplaySetting ov = setting(Policy::kPauseResume);
  ov.overhead.time = minutes(10);
  o.settings = {setting(Policy::kPauseResume), ov, th};
  auto r = replay_jobs(series, log, o);
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& s : r->settings) {
    EXPECT_EQ(s.totals.jobs, 27u);
    for (const auto& j : s.jobs) {
      EXPECT_LE(j.plan.end(), log.jobs[j.job].submit + minutes(137) + hours(12))
          << s.setting.label();
      Duration work{0};
      for (const auto& seg : j.plan.segments)
        work += seg.end - seg.start - seg.restart;
      EXPECT_EQ(work, minutes(137))
          << s.setting.label() << " " << log.jobs[j.job].id;
    }
  }
  // Free pauses are never worse than paying 10 minutes per pause.
  EXPECT_GE(r->settings[0].totals.saving_g(),
            r->settings[1].totals.saving_g() - 1e-9);
  EXPECT_LE(r->settings[1].totals.pauses, r->settings[0].totals.pauses);
}

TEST(Replay, BadOptionsAreErrors) {
  JobLog log;
  intensity::IntensitySeries empty("X", intensity::Signal::kAverageLifecycle);
  ReplayOptions o;
  EXPECT_FALSE(replay_jobs(empty, log, o));
  o.settings = {setting(Policy::kFlexibleStart)};
  EXPECT_FALSE(replay_jobs(empty, log, o));
  std::mt19937 rng(1);
  const auto s = test::random_series(rng, 10, hours(1));
  o.repeat = 0;
  EXPECT_FALSE(replay_jobs(s, log, o));
  o.repeat = 1;
  o.settings = {setting(Policy::kThreshold)};
  EXPECT_FALSE(replay_jobs(s, log, o));
  EXPECT_TRUE(parse_policy("pause-resume"));
  EXPECT_FALSE(parse_policy("sometimes"));
}

}  // namespace
}  // namespace greenrun::scheduling
