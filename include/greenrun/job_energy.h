// Per-job energy across a Slurm cluster's nodes (docs/slurm.md, "Per-job
// energy across nodes"): the engine operations behind `greenrun slurm
// sampler`, the records endpoint of `greenrun serve` and `greenrun runs show
// slurm:JOBID`.
//
//   NodeSampler     on each node: reads the node's sensors and the Slurm
//                   jobs' CPU time once per interval and shares the energy
//                   among the jobs (greenrun/sensors/slurm_jobs.h): one
//                   JobEnergyRecord per job running there, the idle share
//                   left unattributed.
//   RecordShipper   gets the records to the controller's `greenrun serve`:
//                   every record is first appended to a local spool file
//                   (flushed to disk), then sent; sent lines leave the spool
//                   only after a 2xx answer. A failure is retried with
//                   exponential backoff; nothing is dropped, and the
//                   server's idempotent store makes a resend harmless.
//   run_node_sampler()  the sampler's loop (`greenrun slurm sampler`): a
//                   NodeSampler and a RecordShipper driven interval after
//                   interval on the services' clock, progress to an
//                   observer; the front end only parses and renders.
//   RecordIngest    in `greenrun serve`: validates a POST body and stores its
//                   records; the server is the store's only writer.
//   job_energy()    a job's records from every node, each priced at its
//                   node's zone and interval by the pricing of a run
//                   (greenrun/pricing.h), totalled per node and overall.
//
// Several greenruns on one node never count it twice: the sampler's
// per-job records are the one source of a Slurm job's node energy. A
// `greenrun run` or Tracker inside a job records its own run as before (its
// job share), and is a separate figure, not added to the job's total.
//
// Thread-safety: NodeSampler and RecordShipper are driven by one thread;
// RecordIngest::ingest may be called from any thread (it serialises on a
// mutex); job_energy() opens the store itself.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/runner/job_energy_record.h"
#include "greenrun/sensors/slurm_jobs.h"

namespace greenrun::runner {
class JobEnergyStore;  // runner/job_energy_store.h: the store's job_energy table
}  // namespace greenrun::runner

namespace greenrun::engine {

// ---------------------------------------------------------------- on a node

struct NodeSamplerRequest {
  std::string node;                  // REQUIRES: not empty (SLURMD_NODENAME, or the host name)
  std::optional<std::string> zone;   // none: the location policy of a run (GREENRUN_ZONE, config.toml, ...)
  std::optional<std::string> region;
  Duration interval = std::chrono::seconds(10);
  sensors::JobCpuOptions cpu;        // cgroup and procfs roots; `node` is copied in
  std::string sensors = "auto";      // as `greenrun run --sensors`
};

struct NodeInterval {
  UtcTime start{};
  UtcTime end{};
  Energy node_energy;
  Energy unattributed;
  double unattributed_share = 1;  // idle and other processes
  sensors::JobCpuSource source = sensors::JobCpuSource::kProcessTree;
  std::vector<runner::JobEnergyRecord> records;  // one per job running on the node
  std::vector<std::string> ended;     // jobs gone since the previous interval
  std::vector<std::string> warnings;  // sensor problems
};

class NodeSampler {
 public:
  // Sets up the sensors (services.sensors, else the machine's), the zone and
  // primes every counter. Errors: kUsage naming the flag (no node, an
  // interval out of range), kNotFound for an unknown zone.
  [[nodiscard]] static Result<std::unique_ptr<NodeSampler>> open(const NodeSamplerRequest& request,
                                                                 const Services& services);
  ~NodeSampler();
  SteadyTime next_deadline() const { return next_; }
  const std::string& zone() const { return zone_; }
  const std::string& sensor_label() const;
  const std::vector<std::string>& notes() const;
  // Sleeps on the clock until the next deadline (start + k x interval; a late
  // sample skips the deadlines it missed), then samples.
  [[nodiscard]] Result<NodeInterval> sample_at_next_deadline();
  // Samples now: the interval since the previous sample.
  [[nodiscard]] Result<NodeInterval> sample();

 private:
  struct State;
  NodeSampler() = default;
  std::unique_ptr<State> state_;
  std::string zone_;
  SteadyTime next_{};
};

// Sends one body (records_body()); Ok on a 2xx answer. The error says why
// (unreachable, the answer's status and message); kind kBadData when the
// server refused the body itself (resending cannot help), else anything.
using RecordSender = std::function<Status(const std::string& body)>;

struct ShipperOptions {
  std::string spool_path;  // REQUIRES: not empty; created when absent
  Duration first_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::minutes(5);
  size_t records_per_body = 200;  // <= runner::kMaxRecordsPerBody
  size_t max_body_bytes = 60 * 1024;  // under the server's 64 KiB body limit
};

struct FlushOutcome {
  size_t sent = 0;
  size_t rejected = 0;        // refused by the server as malformed (400, 413, 415): moved to <spool>.rejected
  std::vector<std::string> warnings;
  size_t pending = 0;         // still in the spool
  bool attempted = false;     // false: waiting for the backoff to pass
  std::optional<Error> last_error;
  std::optional<SteadyTime> retry_at;  // when pending > 0
};

class RecordShipper {
 public:
  // Reads back what the spool holds from an earlier run (sent first). Error
  // (kIo) names the spool file; a malformed line is an error naming its line.
  [[nodiscard]] static Result<RecordShipper> open(ShipperOptions options, RecordSender send, Clock& clock);
  // Appends the records to the spool and flushes it to disk. Error (kIo):
  // the spool cannot be written (the caller keeps them and says so).
  [[nodiscard]] Status add(const std::vector<runner::JobEnergyRecord>& records);
  // Sends the spool's records, oldest first, in bodies of records_per_body,
  // unless a backoff is running (`now`: try regardless, e.g. a last attempt
  // before exiting); rewrites the spool without what was sent.
  [[nodiscard]] Result<FlushOutcome> flush(bool now = false);
  size_t pending() const { return pending_; }

