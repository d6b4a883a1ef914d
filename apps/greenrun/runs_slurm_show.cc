// `greenrun runs show slurm:JOBID [--json]`: a Slurm job's energy across its
// nodes, from the records the nodes' samplers sent (engine::job_energy): one
// row per node with its zone, interval, energy and emissions at that zone
// and time, the total, and Slurm's own ConsumedEnergy beside it where sacct
// has one, else why not (engine::slurm_consumed_energy: "not configured" without
// slurmdbd, "Slurm recorded no energy: AcctGatherEnergyType is ..." with it).
#include "commands.h"
#include "greenrun/job_energy.h"
#include "greenrun/run_views.h"

namespace greenrun::cli {

int show_slurm_job(Context& ctx, const std::string& job_id, bool json) {
  if (job_id.empty())
    return report_error(ctx, Error{"runs show slurm:JOBID: expected a job id after slurm:", ErrorKind::kUsage});
  engine::Services services;
  services.store_path = ctx.store_path();
  auto job = engine::job_energy(job_id, services);
  if (!job) return report_error(ctx, job.error());
  const auto slurm = engine::slurm_consumed_energy(job_id);
  *ctx.out << (json ? engine::slurm_job_json(*job, slurm) : engine::slurm_job_text(*job, slurm));
  return 0;
}

}  // namespace greenrun::cli
