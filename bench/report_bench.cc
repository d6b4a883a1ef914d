// HTML report benchmarks (issue 14; figures in docs/benchmarks.md, section
// "Reports"):
//   BM_HtmlReportSevenDays   `greenrun report --format html` for one run of 7
//                            days sampled every second (604,800 timeline.jsonl
//                            lines, cpu + dram + gpu), run_cli in-process with
//                            the store opened each time (target < 1 s); the
//                            counter html_bytes is the report's size (target
//                            < 2 MB)
//   BM_ReadTraceSevenDays    read_trace alone (parse + downsample)
//   BM_StatementSevenDays    `greenrun report --format text` (no timeline read)
//
// The run is built once per process in a temporary folder: its
// timeline.jsonl written with the runner's own line codec, its record
// inserted into a fresh store.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli.h"
#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/time_format.h"
#include "report/report_data.h"
#include "runner/run_store.h"

namespace {

namespace fs = std::filesystem;
using namespace greenrun;
using namespace std::chrono_literals;

constexpr size_t kSeconds = 7 * 24 * 3600;

struct Fixture {
  fs::path dir;
  std::string store;
  runner::RunRecord record;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture x;
    x.dir = fs::temp_directory_path() /
            ("greenrun-report-bench-" + std::to_string(::getpid()));
    fs::create_directories(x.dir);
    x.store = (x.dir / "greenrun.db").string();
    const UtcTime t0 = *parse_utc("2026-01-05T00:00:00Z");
    std::ofstream tl(x.dir / "timeline.jsonl", std::ios::binary);
    double cpu = 0, dram = 0, gpu = 0;
    for (size_t i = 0; i < kSeconds; ++i) {
      accounting::TimelineLine line;
      line.start = t0 + std::chrono::seconds(i);
      line.duration = 1s;
      const double wave = static_cast<double>((i * 7919) % 1000) / 1000.0;
      const double c = 40 + 60 * wave, d = 8 + wave,
                   g = (i / 3600) % 2 ? 250 + 50 * wave : 60;
      line.entries = {{"cpu", Energy::joules(c), Energy::joules(c / 2),
                       sensors::Method::kMeasured},
                      {"dram", Energy::joules(d), Energy::joules(d / 2),
                       sensors::Method::kEstimated},
                      {"gpu", Energy::joules(g), Energy::joules(g),
                       sensors::Method::kMeasured}};
      cpu += c / 2, dram += d / 2, gpu += g;
      tl << accounting::to_jsonl_line(line);
    }
    tl.close();
    auto& r = x.record;
    r.id = "20260105T000000Z-bench1";
    r.project = "bench";
    r.phase = "training";
    r.command = {"python3", "train.py"};
    r.started = t0;
    r.duration = std::chrono::seconds(kSeconds);
    r.ended = t0 + r.duration;
    r.zone = "DE";
    r.zone_source = "--zone";
    r.sensors = "rapl+nvml";
    r.intervals = kSeconds;
    r.out_dir = x.dir.string();
    r.components = {{sensors::Component::kCpu,
                     Energy::joules(2 * cpu),
                     Energy::joules(cpu),
                     sensors::Method::kMeasured,
                     {}},
                    {sensors::Component::kDram,
                     Energy::joules(2 * dram),
                     Energy::joules(dram),
                     sensors::Method::kEstimated,
                     {}},
                    {sensors::Component::kGpu,
                     Energy::joules(gpu),
                     Energy::joules(gpu),
                     sensors::Method::kMeasured,
                     {"gpu0"}}};
    auto store = runner::RunStore::open(x.store);
    if (!store) throw std::runtime_error(store.error().message);
    if (!store->insert(r)) throw std::runtime_error("insert failed");
    return x;
  }();
  return f;
}

void BM_HtmlReportSevenDays(benchmark::State& state) {
  const auto& f = fixture();
  size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out, err;
    if (cli::run_cli(
            {"greenrun", "--store", f.store, "report", "--format", "html"}, out,
            err) != 0)
      throw std::runtime_error(err.str());
    bytes = out.str().size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_HtmlReportSevenDays)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadTraceSevenDays(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto t = report::read_trace(f.record);
    if (t.samples != kSeconds) throw std::runtime_error("short read");
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ReadTraceSevenDays)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StatementSevenDays(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    std::ostringstream out, err;
    if (cli::run_cli({"greenrun", "--store", f.store, "report"}, out, err) != 0)
      throw std::runtime_error(err.str());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_StatementSevenDays)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
