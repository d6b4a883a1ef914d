// Carbon-aware scheduling of batch jobs handed to a workload manager (Slurm):
// the engine's policy for `greenrun slurm submit` and `greenrun slurm agent`.
// Front ends parse (sbatch arguments, squeue output) and render; what to do
// with a job is decided here, on the engine's forecast policy
// (forecast_loader.h) and src/scheduling's planners.
//
//   plan_batch_start()  Flexible Start for a job about to be submitted: the
//                       --begin to give it, its latest start and the expected
//                       saving; or why it is not flexible (starts at once).
//   decide_batch_job()  one opted-in job in the queue, now: move a pending
//                       job's start, suspend or resume a running one, or
//                       signal and requeue a checkpointing one. Pure
//                       (a fake clock and hand-made series drive it in tests).
//   load_batch_forecast() the forecast the agent plans a zone on.
//   locate_batch_zone()  the cluster's zone by `greenrun run`'s lookup.
//
// Guarantees (docs/slurm.md): a pending job's start is never set later than
// its latest start (deadline - remaining work), so the workload manager starts
// it by then even if greenrun is gone; a suspended job is resumed no later
// than deadline - remaining work; a checkpointing job is requeued only when,
// even if greenrun then vanished, Slurm's own restart (requeue_delay after
// the requeue) still leaves room for its remaining work before the deadline;
// a job without a deadline is not flexible.
//
// Thread-safety: pure functions apart from the store read by the loaders.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/engine.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/plan.h"

