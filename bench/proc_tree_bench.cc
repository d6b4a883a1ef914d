// Process-tree sampling benchmarks (figures in docs/benchmarks.md, "One
// sample of a job tree"): the CPU cost of the procfs reads behind one sample,
// on the real /proc, with N idle processes beside the job (children of this
// program, not of the job, so outside its tree). Arguments:
//   others: idle processes beside the job (0 or 2000);
//   walk:   0 follows task/<tid>/children files (the default), 1 scans every
//           /proc/<pid>/stat (the fallback, and the only way before);
//   job:    processes in the job's tree: 1 (like `sleep 20`) or 9 (a root, 4
//           workers, each with a child).
//  - BM_TreeCpu: ProcReader::tree_cpu of the job's root.
//  - BM_Sample: one sample's procfs reads (tree_cpu + machine_cpu).
// The processes are forked before the benchmarks run and killed after; each
// child dies with its parent (PR_SET_PDEATHSIG).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sensors/proc_reader.h"

namespace {

using greenrun::sensors::ProcReader;
using greenrun::sensors::TreeWalk;

// Forks a process that sleeps until killed; it runs `body` first (which may
// fork its own children). Returns its pid, or exits when fork fails.
template <typename Body>
pid_t fork_idle(Body body) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    body();
    for (;;) ::pause();
  }
  return pid;
}

class Processes {
 public:
  ~Processes() {
    resize_idle(0);
    kill_job(single_);
    kill_job(tree_);
  }

  // Keeps exactly n idle processes beside the job.
  void resize_idle(size_t n) {
    while (idle_.size() < n) idle_.push_back(fork_idle([] {}));
    while (idle_.size() > n) {
      ::kill(idle_.back(), SIGKILL);
      ::waitpid(idle_.back(), nullptr, 0);
      idle_.pop_back();
    }
  }
  // The job: one process, or a root with 4 workers, each with a child.
  pid_t job(int size) {
    pid_t& root = size == 1 ? single_ : tree_;
    if (root == 0) {
      root = size == 1 ? fork_idle([] {}) : fork_idle([] {
        for (int i = 0; i < 4; ++i) fork_idle([] { fork_idle([] {}); });
      });
      // Wait until the whole tree exists before measuring.
      ProcReader reader;
      while (reader.tree_cpu(root).pids.size() < static_cast<size_t>(size))
        ::usleep(1000);
    }
    return root;
  }

 private:
  static void kill_job(pid_t& root) {
    if (root == 0) return;
    ::kill(root, SIGKILL);  // its descendants die with it (PR_SET_PDEATHSIG)
    ::waitpid(root, nullptr, 0);
    root = 0;
  }
  std::vector<pid_t> idle_;
  pid_t single_ = 0, tree_ = 0;
};

Processes& processes() {
  static Processes p;
  return p;
}

ProcReader reader_for(const benchmark::State& state) {
  return ProcReader("/proc", state.range(1) == 0 ? TreeWalk::kChildrenFiles
                                                 : TreeWalk::kScanAll);
}

void arguments(benchmark::internal::Benchmark* b) {
  b->ArgNames({"others", "walk", "job"});
  for (int64_t others : {0, 2000})
    for (int64_t walk : {0, 1})
      for (int64_t job : {1, 9}) b->Args({others, walk, job});
  b->Unit(benchmark::kMicrosecond);
}

void BM_TreeCpu(benchmark::State& state) {
  processes().resize_idle(static_cast<size_t>(state.range(0)));
  const pid_t root = processes().job(static_cast<int>(state.range(2)));
  const ProcReader reader = reader_for(state);
  size_t pids = 0;
  for (auto _ : state) {
    auto tree = reader.tree_cpu(root);
    pids = tree.pids.size();
    benchmark::DoNotOptimize(tree);
  }
  state.counters["tree_pids"] = static_cast<double>(pids);
}
BENCHMARK(BM_TreeCpu)->Apply(arguments);

void BM_Sample(benchmark::State& state) {
  processes().resize_idle(static_cast<size_t>(state.range(0)));
  const pid_t root = processes().job(static_cast<int>(state.range(2)));
  const ProcReader reader = reader_for(state);
  for (auto _ : state) {
    auto tree = reader.tree_cpu(root);
    auto machine = reader.machine_cpu();
    benchmark::DoNotOptimize(tree);
    benchmark::DoNotOptimize(machine);
  }
}
BENCHMARK(BM_Sample)->Apply(arguments);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  processes().resize_idle(0);
  return 0;
}
