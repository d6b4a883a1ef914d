// Import and series benchmarks (issue 2, Performance; figures in
// docs/benchmarks.md, section "Intensity store and import"):
//   BM_CliImportFiveMinuteYear   `greenrun intensity import` (run_cli in-process) of a
//                                year of 5-minute Electricity Maps CSV into a fresh store
//                                (target < 100 ms)
//   BM_CliReimportFiveMinuteYear the same file into a store that already holds it (idempotent path)
//   BM_CliImportAllHourly        all 26 files of electricitymaps-hourly in one command (target < 1 s)
//   BM_StoreLoadFiveMinuteYear   IntensityStore::load of the whole year
//   BM_MeanRandomWindows         IntensitySeries::mean over random windows (target >= 1e6/s)
//   BM_SeriesMemoryFiveMinuteYear memory_bytes of a year of 5-minute points (target <= 4 MB)
//
// The 5-minute file is generated from the real hourly GB 2023 file in
// ../shared/data (each hour becomes 12 rows with the hour's values), into a
// temporary folder. Benchmarks that need the shared data skip with a message.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cli.h"
#include "greenrun/base/text_reader.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"

namespace {

namespace fs = std::filesystem;
using namespace greenrun;

fs::path shared_hourly() {
  if (const char* env = std::getenv("GREENRUN_SHARED_DATA")) return fs::path(env) / "electricitymaps-hourly";
  return fs::path(GREENRUN_SHARED_DATA) / "electricitymaps-hourly";
}

fs::path bench_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("greenrun-import-bench-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// A year of 5-minute rows made from an hourly file: "HH:00:00" -> "HH:MM:00".
// The name ends in _5_minute.csv so the importer takes a 5-minute step.
const fs::path& five_minute_file() {
  static const fs::path out = [] {
    const fs::path src = shared_hourly() / "green-dcc" / "GB_2023_hourly.csv";
    const fs::path dst = bench_dir() / "GB_2023_5_minute.csv";
    auto text = read_file(src.string());
    if (!text) return fs::path();
    std::ofstream f(dst, std::ios::binary);
    LineReader lines(*text);
    std::string_view line;
    bool header = true;
    while (lines.next(line)) {
      if (header || line.size() < 19) {
        f << line << '\n';
        header = false;
        continue;
      }
      std::string row(line);
      for (int m = 0; m < 60; m += 5) {
        row[14] = static_cast<char>('0' + m / 10);
        row[15] = static_cast<char>('0' + m % 10);
        f << row << '\n';
      }
    }
    return dst;
  }();
  return out;
}

std::vector<std::string> all_hourly_files() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const char* sub : {"green-dcc", "decarbonization-potential"})
    for (const auto& e : fs::directory_iterator(shared_hourly() / sub, ec)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

void remove_store(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}

int cli(std::vector<std::string> args, std::string& err_text) {
  std::ostringstream out, err;
  const int code = cli::run_cli(args, out, err);
  err_text = err.str();
  return code;
}

void BM_CliImportFiveMinuteYear(benchmark::State& state) {
  const fs::path& file = five_minute_file();
  if (file.empty()) return state.SkipWithError("needs ../shared/data (set GREENRUN_SHARED_DATA)");
  const std::string store = (bench_dir() / "five.db").string();
  std::string err;
  for (auto _ : state) {
    state.PauseTiming();
    remove_store(store);
    state.ResumeTiming();
    if (cli({"greenrun", "--store", store, "intensity", "import", file.string()}, err) != 0)
      return state.SkipWithError(err.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 105'120);
}
BENCHMARK(BM_CliImportFiveMinuteYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_CliReimportFiveMinuteYear(benchmark::State& state) {
  const fs::path& file = five_minute_file();
  if (file.empty()) return state.SkipWithError("needs ../shared/data (set GREENRUN_SHARED_DATA)");
  const std::string store = (bench_dir() / "five-again.db").string();
  remove_store(store);
  std::string err;
  if (cli({"greenrun", "--store", store, "intensity", "import", file.string()}, err) != 0)
    return state.SkipWithError(err.c_str());
  for (auto _ : state) {
    if (cli({"greenrun", "--store", store, "intensity", "import", file.string()}, err) != 0)
      return state.SkipWithError(err.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 105'120);
}
BENCHMARK(BM_CliReimportFiveMinuteYear)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_CliImportAllHourly(benchmark::State& state) {
  const auto files = all_hourly_files();
  if (files.size() != 26) return state.SkipWithError("needs the 26 files of ../shared/data/electricitymaps-hourly");
  const std::string store = (bench_dir() / "hourly.db").string();
  std::vector<std::string> args{"greenrun", "--store", store, "intensity", "import"};
  args.insert(args.end(), files.begin(), files.end());
  std::string err;
  for (auto _ : state) {
    state.PauseTiming();
    remove_store(store);
    state.ResumeTiming();
    if (cli(args, err) != 0) return state.SkipWithError(err.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 26 * 8760);
}
BENCHMARK(BM_CliImportAllHourly)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// A year of 5-minute points as the importer builds it.
const intensity::IntensitySeries* five_minute_series() {
  static const std::optional<intensity::IntensitySeries> s = []() -> std::optional<intensity::IntensitySeries> {
    const fs::path& file = five_minute_file();
    if (file.empty()) return std::nullopt;
    auto r = intensity::import_file(file.string(), {});
    if (!r || r->series.size() != 1) return std::nullopt;
    return std::move(r->series.front());
  }();
  return s ? &*s : nullptr;
}

void BM_StoreLoadFiveMinuteYear(benchmark::State& state) {
  const auto* series = five_minute_series();
  if (!series) return state.SkipWithError("needs ../shared/data (set GREENRUN_SHARED_DATA)");
  const std::string path = (bench_dir() / "load.db").string();
  remove_store(path);
  auto store = intensity::IntensityStore::open(path);
  if (!store || !store->import({*series})) return state.SkipWithError("import failed");
  const intensity::SeriesKey key{series->zone(), series->signal(), series->origin()};
  size_t bytes = 0;
  for (auto _ : state) {
    auto loaded = store->load(key, series->start(), series->end());
    if (!loaded || loaded->size() != series->size()) return state.SkipWithError("load failed");
    bytes = loaded->memory_bytes();
    benchmark::DoNotOptimize(loaded);
  }
  state.counters["loaded_MB"] = static_cast<double>(bytes) / 1e6;
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(series->size()));
}
BENCHMARK(BM_StoreLoadFiveMinuteYear)->Unit(benchmark::kMillisecond);

void BM_MeanRandomWindows(benchmark::State& state) {
  const auto* series = five_minute_series();
  if (!series) return state.SkipWithError("needs ../shared/data (set GREENRUN_SHARED_DATA)");
  // Windows from one minute to one week at arbitrary millisecond offsets.
  std::mt19937_64 rng(42);
  const int64_t lo = series->start().time_since_epoch().count();
  const int64_t span = (series->end() - series->start()).count();
  constexpr size_t kWindows = 1 << 16;
  std::vector<std::pair<UtcTime, UtcTime>> windows(kWindows);
  for (auto& w : windows) {
    const int64_t len = 60'000 + static_cast<int64_t>(rng() % (7ull * 86'400'000));
    const int64_t a = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(span - len));
    w = {UtcTime(Duration(a)), UtcTime(Duration(a + len))};
  }
  size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    const auto& w = windows[i++ & (kWindows - 1)];
    auto m = series->mean(w.first, w.second);
    sum += m ? m->grams_per_kwh() : 0;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_MeanRandomWindows);

void BM_SeriesMemoryFiveMinuteYear(benchmark::State& state) {
  const auto* series = five_minute_series();
  if (!series) return state.SkipWithError("needs ../shared/data (set GREENRUN_SHARED_DATA)");
  size_t bytes = 0;
  for (auto _ : state) benchmark::DoNotOptimize(bytes = series->memory_bytes());
  state.counters["points"] = static_cast<double>(series->size());
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["bytes_per_point"] = static_cast<double>(bytes) / static_cast<double>(series->size());
}
BENCHMARK(BM_SeriesMemoryFiveMinuteYear)->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(bench_dir(), ec);
  return 0;
}
