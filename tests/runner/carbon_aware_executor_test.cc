// The executor with a fake clock and a simulated job: an hour of schedule
// runs in microseconds. Properties (seeded, the seed is printed): the
// deadline is never missed whatever the forecast error, and with a perfect
// forecast the realised emissions equal the planner's.
#include "runner/carbon_aware_executor.h"

#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <sstream>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "testing/fake_clock.h"
#include "testing/seed.h"

namespace greenrun::runner {
namespace {

using namespace std::chrono_literals;
using scheduling::Mode;
using greenrun::testing::FakeClock;

constexpr Power kPower = Power::watts(300);

// A job whose work is its run time; it exits once `duration` has run.
class SimulatedJob final : public JobControl {
 public:
  SimulatedJob(FakeClock& clock, Duration duration) : clock_(clock), duration_(duration) {}
  std::optional<SpawnError> start() override {
    running_ = process_ = true;
    ++starts_;
    return std::nullopt;
  }
  PauseResult pause() override {
    if (refuse_) return {PauseOutcome::kRefused, std::nullopt, "refused"};
    if (die_on_pause_) {  // no handler for the checkpoint signal
      running_ = process_ = false;
      return {PauseOutcome::kExited, ExitStatus{.signalled = true, .code = 0, .signal = SIGUSR1},
              "the job was killed by SIGUSR1 after SIGUSR1"};
    }
    running_ = false;
    ++pauses_;
    return {};
  }
  std::optional<SpawnError> resume() override {
    running_ = true;
    return std::nullopt;
  }
  std::optional<ExitStatus> wait_until(SteadyTime t) override {
    const SteadyTime now = clock_.steady_now();
    if (t < now) t = now;
    if (running_) {
      const SteadyTime finish = now + (duration_ - done_);
      if (finish <= t) {
        clock_.sleep_until(finish);
        done_ = duration_;
        running_ = process_ = false;
        return ExitStatus{};
      }
      done_ += std::chrono::duration_cast<Duration>(t - now);
    }
    clock_.sleep_until(t);
    return std::nullopt;
  }
  bool interrupted() const override { return interrupt_ != 0; }
  int interrupt_signal() const override { return interrupt_; }
  bool has_process() const override { return process_; }
  pid_t measured_root() const override { return 1; }
  PauseMode mode() const override { return PauseMode::kStop; }

  Duration done() const { return done_; }
  int pauses() const { return pauses_; }
  int starts() const { return starts_; }
  bool running() const { return running_; }
  void refuse_pauses() { refuse_ = true; }
  void die_on_pause() { die_on_pause_ = true; }
  // As if `sig` reached greenrun while no job process exists.
  void interrupt(int sig) { interrupt_ = sig; }

 private:
  FakeClock& clock_;
  Duration duration_;
  Duration done_{0};
  bool running_ = false, process_ = false, refuse_ = false, die_on_pause_ = false;
  int interrupt_ = 0;
  int pauses_ = 0, starts_ = 0;
};

// Energy = constant power x run time, sampled every 7 minutes.
class ModelMeter final : public EnergyMeter {
 public:
  ModelMeter(FakeClock& clock, const SimulatedJob& job) : clock_(clock), job_(job) {}
  void begin(pid_t) override { next_ = clock_.steady_now() + 7min; }
  SteadyTime next_deadline() const override { return next_; }
  void sample(const std::optional<ExitStatus>&) override {
    ++samples_;
    while (next_ <= clock_.steady_now()) next_ += 7min;
  }
  Energy job_energy() const override { return kPower * job_.done(); }
  int samples() const { return samples_; }

