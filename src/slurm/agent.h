// `greenrun slurm agent`: a daemon beside slurmctld that schedules the jobs
// that opted in through their comment (opt_in.h; docs/slurm.md) and never
// touches any other.
//
// Each pass (tick): read the queue (squeue --json), load each zone's forecast
// by the engine's policy (re-read every pass, so a new forecast re-plans every
// job), ask the engine what to do with each opted-in job
// (engine::decide_batch_job) and do it:
//   pending        scontrol update StartTime= the planned start (never later
//                  than its latest start, so Slurm starts it by then even
//                  without the agent);
//   running, interruptible   scontrol suspend / resume following the Pause
//                  and Resume plan of its remaining work; resumed no later
//                  than deadline - remaining work (- one interval);
//   running, checkpoint      at a planned pause: its state written into its
//                  comment (done=, signalled=), the job signalled
//                  (scancel --signal), requeued after its grace, and its
//                  restart set (StartTime) to the next planned segment.
// All state is in Slurm (the comment, StartTime, SUSPENDED): a restarted agent
// rebuilds it from squeue and treats opted-in interruptible SUSPENDED jobs as
// its own. On SIGTERM/SIGINT it resumes every job it suspended and exits; if
// it is killed, its watchdog (watchdog.h) resumes them. Failing Slurm
// commands are retried with bounded backoff (slurm_client.h) and again on the
// next pass.
//
// Thread-safety: one thread.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/batch_scheduling.h"
#include "slurm/slurm_client.h"
#include "slurm/watchdog.h"

namespace greenrun::slurm {

struct AgentOptions {
  std::string zone;  // for jobs whose opt-in names none; "" : such jobs run as if greenrun were absent
  std::string zone_source;  // where the zone came from ("--zone", "config.toml", ...), for the log
  engine::ForecastChoice forecast;
  Duration interval = std::chrono::seconds(15);
  bool once = false;
  Duration horizon_cap = std::chrono::hours(24 * 7);  // forecasts are loaded at most this far ahead
  std::string checkpoint_signal = "USR1";  // sent to a checkpointing job at a planned pause
  // Slurm's own delay before a requeued job may restart (cred_expire + 1 s).
  Duration requeue_delay = std::chrono::seconds(121);
};

using AgentLog = std::function<void(const std::string&)>;

// What one pass did (for logs, tests and the bench).
struct TickReport {
  size_t opted_in = 0;
  size_t starts_set = 0;
  size_t suspended = 0;
  size_t resumed = 0;
  size_t checkpointed = 0;  // signalled to checkpoint
  size_t requeued = 0;
  size_t failures = 0;
};

class Agent {
 public:
  // `watchdog` may be null (tests of the decisions alone).
  Agent(AgentOptions options, SlurmClient& slurm, engine::Services services, AgentLog log,
        AgentWatchdog* watchdog = nullptr);

  // One pass at `now`. Error: the queue could not be read (nothing changed).
  [[nodiscard]] Result<TickReport> tick(UtcTime now);
  // One pass on a queue already read (the bench; tick() calls it).
  TickReport act(const std::vector<QueuedJob>& queue, UtcTime now);
  // Resumes every job this agent suspended (SIGTERM, --once). Errors are logged.
  void release_all();
  const std::set<std::string>& suspended() const { return suspended_; }

 private:
  const intensity::IntensitySeries* forecast_for(const std::string& zone, UtcTime now, UtcTime until);
  // Logs `line` when the job's `kind` of decision changed since the last one.
  void note(const std::string& id, const std::string& kind, const std::string& line);

  AgentOptions options_;
  SlurmClient& slurm_;
  engine::Services services_;
  AgentLog log_;
  AgentWatchdog* watchdog_;
  engine::BatchPolicy policy_;
  std::set<std::string> suspended_;
  std::map<std::string, std::string> last_note_;  // job id -> kind of the last line logged
  struct Loaded {
    std::optional<engine::BatchForecast> forecast;
    UtcTime until{};
  };
  std::map<std::string, Loaded> forecasts_;  // this pass's, by zone
};

// The daemon: a watchdog, then passes every options.interval until SIGTERM or
// SIGINT (or one pass with options.once), then release_all(). Errors: the
// watchdog could not start.
[[nodiscard]] Status run_agent(const AgentOptions& options, SlurmClient& slurm, const engine::Services& services,
                               const AgentLog& log);

}  // namespace greenrun::slurm
