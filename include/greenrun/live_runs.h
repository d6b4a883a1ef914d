// Runs in progress, as other processes see them: `greenrun run` keeps a small
// live-status file per run in <store folder>/live/<run-id>.json, replaced
// atomically (write a temporary file, rename) after each sample and at each
// schedule decision, and removed when the run ends. The server reads the
// folder for /metrics and ignores files whose process is gone (a run killed
// with SIGKILL leaves its file behind; it is skipped, and removed by the next
// run that finds it). Format: docs/server.md, "Runs in progress".
//
// Thread-safety: LiveStatusFile is used by the one thread that runs the job;
// read_live_runs may be called from any thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::runner {
struct SamplerTotals;  // runner/sampler.h: the engine passes the sampler's totals
}  // namespace greenrun::runner

namespace greenrun::engine {

inline constexpr std::string_view kLiveSchema = "greenrun.live/1";

struct LiveComponent {
  std::string component;  // "cpu", "dram", "gpu", "platform"
  std::string method;     // "measured", "integrated", "estimated", "simulated"
  double job_joules = 0;
  double machine_joules = 0;
  double job_watts = 0;  // over the last interval between two updates
};

struct LiveRun {
  std::string id;
  pid_t pid = 0;  // the greenrun process running it
  std::string project;
  std::string phase;
  std::string zone;
  UtcTime started{};
  UtcTime updated{};
  std::string mode;   // "" (measured at once), "flexible", "pause-resume", "threshold"
  std::string state;  // "running", "waiting", "paused"; "failed" (a detached run, run_control.h)
  std::string error;  // state "failed": the first line of why; "" otherwise (absent in the JSON)
  std::optional<UtcTime> next_decision;  // when the schedule decides next (carbon-aware runs)
  std::vector<LiveComponent> components;
};

std::string to_json(const LiveRun& run);
// Errors name the JSON path and what was expected.
[[nodiscard]] Result<LiveRun> live_run_from_json(const std::string& text);

// <folder of the store>/live
std::filesystem::path live_folder(const std::string& store_path);

// The live runs whose process is still there, by id. Files that cannot be
// parsed are skipped and named in `problems` (may be null). `alive` answers
// whether a pid runs (null: kill(pid, 0)).
std::vector<LiveRun> read_live_runs(const std::string& store_path, std::vector<std::string>* problems = nullptr,
                                    const std::function<bool(pid_t)>& alive = nullptr);

// Keeps one run's live-status file. Writing failures are kept in warnings()
// (once) and never stop the run.
class LiveStatusFile {
 public:
  LiveStatusFile(const std::string& store_path, LiveRun run);
  ~LiveStatusFile();  // removes the file
  LiveStatusFile(const LiveStatusFile&) = delete;
  LiveStatusFile& operator=(const LiveStatusFile&) = delete;

  // After a sample: the energies so far and the power since the last update.
  void sampled(const runner::SamplerTotals& totals, UtcTime now);
  // At a schedule decision.
  void schedule_state(std::string_view state, std::optional<UtcTime> next_decision, UtcTime now);
  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void write();
  LiveRun run_;
  std::filesystem::path path_;
  std::vector<std::string> warnings_;
};

}  // namespace greenrun::engine