 private:
  FakeClock& clock_;
  const SimulatedJob& job_;
  SteadyTime next_{};
  int samples_ = 0;
};

// Hands out a sequence of forecasts, one per poll.
class QueuedForecasts final : public ForecastSource {
 public:
  std::vector<intensity::IntensitySeries> queue;
  std::optional<intensity::IntensitySeries> poll(UtcTime) override {
    if (queue.empty()) return std::nullopt;
    auto s = std::move(queue.front());
    queue.erase(queue.begin());
    return s;
  }
};

const UtcTime kT0 = *parse_utc("2023-01-01T00:00:00Z");

intensity::IntensitySeries hourly(const std::vector<double>& v, UtcTime t0 = kT0) {
  intensity::IntensitySeries s("TEST", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  for (size_t i = 0; i < v.size(); ++i)
    EXPECT_TRUE(s.append(t0 + std::chrono::hours(i), 1h, CarbonIntensity::grams_per_kwh(v[i])));
  return s;
}

intensity::IntensitySeries random_hourly(std::mt19937& rng, size_t n, UtcTime t0) {
  std::uniform_int_distribution<int> v(50, 600);
  std::vector<double> x;
  for (size_t i = 0; i < n; ++i) x.push_back(v(rng));
  return hourly(x, t0);
}

// The same series with each value multiplied by a factor in [1 - e, 1 + e].
intensity::IntensitySeries perturbed(const intensity::IntensitySeries& s, std::mt19937& rng, double e) {
  std::uniform_real_distribution<double> f(1 - e, 1 + e);
  intensity::IntensitySeries out(s.zone(), s.signal(), intensity::Origin::kForecast);
  for (const auto& p : s.points())
    EXPECT_TRUE(out.append(p.start, p.duration, CarbonIntensity::grams_per_kwh(p.value.grams_per_kwh() * f(rng))));
  return out;
}

ScheduleRequest pause_resume(Duration expected, UtcTime deadline, Duration margin = 0ms) {
  ScheduleRequest r;
  r.mode = Mode::kPauseResume;
  r.earliest = kT0;
  r.expected = expected;
  r.deadline = deadline;
  r.margin = margin;
  r.power = kPower;
  return r;
}

TEST(CarbonAwareExecutor, RunsInTheCleanHoursAndRecordsEveryPauseAndResume) {
  FakeClock clock(kT0);
  // Dirty, clean, dirty, clean, dirty, dirty: 2 h of work in a 6 h window.
  auto sched = ExecutionSchedule::make(pause_resume(2h, kT0 + 6h), hourly({500, 100, 400, 120, 500, 500}));
  ASSERT_TRUE(sched) << sched.error().message;
  SimulatedJob job(clock, 2h);
  ModelMeter meter(clock, job);
  const auto rep = execute(clock, *sched, job, &meter, nullptr, {});
  ASSERT_TRUE(rep.exit);
  EXPECT_EQ(rep.shell_status(), 0);
  EXPECT_EQ(job.done(), 2h);
  EXPECT_EQ(job.pauses(), 1);
  EXPECT_EQ(rep.ended, kT0 + 4h);
  EXPECT_EQ(rep.run_time, 2h);
  EXPECT_EQ(rep.time_added, 2h);
  EXPECT_TRUE(rep.deadline_met);
  std::vector<std::string> kinds;
  for (const auto& e : rep.events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"wait", "start", "pause", "resume", "exit"}));
  ASSERT_TRUE(rep.events[1].intensity);
  EXPECT_DOUBLE_EQ(*rep.events[1].intensity, 100);
  EXPECT_EQ(rep.events[2].time, kT0 + 2h);
  // 0.3 kW x (100 + 120) g/kWh x 1 h = 66 g; at once: 0.3 x (500 + 100) = 180 g.
  EXPECT_NEAR(rep.emissions.grams(), 66, 1e-9);
  EXPECT_NEAR(rep.at_once.grams(), 180, 1e-9);
  EXPECT_NEAR(rep.emissions.grams(), sched->initial_plan().emissions.grams(), 1e-9);
  EXPECT_GT(meter.samples(), 10);  // the meter kept sampling while paused
}

TEST(CarbonAwareExecutor, FlexibleStartWaitsThenRunsToTheEnd) {
  FakeClock clock(kT0);
  ScheduleRequest r;
  r.mode = Mode::kFlexibleStart;
  r.earliest = kT0;
  r.expected = 2h;
  r.latest_start = kT0 + 4h;
  r.deadline = kT0 + 6h;
  auto sched = ExecutionSchedule::make(r, hourly({500, 400, 100, 100, 500, 500, 500}));
  ASSERT_TRUE(sched) << sched.error().message;
  SimulatedJob job(clock, 2h);
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  EXPECT_EQ(job.pauses(), 0);
  ASSERT_FALSE(rep.segments.empty());
  EXPECT_EQ(rep.segments.front().start, kT0 + 2h);
  EXPECT_EQ(rep.ended, kT0 + 4h);
}

ScheduleRequest flexible_start(Duration expected, UtcTime latest_start) {
  ScheduleRequest r;
  r.mode = Mode::kFlexibleStart;
  r.earliest = kT0;
  r.expected = expected;
  r.latest_start = latest_start;
  r.deadline = latest_start + expected;
  r.power = kPower;
  return r;
}

// `--start-within 0s`: the executor's first decision comes after the latest
// start (it is "now" when the request is made); a job started at its first
// decision could not have started earlier and met its deadline.
TEST(CarbonAwareExecutor, AJobStartedAtItsFirstDecisionMeetsAZeroWindow) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(flexible_start(10min, kT0), hourly({500, 100}));
  ASSERT_TRUE(sched) << sched.error().message;
  clock.advance(2min);
  SimulatedJob job(clock, 10min);
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  ASSERT_FALSE(rep.segments.empty());
  EXPECT_EQ(rep.segments.front().start, kT0 + 2min);
  EXPECT_TRUE(rep.deadline_met);
  EXPECT_EQ(rep.deadline_summary(), "deadline met");
}

