// Run-store benchmarks (issue 9, item 3; figures in docs/benchmarks.md,
// section "Run store: runs summary and list"):
//   BM_CliRunsSummary100k   `greenrun runs summary` (run_cli in-process, store
//                           opened each time) over 100,000 stored runs (target
//                           < 200 ms)
//   BM_CliRunsSummaryByPhase100k  the same, `--by phase --project p3`
//   BM_StoreSummary100k     RunStore::summary alone, store open
//   BM_CliRunsList100k      `greenrun runs list` (the newest 50) over the same
//   store
//
// The store is built once per process in a temporary folder: 100,000 runs
// over 10 projects and 5 phases, one in ten carbon-aware (with a schedule
// section), inserted through RunStore::insert.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "cli.h"
#include "greenrun/base/time_format.h"
#include "runner/run_store.h"

namespace {

namespace fs = std::filesystem;
using namespace greenrun;

constexpr size_t kRuns = 100'000;

// A "schedule" section as the executor writes it (docs/execution.md), small.
constexpr const char* kSchedule =
    R"json({"mode":"flexible","forecast":{"label":"forecast from the store",)json"
    R"json("origin":"forecast"},"latest_start":"2026-03-02T10:00:00Z",)json"
    R"json("run_time_s":600.0,"waited_s":3600.0,"paused_s":0.0,"time_added_s":3600.0,)json"
    R"json("emissions_g":40.0,"at_once_g":55.0,"coverage":1.0,"deadline_met":true,)json"
    R"json("guard_engaged":false,"interrupted":false,"replans":0,"events":[]})json";

const std::string& store_path() {
  static const std::string path = [] {
    const fs::path dir = fs::temp_directory_path() /
                         ("greenrun-runs-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string p = (dir / "greenrun.db").string();
    auto store = runner::RunStore::open(p);
    if (!store) throw std::runtime_error(store.error().message);
    auto schedule = runner::schedule_summary_from_json(kSchedule);
    if (!schedule) throw std::runtime_error(schedule.error().message);
    const UtcTime t0 = *parse_utc("2026-01-01T00:00:00Z");
    for (size_t i = 0; i < kRuns; ++i) {
      runner::RunRecord r;
      r.started = t0 + std::chrono::minutes(i);
      r.ended = r.started + std::chrono::minutes(10);
      r.duration = std::chrono::minutes(10);
      r.id = runner::make_run_id(r.started, static_cast<unsigned>(i));
      r.project = "p" + std::to_string(i % 10);
      r.phase = "phase" + std::to_string(i % 5);
      r.command = {"python3", "train.py", "--seed", std::to_string(i)};
      r.zone = "DE";
      r.zone_source = "--zone";
      r.sensors = "rapl+nvml";
      const double j = 1000.0 + static_cast<double>(i % 97);
      r.components.push_back({sensors::Component::kCpu,
                              Energy::joules(2 * j),
                              Energy::joules(j),
                              i % 7 == 0 ? sensors::Method::kEstimated
                                         : sensors::Method::kMeasured,
                              {"package-0"}});
      r.components.push_back({sensors::Component::kGpu,
                              Energy::joules(4 * j),
                              Energy::joules(4 * j),
                              sensors::Method::kMeasured,
                              {"gpu0"}});
      if (i % 13 != 0)
        r.average = runner::EmissionsFigure{
            "average-lifecycle", Mass::grams(j / 1000),
            CarbonIntensity::grams_per_kwh(380), "store: DE", 1.0};
      if (i % 10 == 0) r.schedule = *schedule;
      if (auto ok = store->insert(r); !ok)
        throw std::runtime_error(ok.error().message);
    }
    return p;
  }();
  return path;
}

void cli(benchmark::State& state, std::vector<std::string> args) {
  args.insert(args.begin(), {"greenrun", "--store", store_path()});
  for (auto _ : state) {
    std::ostringstream out, err;
    if (cli::run_cli(args, out, err) != 0) {
      state.SkipWithError(err.str().c_str());
      break;
    }
    benchmark::DoNotOptimize(out.str());
  }
}

void BM_CliRunsSummary100k(benchmark::State& state) {
  cli(state, {"runs", "summary"});
}
BENCHMARK(BM_CliRunsSummary100k)->Unit(benchmark::kMillisecond);

void BM_CliRunsSummaryByPhase100k(benchmark::State& state) {
  cli(state, {"runs", "summary", "--by", "phase", "--project", "p3"});
}
BENCHMARK(BM_CliRunsSummaryByPhase100k)->Unit(benchmark::kMillisecond);

void BM_StoreSummary100k(benchmark::State& state) {
  auto store = runner::RunStore::open(store_path());
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto groups = store->summary("project");
    if (!groups || groups->size() != 10) {
      state.SkipWithError("summary failed");
      break;
    }
    benchmark::DoNotOptimize(groups);
  }
}
BENCHMARK(BM_StoreSummary100k)->Unit(benchmark::kMillisecond);

void BM_CliRunsList100k(benchmark::State& state) {
  cli(state, {"runs", "list"});
}
BENCHMARK(BM_CliRunsList100k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
