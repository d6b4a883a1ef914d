// Registration of the subcommands, one file each (intensity_command.cc, ...).
// Each adds its subcommand to `app` and sets `action` when it is selected.
#pragma once

#include "cli.h"

namespace greenrun::cli {

void add_intensity_command(CLI::App& app, Context& ctx, Action& action);
// `greenrun intensity fetch`, added under the intensity subcommand.
void add_intensity_fetch_command(CLI::App& intensity_subcommand, Context& ctx, Action& action);
void add_zones_commands(CLI::App& app, Context& ctx, Action& action);
void add_emissions_command(CLI::App& app, Context& ctx, Action& action);
void add_plan_command(CLI::App& app, Context& ctx, Action& action);
void add_simulate_command(CLI::App& app, Context& ctx, Action& action);
void add_forecast_command(CLI::App& app, Context& ctx, Action& action);
void add_run_command(CLI::App& app, Context& ctx, Action& action);
void add_runs_command(CLI::App& app, Context& ctx, Action& action);
// `runs delete|tag|status|cancel`, added under the runs subcommand.
void add_runs_admin_commands(CLI::App& runs_subcommand, Context& ctx, Action& action);
void add_report_command(CLI::App& app, Context& ctx, Action& action);
void add_serve_command(CLI::App& app, Context& ctx, Action& action);
void add_slurm_command(CLI::App& app, Context& ctx, Action& action);
// `greenrun slurm sampler` (slurm_sampler_command.cc); adds itself under an
// existing `slurm` subcommand, so call it after any other `slurm` registration.
void add_slurm_sampler_command(CLI::App& app, Context& ctx, Action& action);
// `greenrun runs show slurm:JOBID` (runs_slurm_show.cc).
int show_slurm_job(Context& ctx, const std::string& job_id, bool json);

}  // namespace greenrun::cli