// A job whose every wait before its start oversleeps by hours.
class Oversleeping final : public JobControl {
 public:
  Oversleeping(FakeClock& clock, Duration duration) : inner_(clock, duration), clock_(clock) {}
  std::optional<SpawnError> start() override { return inner_.start(); }
  PauseResult pause() override { return inner_.pause(); }
  std::optional<SpawnError> resume() override { return inner_.resume(); }
  std::optional<ExitStatus> wait_until(SteadyTime t) override {
    return inner_.wait_until(inner_.has_process() ? t : clock_.steady_now() + 3h);
  }
  bool interrupted() const override { return false; }
  bool has_process() const override { return inner_.has_process(); }
  pid_t measured_root() const override { return 1; }
  PauseMode mode() const override { return PauseMode::kStop; }

 private:
  SimulatedJob inner_;
  FakeClock& clock_;
};

TEST(CarbonAwareExecutor, AFlexibleJobStartedPastItsLatestStartMissedItsDeadline) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(flexible_start(1h, kT0 + 2h), hourly({500, 400, 100, 100}));
  ASSERT_TRUE(sched) << sched.error().message;
  Oversleeping job(clock, 1h);
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  ASSERT_FALSE(rep.segments.empty());
  EXPECT_EQ(rep.segments.front().start, kT0 + 3h);
  EXPECT_FALSE(rep.deadline_met);
  EXPECT_EQ(rep.deadline_summary(), "DEADLINE MISSED");
}

// A job that counts the executor's waits on it; past `limit` waits it
// exits, so an executor that spins fails the test instead of hanging it.
class CountingWaits final : public JobControl {
 public:
  CountingWaits(FakeClock& clock, Duration duration, int limit) : inner_(clock, duration), limit_(limit) {}
  std::optional<SpawnError> start() override { return inner_.start(); }
  PauseResult pause() override { return inner_.pause(); }
  std::optional<SpawnError> resume() override { return inner_.resume(); }
  std::optional<ExitStatus> wait_until(SteadyTime t) override {
    if (++waits_ > limit_) return ExitStatus{};
    return inner_.wait_until(t);
  }
  bool interrupted() const override { return false; }
  bool has_process() const override { return inner_.has_process(); }
  pid_t measured_root() const override { return 1; }
  PauseMode mode() const override { return PauseMode::kStop; }
  int waits() const { return waits_; }