namespace greenrun::engine {

// ------------------------------------------------------------ submit

struct BatchStartRequest {
  std::string zone;       // REQUIRES: not empty
  Duration duration{0};   // the job's time limit or expected duration; REQUIRES > 0
  std::optional<UtcTime> deadline;
  std::optional<Delay> max_delay;  // at most one of deadline and max_delay
  std::optional<Power> power;      // none: 1 kW, labelled assumed (only the saving's size depends on it)
  ForecastChoice forecast;
  std::optional<UtcTime> from;     // none: now
  double min_saving_percent = 1.0;  // below this the job starts at once (as `greenrun run`)
  // The job's Slurm time limit when longer than `duration`: Slurm removes a
  // job with --deadline that cannot start by deadline - time limit, so the
  // latest start is taken from it.
  std::optional<Duration> time_limit;
  // Kept free before the latest start: the scheduler may start a job a little
  // after its begin time.
  Duration start_margin = std::chrono::seconds(30);
};

struct BatchStart {
  bool flexible = false;  // false: start at once; `reason` says why
  std::string reason;
  UtcTime now{};
  UtcTime begin{};         // the start to submit with (now when not flexible)
  UtcTime latest_start{};  // deadline - duration (== begin when not flexible)
  std::optional<UtcTime> deadline;
  std::optional<scheduling::Plan> plan;  // the Flexible Start plan, when one was made
  std::string forecast_label;
};

// Errors: an invalid request (kUsage: no zone, no duration, both deadline
// and max_delay, a deadline too close for the job). A zone with no forecast
// at all is not an error: the job starts at once, and `reason` says so.
[[nodiscard]] Result<BatchStart> plan_batch_start(const BatchStartRequest& request, const Services& services,
                                                  Observer& observer);

// ------------------------------------------------------------ agent

enum class BatchJobState { kPending, kRunning, kSuspended, kOther };

// One opted-in job in the queue as the agent sees it.
struct BatchJob {
  std::string id;
  BatchJobState state = BatchJobState::kOther;
  Duration duration{0};             // its work: expected duration, else time limit; 0: unknown
  std::optional<Duration> time_limit;  // Slurm's, when known: a pending job must start by deadline - it
  std::optional<UtcTime> deadline;  // none: not flexible
  Duration done{0};                 // run time so far (suspended time excluded); a checkpointing
                                    // job: the work saved by earlier runs plus this run's
  bool interruptible = false;       // may be suspended while it runs
  // A checkpointing job: paused by signalling it, giving it checkpoint_grace
  // to save its state, and requeueing it; it restarts (from its checkpoint)
  // at the next planned run segment. Preferred to suspension for pauses of at
  // least BatchPolicy::min_checkpoint_pause (its nodes are freed).
  bool checkpoint = false;
  bool requeueable = true;          // Slurm lets it be requeued (not --no-requeue)
  Duration checkpoint_grace{0};
  std::optional<UtcTime> signalled;  // this run was told to checkpoint then: requeued at + grace
  std::optional<UtcTime> start;     // a pending job's current earliest start (Slurm's StartTime)
  bool suspended_by_agent = true;   // a suspended interruptible job: the agent's to resume
};

// kCheckpoint: signal the job now (its grace starts); kRequeue: its grace is
// over, requeue it (it then waits, pending, for its planned restart).
enum class BatchAction { kNone, kSetStart, kSuspend, kResume, kCheckpoint, kRequeue };

struct BatchDecision {
  BatchAction action = BatchAction::kNone;
  UtcTime start{};     // kSetStart: the new earliest start; kCheckpoint: the planned restart
  UtcTime latest{};    // the latest start / resume that keeps the deadline
  std::string reason;  // one line, for the agent's log
};

struct BatchPolicy {
  // A pending job's start is moved only when it differs by at least this
  // (re-plans on an unchanged forecast do not churn scontrol).
  Duration start_tolerance = std::chrono::seconds(5);
  // A running job is paused only when its next run starts at least this
  // much later (shorter pauses are not worth a suspend/resume pair).
  Duration min_pause = std::chrono::seconds(5);
  // How late a decision may be acted on (the agent's tick): latest starts and
  // resumes are brought forward by it, so the deadline holds between ticks.
  Duration lead{0};
  // A checkpointing job is requeued only for a pause at least this long
  // (shorter ones: suspended if it is also interruptible, else it runs on).
  Duration min_checkpoint_pause = std::chrono::minutes(1);
  // How long Slurm itself keeps a requeued job from restarting (its
  // credential lifetime, AuthInfo cred_expire, 120 s by default, + 1 s). The
  // agent sets the planned restart, but the deadline must hold without it.
  Duration requeue_delay = std::chrono::seconds(121);
};

// What to do with `job` now. `forecast` may be null (no forecast for its
// zone): the job then runs as if greenrun were absent (start now / resume),
// the reason says so. Never returns a start later than the latest start, and
// resumes a job whose latest resume has come.
BatchDecision decide_batch_job(const BatchJob& job, const intensity::IntensitySeries* forecast, UtcTime now,
                               const BatchPolicy& policy = {});

// The forecast for `zone` over [from, to) by the engine's one loading policy
// (a live provider, else the store, else the typical profile, labelled).
struct BatchForecast {
  intensity::IntensitySeries series;
  std::string label;
};
[[nodiscard]] Result<BatchForecast> load_batch_forecast(const std::string& zone, UtcTime from, UtcTime to,
                                                        const ForecastChoice& forecast, const Services& services);

// ------------------------------------------------------------ the cluster's zone

struct BatchZone {
  std::string zone;    // "" : none known (jobs are then not planned; `warning` says how to set one)
  std::string source;  // "--zone", "GREENRUN_ZONE", "config.toml", "aws metadata", "world average"
  std::optional<std::string> warning;
};

// The cluster's grid zone by the one lookup `greenrun run` uses
// (runner/location.h): `zone` (the --zone flag), else GREENRUN_ZONE, else
// config.toml's zone or region, else cloud metadata. Errors: a malformed
// config file or region, or a zone greenrun does not know, named with where
// it came from ("config.toml: unknown zone ...").
[[nodiscard]] Result<BatchZone> locate_batch_zone(const std::optional<std::string>& zone, const Services& services);

}  // namespace greenrun::engine
