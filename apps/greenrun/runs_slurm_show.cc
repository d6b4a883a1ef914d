// `greenrun runs show slurm:JOBID [--json]`: a Slurm job's energy across its
// nodes, from the records the nodes' samplers sent (engine::job_energy): one
// row per node with its zone, interval, energy and emissions at that zone
// and time, the total, and Slurm's own ConsumedEnergy beside it where sacct
// has one, else why not (engine::slurm_consumed_energy: "not configured" without
// slurmdbd, "Slurm recorded no energy: AcctGatherEnergyType is ..." with it).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/quantity_format.h"
#include "base/time_format.h"
#include "commands.h"
#include "greenrun/job_energy.h"

namespace greenrun::cli {

int show_slurm_job(Context& ctx, const std::string& job_id, bool json) {
  if (job_id.empty())
    return report_error(ctx, Error{"runs show slurm:JOBID: expected a job id after slurm:", ErrorKind::kUsage});
  engine::Services services;
  services.store_path = ctx.store_path();
  auto job = engine::job_energy(job_id, services);
  if (!job) return report_error(ctx, job.error());
  const auto slurm = engine::slurm_consumed_energy(job_id);
  std::ostream& out = *ctx.out;
  if (json) {
    nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
    for (const auto& n : job->nodes)
      nodes.push_back({{"node", n.node},
                       {"zone", n.zone},
                       {"from", format_utc(n.from)},
                       {"to", format_utc(n.to)},
                       {"intervals", n.intervals},
                       {"energy_j", n.energy.joules()},
                       {"method", std::string(sensors::to_string(n.method))},
                       {"attribution", n.attribution},
                       {"emissions_g", n.emissions ? nlohmann::ordered_json(n.emissions->grams()) : nullptr},
                       {"intensity_source", n.source},
                       {"coverage", n.coverage}});
    nlohmann::ordered_json j = {
        {"job_id", job->job_id},
        {"energy_j", job->energy.joules()},
        {"method", std::string(sensors::to_string(job->method))},
        {"emissions_g", job->emissions ? nlohmann::ordered_json(job->emissions->grams()) : nullptr},
        {"nodes", nodes},
        {"slurm_consumed_energy_j", slurm.energy ? nlohmann::ordered_json(slurm.energy->joules()) : nullptr},
        {"slurm_consumed_energy_note", slurm.reason},
        {"warnings", job->warnings}};
    out << j.dump(2) << "\n";
    return 0;
  }
  out << fmt::format("slurm job {}: {} node{}\n", job->job_id, job->nodes.size(), job->nodes.size() == 1 ? "" : "s");
  out << fmt::format("  {:<16} {:<14} {:<22} {:<22} {:>9} {:>12} {:>12}  {}\n", "node", "zone", "from (UTC)",
                     "to (UTC)", "intervals", "energy", "CO2e", "method, attribution");
  for (const auto& n : job->nodes)
    out << fmt::format("  {:<16} {:<14} {:<22} {:<22} {:>9} {:>12} {:>12}  {}, {}\n", n.node,
                       n.zone.empty() ? "world avg" : n.zone, format_utc(n.from), format_utc(n.to), n.intervals,
                       format_energy(n.energy), n.emissions ? format_mass(*n.emissions) : "unknown",
                       sensors::to_string(n.method), n.attribution);
  out << fmt::format("  total: {} ({}), {} CO2e, each node priced at its zone and time\n", format_energy(job->energy),
                     sensors::to_string(job->method), job->emissions ? format_mass(*job->emissions) : "unknown");
  for (const auto& n : job->nodes)
    out << fmt::format("    {}: {} (coverage {:.0f} %)\n", n.node, n.source.empty() ? "no energy priced" : n.source,
                       100 * n.coverage);
  out << "  the idle share of each node is not charged to any job\n";
  out << "  Slurm's ConsumedEnergy: "
      << (slurm.energy ? format_energy(*slurm.energy) + " (sacct)" : slurm.reason) << "\n";
  for (const auto& w : job->warnings) out << "  warning: " << w << "\n";
  return 0;
}

}  // namespace greenrun::cli