 private:
  SimulatedJob inner_;
  int limit_;
  int waits_ = 0;
};

// Once a Flexible Start job has started no forecast is asked for: the
// executor must not wake for the refresh it no longer makes (its time stays
// in the past, and waking for it spun a CPU for the rest of the job).
TEST(CarbonAwareExecutor, AStartedFlexibleJobWithAForecastSourceDoesNotSpin) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(flexible_start(4h, kT0 + 2h), hourly({100, 500, 500, 500, 500, 500, 500}));
  ASSERT_TRUE(sched) << sched.error().message;
  CountingWaits job(clock, 4h, 1000);
  QueuedForecasts source;  // answers nothing new
  ExecutorOptions options;
  options.forecast_refresh = 15min;
  const auto rep = execute(clock, *sched, job, nullptr, &source, options);
  EXPECT_LT(job.waits(), 20) << "the executor woke " << job.waits() << " times for a 4 h job";
  EXPECT_EQ(rep.ended, kT0 + 4h);
}

// Checkpoint mode, a job without a handler for the checkpoint signal: it
// dies of it at the first pause, well before the deadline. That is not a
// deadline met: the job did not complete.
TEST(CarbonAwareExecutor, AJobKilledByItsCheckpointSignalDidNotComplete) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(pause_resume(2h, kT0 + 6h), hourly({100, 500, 500, 100, 100, 500}));
  ASSERT_TRUE(sched) << sched.error().message;
  SimulatedJob job(clock, 2h);
  job.die_on_pause();
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  ASSERT_TRUE(rep.exit);
  EXPECT_EQ(rep.shell_status(), 128 + SIGUSR1);
  EXPECT_LT(rep.ended, kT0 + 6h);
  EXPECT_FALSE(rep.deadline_met);
  EXPECT_EQ(rep.deadline_summary(), "the job did not complete: the job was killed by SIGUSR1 after SIGUSR1");
}

// SIGTERM or SIGHUP while waiting: the run's status is 128 + that signal,
// not SIGINT's 130.
TEST(CarbonAwareExecutor, AnInterruptWhileWaitingEndsWithTheSignalReceived) {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sig);
    FakeClock clock(kT0);
    auto sched = ExecutionSchedule::make(flexible_start(1h, kT0 + 3h), hourly({500, 400, 100, 100}));
    ASSERT_TRUE(sched) << sched.error().message;
    SimulatedJob job(clock, 1h);
    job.interrupt(sig);
    const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
    EXPECT_EQ(job.starts(), 0);
    EXPECT_TRUE(rep.interrupted);
    EXPECT_FALSE(rep.exit);
    EXPECT_EQ(rep.interrupt_signal, sig);
    EXPECT_EQ(rep.shell_status(), 128 + sig);
    EXPECT_NE(rep.deadline_summary().find("did not complete: interrupted by " + signal_name(sig)), std::string::npos)
        << rep.deadline_summary();
  }
}

// A stream that takes `room` characters and then fails, as stderr does once
// its pipe's reader has gone; it counts the attempts after that.
class FailingBuf final : public std::streambuf {
 public:
  explicit FailingBuf(size_t room) : room_(room) {}
  size_t writes_after_failure = 0;
  std::string text;

 protected:
  int_type overflow(int_type c) override {
    if (text.size() >= room_) {
      ++writes_after_failure;
      return traits_type::eof();
    }
    text += traits_type::to_char_type(c);
    return c;
  }

 private:
  size_t room_;
};

