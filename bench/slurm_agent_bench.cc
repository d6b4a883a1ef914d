// The Slurm agent's pass over a large queue: 10,000 pending opted-in jobs
// (squeue --json text -> parse -> a forecast per zone from a real store ->
// engine::decide_batch_job per job -> scontrol calls to a fake runner).
// Target (docs/benchmarks.md): a pass re-plans 10,000 jobs in < 1 s.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "greenrun/base/clock.h"
#include "intensity/store.h"
#include "slurm/agent.h"

namespace greenrun::slurm {
namespace {

class OkRunner final : public CommandRunner {
 public:
  std::string json;
  size_t calls = 0;
  CommandResult run(const std::vector<std::string>& argv) override {
    ++calls;
    return {0, argv[0] == "squeue" ? json : "", ""};
  }
};

// 10,000 pending jobs, each opted in with its own deadline 1-24 h ahead and
// a 10 min - 4 h time limit; seed printed.
std::string queue_json(int n, int64_t now_s, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s = "{\"jobs\":[";
  for (int i = 0; i < n; ++i) {
    const int64_t limit_min = 10 + static_cast<int64_t>(rng() % 230);
    const int64_t deadline = now_s + 3600 + static_cast<int64_t>(rng() % (23 * 3600));
    if (i) s += ",";
    s += "{\"job_id\":" + std::to_string(1000 + i) +
         ",\"job_state\":\"PENDING\",\"state_reason\":\"BeginTime\",\"comment\":\"greenrun:deadline=" +
         std::to_string(deadline) + "\",\"start_time\":" + std::to_string(now_s + 60) +
         ",\"suspend_time\":0,\"pre_sus_time\":0,\"time_limit\":" + std::to_string(limit_min) + ",\"deadline\":" +
         std::to_string(deadline) + "}";
  }
  return s + "]}";
}

void BM_AgentPassTenThousandPendingJobs(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("greenrun-agent-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string store = (dir / "greenrun.db").string();
  // A 5-minute forecast over the next 26 h for zone DE (a daily wave).
  const UtcTime now = std::chrono::floor<std::chrono::minutes>(SystemClock().utc_now());
  intensity::IntensitySeries f("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  for (int k = 0; k < 26 * 12; ++k)
    (void)f.append(now + std::chrono::minutes(5 * k), std::chrono::minutes(5),
                   CarbonIntensity::grams_per_kwh(300 + 150 * std::sin(k * 6.2832 / 288.0) + (k % 7) * 3));
  (void)intensity::IntensityStore::open(store)->import({f});
  const unsigned seed = 20261207;
  OkRunner runner;
  runner.json = queue_json(10'000, std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(), seed);
  SlurmClient client(runner, 1, [](Duration) {});
  engine::Services services;
  services.store_path = store;
  AgentOptions options;
  options.zone = "DE";
  options.forecast.provider = "store";
  Agent agent(options, client, services, nullptr);
  size_t starts = 0;
  for (auto _ : state) {
    auto r = agent.tick(now + std::chrono::seconds(1));
    if (!r) state.SkipWithError(r.error().message.c_str());
    else starts += r->starts_set;
  }
  state.counters["jobs"] = 10'000;
  state.counters["starts_set_per_pass"] = static_cast<double>(starts) / static_cast<double>(state.iterations());
  state.SetLabel("seed " + std::to_string(seed));
  fs::remove_all(dir);
}
BENCHMARK(BM_AgentPassTenThousandPendingJobs)->Unit(benchmark::kMillisecond)->Iterations(5)->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace greenrun::slurm

BENCHMARK_MAIN();
