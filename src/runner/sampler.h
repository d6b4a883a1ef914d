// Sampler: reads every sensor once per interval, attributes CPU and DRAM
// energy to the job by CPU time, appends one IntervalRecord to the timeline
// and keeps running totals (a few hundred bytes whatever the run length).
//
// Time: steady clock for deadlines and deltas, UTC only for the records'
// timestamps — both from the injected Clock. Deadlines are start + k x
// interval; a sample that comes too late to keep up skips the deadlines it
// missed and counts them (dropped_deadlines), never silently.
//
// Attribution: job share = (tree CPU ticks delta) / (machine busy ticks
// delta), clamped to [0, 1]; CPU and DRAM job energy = machine energy x share.
// Idle power is therefore not charged to the job. GPUs use the sensor's own
// per-process share when it has one, else the whole GPU counts for the job.
// The tree's ticks (ProcReader::tree_cpu says which processes count) are
// kept as a high-water mark, so a sum that drops is never charged twice when
// it comes back (a child reaped during a walk is missed for one instant,
// then reappears in its parent's cutime). The price: when a process leaves
// the tree for good (re-parented away), the tree's next ticks, as many as it
// took away, are not charged — an under-count, never an over-count.
// A sample whose tree was found by scanning all of procfs (a kernel without
// children files) adds a warning, once.
//
// Thread-safety: one thread (the run loop) drives it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/sensors/energy_sensor.h"
#include "runner/timeline_writer.h"
#include "sensors/proc_reader.h"

namespace greenrun::runner {

inline constexpr Duration kMinInterval{10};
inline constexpr Duration kMaxInterval{60'000};

struct ComponentTotal {
  Energy machine;
  Energy job;
  sensors::Method method = sensors::Method::kMeasured;  // weakest seen
  std::vector<std::string> devices;
};

struct SamplerTotals {
  UtcTime start{};
  UtcTime end{};
  Duration steady_duration{0};
  std::map<sensors::Component, ComponentTotal> components;
  size_t intervals = 0;
  size_t dropped_deadlines = 0;
  std::vector<std::string> warnings;  // sensor problems, each once
};

class Sampler {
 public:
  // REQUIRES: kMinInterval <= interval <= kMaxInterval; `timeline` may be
  // null (nothing written).
  Sampler(Clock& clock, std::vector<std::unique_ptr<sensors::EnergySensor>> sensors,
          const sensors::ProcReader& proc, TimelineWriter* timeline, Duration interval);

  // Marks the start, primes the CPU time counters for `job_root` and reads
  // every sensor once (dropped), so energy is counted from now on.
  void start(pid_t job_root);
  SteadyTime next_deadline() const { return next_; }
  // Takes one sample now. `job_ticks_final` replaces the tree walk for the
  // last sample, once the job has been reaped (its wait4 CPU time in ticks).
  // Error only when writing the timeline fails.
  [[nodiscard]] Status sample(std::optional<uint64_t> job_ticks_final = std::nullopt);
  // Sleeps on the clock until the next deadline and samples (for tests and
  // for callers without a child to wait on).
  [[nodiscard]] Status sample_at_next_deadline();
  // Takes one sample now without moving the deadline grid when it comes
  // early (a Tracker's epoch boundary): the next sample is still due at the
  // deadline it was due at.
  [[nodiscard]] Status sample_now();
  // A mark (one JSON object: {"at":...,"name":...}) for the next interval
  // line written, in its "marks" array (IntervalRecord::extra_json); kept
  // until a line is written.
  void add_mark(std::string json_object);
  bool has_pending_marks() const { return !pending_marks_.empty(); }

  const SamplerTotals& totals() const { return totals_; }
  size_t sensor_count() const { return sensors_.size(); }

 private:
  void warn_once(const std::string& w);

  Clock& clock_;
  std::vector<std::unique_ptr<sensors::EnergySensor>> sensors_;
  const sensors::ProcReader& proc_;
  TimelineWriter* timeline_;
  Duration interval_;
  pid_t job_root_ = 0;
  SteadyTime start_steady_{};
  SteadyTime next_{};
  UtcTime last_utc_{};
  sensors::MachineCpuTimes last_machine_{};
  uint64_t job_ticks_high_ = 0;
  SamplerTotals totals_;
  std::vector<std::string> pending_marks_;
};

}  // namespace greenrun::runner
