// Scheduling benchmarks (figures in docs/benchmarks.md, "Scheduling"):
//  - BM_FullStudy: 16 zone-years x 11 presets x 8 windows x both algorithms,
//    every 5-minute start of a year. The shared data is hourly with 13
//    distinct zones: each hourly year is upsampled to 5 minutes (every value
//    repeated 12 times) and 3 zones contribute a second year (DE, GB and
//    US-CAL-CISO 2023) to make 16 series.
//  - BM_NaivePerStart: the straightforward per-start implementation (every
//    candidate by prefix sums; copy and sort the window) on one zone, the same
//    presets and windows, one start per day; its start-evaluations per second
//    against BM_FullStudy's give the speed-up.
//  - BM_KernelPauseResume, BM_KernelFlexible: one kernel, one series, every
//    start (nanoseconds per start).
//  - BM_PlanWeek: plan_regions with both modes (Pause and Resume by dynamic
//    programming, 2 min pause overhead) over a week of 5-minute forecast.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <filesystem>
#include <numeric>

#include "greenrun/scheduling/study.h"
#include "intensity/importers/importer.h"
#include "scheduling/region_planner.h"
#include "scheduling/study_sweep.h"

namespace {

using namespace greenrun;
using namespace greenrun::scheduling;

const std::vector<intensity::IntensitySeries>& series_5min() {
  static const std::vector<intensity::IntensitySeries> all = [] {
    const std::filesystem::path root = std::filesystem::path(GREENRUN_SHARED_DATA) / "electricitymaps-hourly";
    const char* files[] = {
        "green-dcc/AU-NSW_2022_hourly.csv",      "green-dcc/CA-ON_2022_hourly.csv",
        "green-dcc/DE-LU_2022_hourly.csv",       "green-dcc/GB_2022_hourly.csv",
        "green-dcc/IN-WE_2022_hourly.csv",       "green-dcc/JP-TK_2022_hourly.csv",
        "green-dcc/SG_2022_hourly.csv",          "green-dcc/US-CAL-CISO_2022_hourly.csv",
        "green-dcc/US-MIDA-PJM_2022_hourly.csv", "green-dcc/US-NY-NYIS_2022_hourly.csv",
        "green-dcc/US-TEX-ERCO_2022_hourly.csv", "decarbonization-potential/ES_2022_hourly.csv",
        "decarbonization-potential/NO_2022_hourly.csv", "green-dcc/DE-LU_2023_hourly.csv",
        "green-dcc/GB_2023_hourly.csv",          "green-dcc/US-CAL-CISO_2023_hourly.csv"};
    std::vector<intensity::IntensitySeries> out;
    for (const char* f : files) {
      auto r = intensity::import_file((root / f).string(), {});
      if (!r) {
        std::fprintf(stderr, "%s\n", r.error().message.c_str());
        std::exit(1);
      }
      out.push_back(*r->series.front().resample(std::chrono::minutes(5)));
    }
    return out;
  }();
  return all;
}

// User + system CPU seconds of the whole process (all threads).
double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::vector<WindowSpec> windows() {
  std::vector<WindowSpec> w;
  for (const char* s : {"6h", "12h", "18h", "24h", "25%", "50%", "75%", "100%"}) w.push_back(*parse_window(s));
  return w;
}

void BM_FullStudy(benchmark::State& state) {
  const auto& s = series_5min();
  std::vector<StudyZone> zones;
  for (const auto& x : s) zones.push_back({x.zone(), &x});
  StudyOptions o;
  o.presets = *select_presets("all");
  o.windows = windows();
  o.algorithms = {Mode::kFlexibleStart, Mode::kPauseResume};
  o.starts = *parse_start_rule("every-step");
  o.threads = static_cast<unsigned>(state.range(0));
  uint64_t evals = 0;
  const double cpu0 = process_cpu_s();
  for (auto _ : state) {
    auto r = run_study(zones, o);
    if (!r) state.SkipWithError(r.error().message.c_str());
    evals += r->evaluations;
    benchmark::DoNotOptimize(r->rows.data());
  }
  state.counters["start_evals_per_s"] = benchmark::Counter(static_cast<double>(evals), benchmark::Counter::kIsRate);
  state.counters["start_evals"] = static_cast<double>(evals) / static_cast<double>(state.iterations());
  state.counters["cpu_s_all_threads"] = (process_cpu_s() - cpu0) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FullStudy)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1)->Repetitions(3);

