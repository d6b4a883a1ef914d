// Replay benchmarks (figures in docs/benchmarks.md, "Replaying a job log"):
//  - BM_ReplayYear/0: a year (DE 2022, hourly) of 3,387 jobs (seeded: submit
//    uniform over the year, 10 min to 12 h, 100 W to 2 kW) under 15
//    settings: 5 rules (slack 2h, 6h, 12h, within 24h, next working day
//    09:00 Berlin) x 3 planners (Flexible Start, Pause and Resume, Pause and
//    Resume with 5 min overhead), perfect forecast.
//  - BM_ReplayYear/1: the same 15 settings with 10 % forecast error (one
//    seed; each setting is also replayed on the actuals for the saving lost).
//  - BM_ReplayYear/2: the same log under the threshold policy (p30 of the
//    last 24 h, a decision every 5 minutes) for the 5 rules.
//  - BM_NightlyWindows: a year of nightly 3 h jobs (daily@01:00 Berlin) at
//    every window from 0 to +-8 h (around:0h .. around:8h), Flexible Start
//    and Pause and Resume: one zone.
// Each reports CPU seconds per iteration (the process's user + system time).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>
#include <random>

#include "greenrun/scheduling/replay.h"
#include "intensity/importers/importer.h"

namespace {

using namespace greenrun;
using namespace greenrun::scheduling;

const intensity::IntensitySeries& de_2022() {
  static const intensity::IntensitySeries s = [] {
    const auto path = std::filesystem::path(GREENRUN_SHARED_DATA) /
                      "electricitymaps-hourly" /
                      "green-dcc/DE-LU_2022_hourly.csv";
    auto r = intensity::import_file(path.string(), {});
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      std::exit(1);
    }
    return r->series.front();
  }();
  return s;
}

const TimeZone& berlin() {
  static const TimeZone tz =
      TimeZone::load("Europe/Berlin").value_or(TimeZone::utc());
  return tz;
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

JobLog year_log() {
  std::mt19937 rng(3387);
  std::uniform_int_distribution<int64_t> minute(0, 350LL * 24 * 60);
  std::uniform_int_distribution<int> dur(10, 12 * 60), watts(100, 2000);
  JobLog log;
  log.name = "year";
  const UtcTime t0 = *parse_utc("2022-01-02T00:00:00Z");
  for (int i = 0; i < 3387; ++i) {
    LoggedJob j;
    j.id = std::to_string(i);
    j.line = static_cast<size_t>(i) + 2;
    j.submit = t0 + std::chrono::minutes(minute(rng));
    j.duration = std::chrono::minutes(dur(rng));
    j.power = Power::watts(watts(rng));
    log.jobs.push_back(j);
  }
  return log;
}

void BM_ReplayYear(benchmark::State& state) {
  const auto& actual = de_2022();
  const JobLog log = year_log();
  ReplayOptions o;
  o.tz = berlin();
  o.keep_jobs = false;
  const double error = state.range(0) == 1 ? 0.1 : 0.0;
  for (const char* rule : {"slack:2h", "slack:6h", "slack:12h", "within:24h",
                           "next-workday@09:00"})
    for (int k = 0; k < 3; ++k) {
      ReplaySetting s;
      s.rule = *parse_job_rule(rule, o.tz);
      if (state.range(0) == 2) {
        if (k > 0) break;
        s.policy = Policy::kThreshold;
        s.threshold.percentile = 30;
        o.settings.push_back(s);
        continue;
      }
      s.policy = k == 0 ? Policy::kFlexibleStart : Policy::kPauseResume;
      if (k == 2) s.overhead.time = std::chrono::minutes(5);
      s.error = error;
      o.settings.push_back(s);
    }
  uint64_t plans = 0;
  double cpu = 0;
  for (auto _ : state) {
    const double c0 = process_cpu_s();
    auto r = replay_jobs(actual, log, o);
    cpu += process_cpu_s() - c0;
    if (!r)
      state.SkipWithError(r.error().message.c_str());
    else
      plans = r->plans;
    benchmark::DoNotOptimize(r);
  }
  state.counters["plans"] = static_cast<double>(plans);
  state.counters["cpu_s_per_iter"] =
      cpu / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReplayYear)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_NightlyWindows(benchmark::State& state) {
  const auto& actual = de_2022();
  const TimeZone& tz = berlin();
  JobLog log;
  log.name = "nightly";
  const auto nightly = *parse_start_schedule("daily@01:00");
  for (UtcTime t : schedule_times(nightly, *parse_utc("2022-01-02T00:00:00Z"),
                                  *parse_utc("2022-12-30T00:00:00Z"), tz)) {
    LoggedJob j;
    j.id = std::to_string(log.jobs.size());
    j.submit = t;
    j.duration = std::chrono::hours(3);
    j.power = Power::watts(1000);
    log.jobs.push_back(j);
  }
  ReplayOptions o;
  o.tz = tz;
  o.keep_jobs = false;
  for (int h = 0; h <= 8; ++h)
    for (Policy p : {Policy::kFlexibleStart, Policy::kPauseResume}) {
      ReplaySetting s;
      s.policy = p;
      s.rule = *parse_job_rule("around:" + std::to_string(h) + "h", tz);
      o.settings.push_back(s);
    }
  double cpu = 0;
  uint64_t plans = 0;
  for (auto _ : state) {
    const double c0 = process_cpu_s();
    auto r = replay_jobs(actual, log, o);
    cpu += process_cpu_s() - c0;
    if (!r)
      state.SkipWithError(r.error().message.c_str());
    else
      plans = r->plans;
    benchmark::DoNotOptimize(r);
  }
  state.counters["plans"] = static_cast<double>(plans);
  state.counters["cpu_s_per_iter"] =
      cpu / static_cast<double>(state.iterations());
}
BENCHMARK(BM_NightlyWindows)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