 private:
  RecordShipper(ShipperOptions options, RecordSender send, Clock& clock)
      : options_(std::move(options)), send_(std::move(send)), clock_(&clock) {}
  ShipperOptions options_;
  RecordSender send_;
  Clock* clock_;
  size_t pending_ = 0;
  Duration backoff_{0};
  std::optional<SteadyTime> retry_at_;
};

// ---------------------------------------------------------------- the node's loop

struct NodeSamplerRun {
  NodeSamplerRequest sampler;        // sampler.node "": default_node_name()
  std::optional<std::string> spool;  // none: <store folder>/slurm-spool-<node>.jsonl
  size_t count = 0;                  // intervals to sample; 0: until stop() says so
  ShipperOptions shipping;           // its spool_path is set from `spool`
};

struct NodeSamplerStarted {
  std::string node;
  std::string zone;  // "" = world average
  std::string sensor_label;
  std::string spool_path;
  Duration interval{0};
  size_t pending = 0;  // records an earlier run left in the spool (sent first)
  std::vector<std::string> notes;
};

// Progress of run_node_sampler (it never prints). Called on its thread.
class NodeSamplerObserver {
 public:
  virtual ~NodeSamplerObserver() = default;
  virtual void on_started(const NodeSamplerStarted&) {}
  // One interval sampled, spooled and (unless a backoff runs) sent.
  virtual void on_interval(const NodeInterval&, const FlushOutcome&) {}
  virtual void on_warning(const std::string&) {}  // a sensor's or the shipper's
};

struct NodeSamplerSummary {
  size_t intervals = 0;
  size_t pending = 0;    // left in the spool at the end (sent by the next run)
  bool stopped = false;  // ended by stop(), not by `count`
};

// The node's name when none is given: SLURMD_NODENAME (services.env, else the
// process environment), else the host name; "" when neither is known.
std::string default_node_name(const Services& services);

// The sampler's loop: open the sampler and the spool (its default beside the
// store; its folder is created), then per interval: wait for the deadline on services.clock (in
// steps of at most 100 ms, asking `stop` between them), sample, append the
// records to the spool, flush. The last interval — `count` reached, or
// `stop` true, which ends the wait early and samples the partial interval —
// is sent regardless of the backoff. `stop` may be null (only `count` ends
// it; REQUIRES count > 0 then).
// Errors: those of NodeSampler::open and RecordShipper::open; a failed sample;
// a spool that cannot be written or rewritten (kIo). The loop ends at the
// first; what was spooled stays for the next run.
[[nodiscard]] Result<NodeSamplerSummary> run_node_sampler(const NodeSamplerRun& run, RecordSender send,
                                                          const Services& services, NodeSamplerObserver& observer,
                                                          const std::function<bool()>& stop);

// ---------------------------------------------------------------- on the controller

struct IngestOutcome {
  size_t inserted = 0;
  size_t duplicates = 0;
};

class RecordIngest {
 public:
  // Writes to the store at `store_path`, which is opened (and the
  // job_energy table created) at the first ingest: a server that receives
  // no records never writes.
  explicit RecordIngest(std::string store_path);
  ~RecordIngest();
  // Validates and stores a body. Errors: kBadData with the JSON path
  // ("$.records[2].start: ..."); kIo when the store fails (names it).
  [[nodiscard]] Result<IngestOutcome> ingest(std::string_view body);

 private:
  std::string store_path_;
  std::mutex mutex_;  // guards store_
  std::unique_ptr<runner::JobEnergyStore> store_;  // opened at the first ingest
};

// ---------------------------------------------------------------- a job's total

struct JobNodeEnergy {
  std::string node;
  std::string zone;  // "" = world average
  UtcTime from{};
  UtcTime to{};
  size_t intervals = 0;
  Energy energy;
  sensors::Method method = sensors::Method::kMeasured;  // the weakest
  std::string attribution;   // "cgroup", "cgroup-tasks", "process-tree", or several joined by "+"
  std::optional<Mass> emissions;  // none when some interval could not be priced
  std::string source;             // where the intensity came from (the first interval's)
  double coverage = 0;            // energy-weighted share priced at time-resolved data
};

struct JobEnergy {
  std::string job_id;
  std::vector<JobNodeEnergy> nodes;  // by node name
  Energy energy;
  std::optional<Mass> emissions;     // none when a node's is unknown
  sensors::Method method = sensors::Method::kMeasured;
  std::vector<std::string> warnings;
};

// Errors: kNotFound when the store has no record of the job; kIo.
[[nodiscard]] Result<JobEnergy> job_energy(const std::string& job_id, const Services& services);

// Slurm's own figure for the job (sacct's ConsumedEnergyRaw for the
// allocation), or why there is none: "not configured (sacct: ...)" when sacct
// fails (no slurmdbd), "not recorded (...)" when accounting has no such job,
// "Slurm recorded no energy: AcctGatherEnergyType is P ..." when the job's
// figure is empty or 0 (P from `scontrol show config`). Commands through
// `run` (null: runs them itself, each with a 10 s bound). Never an error: a
// missing sacct is a reason.
struct SlurmConsumedEnergy {
  std::optional<Energy> energy;
  std::string reason;  // when energy is none
};
using CommandRunner = std::function<Result<std::string>(const std::vector<std::string>& argv)>;
SlurmConsumedEnergy slurm_consumed_energy(const std::string& job_id, const CommandRunner& run = nullptr);

}  // namespace greenrun::engine