TEST(CarbonAwareExecutor, AFailingStatusStreamStopsTheStatusLinesNotTheRun) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(pause_resume(2h, kT0 + 6h), hourly({500, 100, 400, 120, 500, 500}));
  ASSERT_TRUE(sched) << sched.error().message;
  SimulatedJob job(clock, 2h);
  FailingBuf buf(40);
  std::ostream status(&buf);
  ExecutorOptions o;
  o.status = &status;
  o.live = true;
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, o);
  ASSERT_TRUE(rep.exit);
  EXPECT_EQ(rep.shell_status(), 0);
  EXPECT_EQ(job.done(), 2h);
  EXPECT_EQ(rep.events.size(), 5u);  // wait, start, pause, resume, exit: all recorded
  EXPECT_EQ(buf.text.size(), 40u);
  EXPECT_EQ(buf.writes_after_failure, 1u) << "status output went on after a failed write";
}

TEST(CarbonAwareExecutor, AJobRunningLongerThanExpectedIsNeverPausedPastItsEstimate) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(pause_resume(1h, kT0 + 4h), hourly({500, 100, 500, 500, 100}));
  ASSERT_TRUE(sched);
  SimulatedJob job(clock, 3h);  // three times slower than expected
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  EXPECT_EQ(job.done(), 3h);
  EXPECT_EQ(rep.ended, kT0 + 4h);  // waited 1 h, then ran 3 h without pause
  EXPECT_TRUE(rep.guard_engaged);
}

TEST(CarbonAwareExecutor, ARefusedPauseRunsTheJobToTheEndAndSaysSo) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(pause_resume(2h, kT0 + 6h), hourly({100, 500, 500, 100, 500, 500}));
  ASSERT_TRUE(sched);
  SimulatedJob job(clock, 2h);
  job.refuse_pauses();
  const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
  EXPECT_EQ(rep.ended, kT0 + 2h);
  ASSERT_FALSE(rep.warnings.empty());
  EXPECT_EQ(rep.warnings[0], "refused");
}

TEST(CarbonAwareExecutor, ANewForecastIsPlannedOn) {
  FakeClock clock(kT0);
  auto sched = ExecutionSchedule::make(pause_resume(1h, kT0 + 4h), hourly({500, 500, 500, 100}));
  ASSERT_TRUE(sched);
  QueuedForecasts source;
  source.queue.push_back(hourly({500, 100, 500, 500}));  // polled at T0 + 15 min
  SimulatedJob job(clock, 1h);
  const auto rep = execute(clock, *sched, job, nullptr, &source, {});
  EXPECT_GE(rep.replans, 1u);
  ASSERT_FALSE(rep.segments.empty());
  EXPECT_EQ(rep.segments.front().start, kT0 + 1h);
  EXPECT_EQ(rep.ended, kT0 + 2h);
}

TEST(CarbonAwareExecutor, ARePlanNeverPausesARunningJobBeforeItsMinimumSegment) {
  // Clean now: the job starts. The forecast polled at T0 + 15 min makes the
  // next two hours dirty; the re-plan would pause at once, but a restarted
  // checkpoint job needs 30 minutes of work before it can be signalled.
  FakeClock clock(kT0);
  auto req = pause_resume(1h, kT0 + 5h);
  req.min_segment = 30min;
  auto sched = ExecutionSchedule::make(req, hourly({100, 500, 500, 500, 100}));
  ASSERT_TRUE(sched);
  QueuedForecasts source;
  source.queue.push_back(hourly({900, 900, 100, 100, 100}, kT0 + 15min));
  SimulatedJob job(clock, 1h);
  const auto rep = execute(clock, *sched, job, nullptr, &source, {});
  EXPECT_GE(rep.replans, 1u);
  ASSERT_FALSE(rep.segments.empty());
  ASSERT_TRUE(rep.segments.front().running);
  EXPECT_EQ(rep.segments.front().start, kT0);
  EXPECT_GE(rep.segments.front().end, kT0 + 30min) << "paused before the minimum segment";
  EXPECT_TRUE(rep.deadline_met);
}

