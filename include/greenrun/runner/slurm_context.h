// SlurmContext: where in a Slurm job a run was measured — the job id, the
// node and the task's rank — read from the variables slurmd sets for every
// task (SLURM_JOB_ID, SLURMD_NODENAME, SLURM_PROCID, SLURM_LOCALID,
// SLURM_STEP_ID). Kept in run.json's "slurm" section (docs/slurm.md), so a
// run can be matched with the job's per-node records (`greenrun runs show
// slurm:JOBID`).
//
// Counting a node once: in a job with several tasks on one node, the node's
// (machine) energy is recorded by the task with SLURM_LOCALID 0 only; the
// others keep their own (job) share and a machine energy of 0
// (node_energy_owner). engine::Tracker applies the same rule with
// LOCAL_RANK. The job's own total across nodes comes from the nodes'
// samplers, never from adding runs.
//
// Thread-safety: plain values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/result.h"

namespace greenrun::runner {

struct SlurmContext {
  std::string job_id;                 // SLURM_JOB_ID
  std::string node;                   // SLURMD_NODENAME ("" when not set)
  std::optional<int> procid;          // SLURM_PROCID: the task's global rank
  std::optional<int> localid;         // SLURM_LOCALID: its rank on this node
  std::string step_id;                // SLURM_STEP_ID ("" when not set)

  // Whether this task records the node's energy (SLURM_LOCALID 0 or unset).
  bool node_energy_owner() const { return localid.value_or(0) == 0; }
  bool operator==(const SlurmContext&) const = default;

  // None outside a Slurm job (no SLURM_JOB_ID). Error (kUsage) naming the
  // variable when SLURM_PROCID or SLURM_LOCALID is not a non-negative integer.
  // `env` null: the process environment.
  [[nodiscard]] static Result<std::optional<SlurmContext>> from_environment(
      const std::function<std::optional<std::string>(std::string_view)>& env = nullptr);
};

}  // namespace greenrun::runner
