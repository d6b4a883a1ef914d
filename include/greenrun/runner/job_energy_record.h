// JobEnergyRecord: one Slurm job's share of one node's energy over one
// sampling interval, as `greenrun slurm sampler` attributes it
// (greenrun/sensors/slurm_jobs.h) and `greenrun serve` stores it. Its JSON is the body
// of POST /greenrun/v1/records (docs/slurm.md, "Record format"):
//
//   {"records": [{"job_id": "42", "node": "node1", "steps": ["batch"],
//     "start": "2026-12-07T04:00:00Z", "end": "2026-12-07T04:00:10Z",
//     "zone": "DE", "attribution": "cgroup", "cpu_share": 0.5,
//     ["gpu_attribution": "gpu-memory",]
//     "node_energy_j": 812.5, "unattributed_j": 406.25,
//     "components": [{"component": "cpu", "energy_j": 400.0, "method": "measured"}]}]}
//
// The identity of a record is (job_id, node, start, end): storing the same
// one twice is a no-op, so a sampler may resend after a lost answer.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::runner {

struct JobComponentEnergy {
  sensors::Component component = sensors::Component::kCpu;
  Energy energy;
  sensors::Method method = sensors::Method::kMeasured;
};

struct JobEnergyRecord {
  std::string job_id;              // Slurm's job id ("42"; an array task "42_3")
  std::string node;                // SLURMD_NODENAME / the sampler's node name
  std::vector<std::string> steps;  // steps seen on the node, where known
  UtcTime start{};
  UtcTime end{};
  std::string zone;         // the node's grid zone ("" = world average)
  std::string attribution;  // "cgroup", "cgroup-tasks" or "process-tree" (greenrun/sensors/slurm_jobs.h)
  // How its GPU energy was attributed: "gpu-memory" or "gpu-processes"
  // (sensors/slurm_gpu_jobs.h); "" : it got none (the field is left out).
  std::string gpu_attribution;
  double cpu_share = 0;     // of the node's CPU capacity, 0..1
  Energy node_energy;       // the whole node over the interval
  Energy unattributed;      // idle and other processes: nobody's
  std::vector<JobComponentEnergy> components;  // the job's part

  Energy energy() const;
  sensors::Method method() const;  // the weakest component's
};

// Limits of one POST body.
inline constexpr size_t kMaxRecordsPerBody = 1000;

std::string to_json(const JobEnergyRecord& r);  // one object, one line
// {"records":[...]}, one line.
std::string records_body(const std::vector<JobEnergyRecord>& records);

// Parses a body. Errors (kBadData) name the JSON path and what was expected:
// "$.records[3].components[0].energy_j: expected a non-negative number".
[[nodiscard]] Result<std::vector<JobEnergyRecord>> parse_records_body(std::string_view body);
// One object as to_json writes it; `path` prefixes its errors.
[[nodiscard]] Result<JobEnergyRecord> parse_record(std::string_view json, const std::string& path = "$");

}  // namespace greenrun::runner