TEST(CarbonAwareExecutor, APausedJobStaysPausedForTheMinimumPause) {
  // The plan runs hour 0 and hour 4. At T0 + 75 min (the fifth poll) a new
  // forecast makes hour 2 clean: the re-plan would resume at T0 + 2h, one
  // hour into the pause; a 90-minute minimum pause holds it until T0 + 2h30.
  FakeClock clock(kT0);
  auto req = pause_resume(2h, kT0 + 7h);
  req.min_pause = 90min;
  const auto first = hourly({100, 900, 900, 900, 100, 100, 100});
  auto sched = ExecutionSchedule::make(req, first);
  ASSERT_TRUE(sched);
  QueuedForecasts source;
  for (int i = 0; i < 4; ++i) source.queue.push_back(first);
  source.queue.push_back(hourly({100, 900, 100, 100, 100, 100, 100}));
  SimulatedJob job(clock, 2h);
  const auto rep = execute(clock, *sched, job, nullptr, &source, {});
  std::vector<RunSegment> ran;
  for (const auto& seg : rep.segments)
    if (seg.running) ran.push_back(seg);
  ASSERT_EQ(ran.size(), 2u);
  EXPECT_EQ(ran[0].end, kT0 + 1h);
  EXPECT_GE(ran[1].start, kT0 + 2h + 30min) << "resumed before the minimum pause";
  EXPECT_LT(ran[1].start, kT0 + 4h) << "the new forecast was not used";
  EXPECT_TRUE(rep.deadline_met);
}

TEST(CarbonAwareExecutor, AnImpossibleDeadlineIsAnErrorBeforeAnythingRuns) {
  auto sched = ExecutionSchedule::make(pause_resume(5h, kT0 + 4h), hourly({1, 2, 3, 4, 5}));
  ASSERT_FALSE(sched);
  EXPECT_NE(sched.error().message.find("cannot meet the deadline"), std::string::npos) << sched.error().message;
}

TEST(CarbonAwareExecutor, PropertyPerfectForecastRealisesThePlannedEmissions) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 150; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto truth = random_hourly(rng, 36, kT0);
    const Duration expected = std::chrono::minutes(15) * std::uniform_int_distribution<int>(1, 40)(rng);
    const Duration slack = std::chrono::minutes(15) * std::uniform_int_distribution<int>(0, 60)(rng);
    const bool flexible = iter % 3 == 0;
    ScheduleRequest r = pause_resume(expected, kT0 + expected + slack);
    if (flexible) {
      r.mode = Mode::kFlexibleStart;
      r.latest_start = kT0 + slack;
    }
    auto sched = ExecutionSchedule::make(r, truth);
    ASSERT_TRUE(sched) << sched.error().message;
    FakeClock clock(kT0);
    SimulatedJob job(clock, expected);
    ModelMeter meter(clock, job);
    const auto rep = execute(clock, *sched, job, &meter, nullptr, {});
    ASSERT_TRUE(rep.exit);
    EXPECT_EQ(job.done(), expected);
    EXPECT_TRUE(rep.deadline_met);
    EXPECT_NEAR(rep.emissions.grams(), sched->initial_plan().emissions.grams(),
                1e-9 * std::max(1.0, rep.emissions.grams()));
    EXPECT_NEAR(rep.at_once.grams(), sched->initial_plan().baseline.grams(),
                1e-9 * std::max(1.0, rep.at_once.grams()));
    EXPECT_LE(rep.emissions, rep.at_once + Mass::grams(1e-9));
    EXPECT_EQ(rep.replans, 0u);
  }
}