void BM_NaivePerStart(benchmark::State& state) {
  const auto& x = series_5min()[2];  // DE 2022
  std::vector<double> v;
  for (size_t i = 0; i < x.size(); ++i) v.push_back(x.point(i).value.grams_per_kwh());
  const Duration step = std::chrono::minutes(5);
  const auto presets = *select_presets("all");
  const auto ws = windows();
  uint64_t evals = 0;
  for (auto _ : state) {
    for (const auto& p : presets)
      for (const auto& w : ws) {
        const auto W = static_cast<size_t>(w.resolve(p.duration) / step);
        const auto full = static_cast<size_t>(p.duration / step);
        const double frac = static_cast<double>((p.duration % step).count()) / static_cast<double>(step.count());
        std::vector<size_t> starts;
        for (size_t t = 0; t + W + full + 1 <= v.size(); t += 288) starts.push_back(t);
        benchmark::DoNotOptimize(naive_flexible(v, v, full, frac, W, starts).data());
        const Duration slot(std::gcd(step.count(), p.duration.count()));
        const auto g = static_cast<size_t>(step / slot);
        const auto vx = g > 1 ? repeat_slots(v, g) : v;
        const size_t K = static_cast<size_t>(p.duration / slot), wn = W * g + K;
        std::vector<size_t> sx;
        for (size_t t : starts)
          if (t * g + wn <= vx.size()) sx.push_back(t * g);
        benchmark::DoNotOptimize(naive_pause_resume(vx, vx, K, wn, sx).data());
        evals += starts.size() + sx.size();
      }
  }
  state.counters["start_evals_per_s"] = benchmark::Counter(static_cast<double>(evals), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NaivePerStart)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1)->Repetitions(3);

// One kernel over one 5-minute year (DE 2022), every start: the cost per
// start of each kernel. Arg: the job in minutes (360: whole steps; 18: the
// DenseNet case, q = 3 steps and 3 one-minute slots), window 24 h.
void BM_KernelPauseResume(benchmark::State& state) {
  const auto& x = series_5min()[2];
  std::vector<double> v;
  for (size_t i = 0; i < x.size(); ++i) v.push_back(x.point(i).value.grams_per_kwh());
  const SlotRanks ranks = rank_slots(v);
  const auto minutes = static_cast<size_t>(state.range(0));
  const size_t q = minutes / 5, part = minutes % 5, m = 288 + q;
  std::vector<size_t> starts;
  for (size_t t = 0; t + m + 1 <= v.size(); ++t) starts.push_back(t);
  SweepScratch scratch;
  std::vector<StartOutcome> out;
  for (auto _ : state) {
    if (part > 0)
      sweep_pause_resume_steps(v, ranks, q, part, 5, m, starts, scratch, out);
    else
      sweep_pause_resume(v, ranks, q, m, starts, scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_start"] = benchmark::Counter(
      static_cast<double>(starts.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_KernelPauseResume)->Arg(360)->Arg(18)->Unit(benchmark::kMillisecond);

void BM_KernelFlexible(benchmark::State& state) {
  const auto& x = series_5min()[2];
  std::vector<double> v;
  for (size_t i = 0; i < x.size(); ++i) v.push_back(x.point(i).value.grams_per_kwh());
  std::vector<size_t> starts;
  for (size_t t = 0; t + 288 + 72 + 1 <= v.size(); ++t) starts.push_back(t);
  SweepScratch scratch;
  std::vector<StartOutcome> out;
  for (auto _ : state) {
    sweep_flexible(v, v, 72, 0.0, 288, starts, scratch, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["ns_per_start"] = benchmark::Counter(
      static_cast<double>(starts.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_KernelFlexible)->Unit(benchmark::kMillisecond);

void BM_PlanWeek(benchmark::State& state) {
  const auto& x = series_5min()[3];  // GB 2022, 5-minute
  const UtcTime from = x.start() + std::chrono::days(150);
  const auto week = x.slice(from, from + std::chrono::days(7));
  const Job job = *Job::make(std::chrono::hours(6), PowerProfile::constant(Power::watts(300)));
  RegionRequest req;
  req.earliest = from;
  req.deadline = from + std::chrono::days(7);
  req.modes = {Mode::kFlexibleStart, Mode::kPauseResume};
  req.pause_resume.overhead.time = std::chrono::minutes(2);
  for (auto _ : state) {
    auto c = plan_regions({{"GB", &week}}, job, req);
    if (!c) state.SkipWithError(c.error().message.c_str());
    benchmark::DoNotOptimize(c->best_plan);
  }
}
BENCHMARK(BM_PlanWeek)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
