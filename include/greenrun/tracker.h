// engine::Tracker: measures the calling process (and the processes it
// forks, such as DataLoader workers) from start() to stop() — the engine
// operation behind the Python module's `greenrun.track`, where engine::run
// measures a child command. Same sensors, same Sampler, same location policy
// and the same record writer as `greenrun run` (engine/run_recording.h), so
// the run lands in the same store and `greenrun runs list` shows it.
//
// On top of a plain run it keeps, in run.json's "tracker" section
// (docs/python.md): phases (named windows that may overlap, each with the
// job energy of the intervals it overlaps, shared by time), marks written to
// the timeline line of the interval they fall in, epochs with a prediction
// of the whole job (greenrun/prediction.h) compared with the outcome, an
// emissions budget, and the rank on a multi-process job.
//
// Ranks (RANK / LOCAL_RANK / WORLD_SIZE, else SLURM_PROCID / SLURM_LOCALID /
// SLURM_NTASKS): every rank attributes to itself the share of CPU and DRAM
// energy its process tree used, and records it; the whole node's energy is
// recorded by LOCAL_RANK 0 only, so a sum over ranks counts the node once.
//
// Threads: start() launches one sampling thread (plain C++, no Python); the
// public methods may be called from any thread and serialise on a mutex,
// held for one sample at a time. `on_sample` is called on the sampling
// thread, without the mutex held.
//
// fork: a child process (DataLoader workers) inherits the object but not the
// thread; in a process other than the one that called start(), every method
// is a no-op that never takes the mutex (it may have been held at the fork),
// so a child neither double-counts nor deadlocks; the parent counts the
// child's CPU time as part of its own tree.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/prediction.h"

namespace greenrun::engine {

struct RankInfo {
  int rank = 0;
  int local_rank = 0;
  int world_size = 1;
  std::string source;  // "RANK/LOCAL_RANK", "SLURM_PROCID/SLURM_LOCALID", "" (one process)
  // From `env` (null: the process environment). Error: a variable that is
  // not a non-negative integer (names it).
  [[nodiscard]] static Result<RankInfo> from_environment(
      const std::function<std::optional<std::string>(std::string_view)>& env = nullptr);
};

struct TrackRequest {
  std::optional<std::string> zone;
  std::optional<std::string> region;  // "aws:eu-central-1"
  std::string project;
  std::string phase;
  Duration interval = std::chrono::seconds(1);
  std::optional<std::string> out_dir;  // the runs folder (none: <store folder>/runs); the run's is <it>/<id>
  double pue = 1.0;
  std::string sensors;                // "" : $GREENRUN_SENSORS, else auto
  std::vector<std::string> command;   // recorded as the run's command (the script and its arguments)
  std::optional<size_t> epochs;       // the job's epoch count, for prediction
  size_t epochs_before_prediction = 1;  // predict after this many epochs (0: never)
  std::optional<Mass> budget;         // predicted emissions above this: EpochReport::over_budget
  std::optional<RankInfo> rank;       // none: RankInfo::from_environment()
};

// Figures so far; every figure carries its method.
struct LiveFigures {
  Duration elapsed{0};
  Energy job_energy;
  Energy machine_energy;
  sensors::Method method = sensors::Method::kMeasured;  // the weakest part's
  std::optional<Mass> emissions;  // none: not computable yet (see emissions_source)
  CarbonIntensity intensity;      // energy-weighted mean used
  std::string emissions_source;   // where the intensity came from, or why there are no emissions
  double coverage = 0;            // share of the energy priced at time-resolved data
};

struct PredictedRun {
  EpochPrediction epochs;
  Range emissions_g;             // the whole job
  std::string emissions_method;  // the intensity used and why
};

struct EpochReport {
  size_t epoch = 0;  // 1-based, the epoch that ended
  Duration duration{0};
  Energy energy;
  std::optional<PredictedRun> prediction;  // from epochs_before_prediction on
  bool over_budget = false;                // the predicted emissions exceed the budget
};

// One sampling interval, for on_sample.
struct SampleSummary {
  UtcTime start{};
  UtcTime end{};
  Energy job_energy;
  Energy machine_energy;
  sensors::Method method = sensors::Method::kMeasured;
};

class Tracker {
 public:
  // Validates the request (kUsage with the CLI's one-line messages), finds
  // the location, sets up the sensors, creates the run folder and starts
  // sampling. `services.jobs` is unused.
  [[nodiscard]] static Result<std::unique_ptr<Tracker>> start(const TrackRequest& request, const Services& services);
  ~Tracker();  // stops sampling; writes nothing (call stop())
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  const std::string& id() const { return id_; }
  const std::string& out_dir() const { return out_dir_; }
  const RankInfo& rank() const { return rank_; }
  // False in a forked child (every method is then a no-op) and after stop().
  bool active() const;

  // A mark on the timeline: written in the next interval line's "marks"
  // and listed in the record. `value` may be absent.
  void mark(const std::string& name, std::optional<double> value);
  // Phases: named windows; the same name may not be open twice (kUsage).
  [[nodiscard]] Status phase_begin(const std::string& name);
  [[nodiscard]] Status phase_end(const std::string& name);
  // Epochs: epoch_start() is optional (an epoch starts where the previous
  // ended, or at start()). epoch_end() samples at once so the epoch's energy
  // is exact, and predicts once epochs_before_prediction epochs are known.
  void epoch_start();
  [[nodiscard]] Result<EpochReport> epoch_end();

  LiveFigures live();
  void on_sample(std::function<void(const SampleSummary&)> callback);

  // Takes a last sample, prices the run and writes run.json, timeline.jsonl,
  // emissions.csv and the store row, as engine::run does. `exit_status` is
  // recorded (0; 1 for an exception; 130 for an interrupt); `note`, when not
  // empty, becomes a warning ("ended by KeyboardInterrupt"). Error: called
  // twice, or in a forked child.
  [[nodiscard]] Result<RunOutcome> stop(int exit_status, const std::string& note = "");

 private:
  struct State;
  Tracker() = default;
  void loop();
  bool in_owner() const;

  std::string id_;
  std::string out_dir_;
  std::string runs_root_;
  RankInfo rank_;
  pid_t owner_pid_ = 0;
  std::unique_ptr<State> state_;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace greenrun::engine