TEST(CarbonAwareExecutor, PropertyTheDeadlineHoldsWhateverTheForecastError) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 150; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto truth = random_hourly(rng, 40, kT0);
    const Duration expected = std::chrono::minutes(std::uniform_int_distribution<int>(5, 600)(rng));
    const Duration slack = std::chrono::minutes(std::uniform_int_distribution<int>(0, 900)(rng));
    const Duration margin = std::chrono::seconds(std::uniform_int_distribution<int>(0, 600)(rng));
    const UtcTime deadline = kT0 + expected + slack + margin;
    ScheduleRequest r = pause_resume(expected, deadline, margin);
    const int kind = iter % 3;
    if (kind == 1) {
      r.mode = Mode::kThreshold;
      scheduling::ThresholdOptions t;
      if (iter % 2) t.absolute = CarbonIntensity::grams_per_kwh(200);
      else t.percentile = 30;
      t.decision_interval = std::chrono::minutes(std::uniform_int_distribution<int>(1, 30)(rng));
      r.threshold = t;
    }
    auto sched = ExecutionSchedule::make(r, perturbed(truth, rng, 0.5));
    ASSERT_TRUE(sched) << sched.error().message;
    QueuedForecasts source;  // forecasts that change at each refresh
    for (int k = 0; k < 40; ++k) source.queue.push_back(perturbed(truth, rng, 0.5));
    // The job takes at most its expected time (faster jobs end sooner).
    const double speed = std::uniform_real_distribution<double>(0.3, 1.0)(rng);
    const Duration actual = std::max(Duration(1000), std::chrono::duration_cast<Duration>(expected * speed));
    FakeClock clock(kT0);
    SimulatedJob job(clock, actual);
    ExecutorOptions o;
    o.forecast_refresh = std::chrono::minutes(std::uniform_int_distribution<int>(5, 90)(rng));
    const auto rep = execute(clock, *sched, job, nullptr, &source, o);
    ASSERT_TRUE(rep.exit);
    EXPECT_EQ(job.done(), actual);
    EXPECT_LE(rep.ended, deadline - margin) << "expected " << format_duration(expected) << " actual "
                                           << format_duration(actual) << " slack " << format_duration(slack);
    EXPECT_TRUE(rep.deadline_met);
  }
}

TEST(CarbonAwareExecutor, PropertyASlowerJobIsLateByNoMoreThanItsOverrun) {
  const unsigned seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 100; ++iter) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const auto truth = random_hourly(rng, 60, kT0);
    const Duration expected = std::chrono::minutes(std::uniform_int_distribution<int>(5, 600)(rng));
    const UtcTime deadline = kT0 + expected + std::chrono::minutes(std::uniform_int_distribution<int>(0, 900)(rng));
    auto sched = ExecutionSchedule::make(pause_resume(expected, deadline), perturbed(truth, rng, 0.3));
    ASSERT_TRUE(sched) << sched.error().message;
    const Duration actual =
        std::chrono::duration_cast<Duration>(expected * std::uniform_real_distribution<double>(1.0, 2.0)(rng));
    FakeClock clock(kT0);
    SimulatedJob job(clock, actual);
    const auto rep = execute(clock, *sched, job, nullptr, nullptr, {});
    EXPECT_LE(rep.ended, deadline + (actual - expected));
  }
}

TEST(ScheduleEmissions, AtOnceMovesRunningEnergyToTheStartAndKeepsPausedEnergyOut) {
  const auto s = hourly({100, 200, 300, 400});
  // Ran 1 h from T0+2h at 1 kW, paused 1 h using 0.1 kWh before that.
  std::vector<RunSegment> segs = {{kT0 + 1h, kT0 + 2h, Energy::kilowatt_hours(0.1), false},
                                  {kT0 + 2h, kT0 + 3h, Energy::kilowatt_hours(1), true}};
  const auto e = schedule_emissions(segs, s, kT0);
  EXPECT_NEAR(e.realised.grams(), 20 + 300, 1e-9);
  EXPECT_NEAR(e.at_once.grams(), 100, 1e-9);
  EXPECT_DOUBLE_EQ(e.coverage, 1.0);
}

}  // namespace
}  // namespace greenrun::runner
