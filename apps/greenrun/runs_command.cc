// `greenrun runs list [--project P] [--phase PH] [--since T] [--until T] [--limit N] [--json|--csv]`,
// `greenrun runs show ID [--json]` (ID `slurm:JOBID`: a Slurm job's nodes, runs_slurm_show.cc),
// `greenrun runs summary [--by project|phase|zone|month] [filters] [--json|--csv]`,
// `greenrun runs import run.json…`:
// the runs recorded by `greenrun run` in the store, read through the
// engine's queries (include/greenrun/queries.h). Tables use one unit per
// column.
#include <CLI/CLI.hpp>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/quantity_parse.h"
#include "base/time_format.h"
#include "base/quantity_format.h"
#include "commands.h"
#include "base/clock.h"
#include "base/time_arg.h"
#include "greenrun/engine.h"
#include "greenrun/queries.h"
#include "greenrun/run_admin.h"
#include "runner/run_store.h"

namespace greenrun::cli {
namespace {

struct RunsOptions {
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<std::string> since;
  std::optional<std::string> until;
  size_t limit = 50;
  bool json = false;
  bool csv = false;
  std::string id;
  std::string by = "project";
  std::vector<std::string> files;
  std::optional<std::string> tag;  // KEY=VALUE
};

std::string intensity_text(const std::optional<double>& g_per_kwh) {
  return g_per_kwh ? fmt::format("{:.0f}", *g_per_kwh) : "-";
}

// The "Schedule" block of `runs show`: the schedule actually executed.
void print_schedule(std::ostream& out, const runner::ScheduleSummary& s) {
  out << fmt::format("  Schedule: {}{}{}\n", s.mode, s.pause_mode.empty() ? "" : " (" + s.pause_mode + ")",
                     s.interrupted ? ", interrupted" : "");
  out << fmt::format("    forecast used: {}\n", s.forecast_label.empty() ? "(not recorded)" : s.forecast_label);
  if (s.deadline)
    out << fmt::format("    deadline: {}, {}\n", format_utc(*s.deadline), s.deadline_met ? "met" : "MISSED");
  else if (s.latest_start)
    out << fmt::format("    latest start: {}\n", format_utc(*s.latest_start));
  if (s.guard_engaged) out << "    the deadline guard ran the job regardless of intensity at some point\n";
  const size_t pauses = s.pauses();
  out << fmt::format("    waited {} before the start, {} pause{} ({} paused), run time {}, time added {}\n",
                     format_duration(s.waited), pauses, pauses == 1 ? "" : "s", format_duration(s.paused),
                     format_duration(s.run_time), format_duration(s.time_added));
  out << fmt::format("    emissions: {} CO2e against {} had it run at once: {:.1f} % {} ({} {})\n",
                     format_mass(s.emissions), format_mass(s.at_once), std::abs(s.saving_percent()),
                     s.saving().grams() >= 0 ? "less" : "more", format_mass(Mass::grams(std::abs(s.saving().grams()))),
                     s.saving().grams() >= 0 ? "avoided" : "added");
  out << fmt::format("      (job energy x the schedule's intensity series{}; coverage {:.0f} %; {} replan{})\n",
                     s.time_scale != 1.0 ? fmt::format(", time scale {}", s.time_scale) : "", 100 * s.coverage,
                     s.replans, s.replans == 1 ? "" : "s");
  if (s.events.empty()) return;
  out << fmt::format("    {:<24} {:<10} {:>7} {:>10}  {}\n", "time (UTC)", "event", "g/kWh", "work done", "note");
  for (const auto& e : s.events)
    out << fmt::format("    {:<24} {:<10} {:>7} {:>10}  {}\n", format_utc(e.time), e.kind,
                       intensity_text(e.intensity_g_per_kwh), format_duration(e.work_done), e.note);
}

engine::Services services_for(const Context& ctx) {
  engine::Services services;
  services.store_path = ctx.store_path();
  return services;
}

Result<engine::RunFilter> filter_of(const RunsOptions& o) {
  if (o.json && o.csv) return make_error(ErrorKind::kUsage, "choose one of --json and --csv");
  engine::RunFilter f;
  f.project = o.project;
  f.phase = o.phase;
  f.limit = o.limit;
  if (o.tag) {
    auto t = engine::parse_tag(*o.tag);
    if (!t) return make_error(ErrorKind::kUsage, "--tag: " + t.error().message);
    f.tag = *t;
  }
  const UtcTime now = SystemClock().utc_now();
  if (o.since) {
    auto t = parse_time_arg(*o.since, now);
    if (!t) return make_error(ErrorKind::kUsage, "--since: " + t.error().message);
    f.since = *t;
  }
  if (o.until) {
    auto t = parse_time_arg(*o.until, now);
    if (!t) return make_error(ErrorKind::kUsage, "--until: " + t.error().message);
    f.until = *t;
  }
  if (f.since && f.until && *f.until <= *f.since)
    return make_error(ErrorKind::kUsage, "--until must be after --since");
  return f;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int list_action(Context& ctx, const RunsOptions& o) {
  auto filter = filter_of(o);
  if (!filter) return report_error(ctx, filter.error());
  const auto services = services_for(ctx);
  std::ostream& out = *ctx.out;
  if (o.json) {
    // The whole records, as run.json has them.
    auto runs = engine::find_runs(*filter, services);
    if (!runs) return report_error(ctx, runs.error());
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : *runs) arr.push_back(nlohmann::json::parse(runner::to_json(r, -1)));
    out << arr.dump(2) << "\n";
    return 0;
  }
  // The table needs only the store's typed columns.
  auto runs = engine::find_run_rows(*filter, services);
  if (!runs) return report_error(ctx, runs.error());
  if (o.csv) {
    // SI units, unknown emissions as an empty cell (never 0).
    out << "id,started,project,phase,duration_s,exit_status,zone,job_energy_j,machine_energy_j,method,emissions_g,"
           "schedule_mode,schedule_emissions_g,schedule_at_once_g\n";
    for (const auto& r : *runs)
      out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_cell(r.id), format_utc(r.started),
                         csv_cell(r.project), csv_cell(r.phase), to_seconds(r.duration), r.exit_status,
                         csv_cell(r.zone), r.job_energy.joules(), r.machine_energy.joules(),
                         sensors::to_string(r.method), r.emissions ? fmt::format("{}", r.emissions->grams()) : "",
                         r.schedule_mode ? csv_cell(*r.schedule_mode) : "",
                         r.schedule_mode ? fmt::format("{}", r.schedule_emissions.grams()) : "",
                         r.schedule_mode ? fmt::format("{}", r.schedule_at_once.grams()) : "");
    return 0;
  }
  if (runs->empty()) {
    out << "no runs recorded in " << ctx.store_path() << (filter->project || filter->phase || filter->since || filter->until || filter->tag ? " that match" : "") << "\n";
    return 0;
  }
  Energy largest_energy;
  Mass largest_mass;
  for (const auto& r : *runs) {
    largest_energy = std::max(largest_energy, r.job_energy);
    if (r.emissions) largest_mass = std::max(largest_mass, *r.emissions);
  }
  const auto eu = energy_column_unit(largest_energy);
  const auto mu = mass_column_unit(largest_mass);
  out << fmt::format("{:<24} {:<24} {:<14} {:<12} {:>8} {:>12} {:<10} {:>11} {:>4}  {}\n", "id", "started",
                     "project", "phase", "duration", "job energy", "method", "CO2e", "exit", "schedule");
  for (const auto& r : *runs) {
    // A scheduled run: its mode and the saving against running at once.
    const std::string schedule =
        r.schedule_mode ? fmt::format("{}, {:.0f}% {}", *r.schedule_mode, std::abs(r.schedule_saving_percent()),
                                      r.schedule_saving().grams() >= 0 ? "less" : "more")
                        : "-";
    out << fmt::format("{:<24} {:<24} {:<14} {:<12} {:>8} {:>12} {:<10} {:>11} {:>4}  {}\n", r.id,
                       format_utc(r.started), r.project.empty() ? "-" : r.project, r.phase.empty() ? "-" : r.phase,
                       format_duration(r.duration), format_in(r.job_energy, eu), sensors::to_string(r.method),
                       r.emissions ? format_in(*r.emissions, mu) : "unknown", r.exit_status, schedule);
  }
  return 0;
}

int show_action(Context& ctx, const RunsOptions& o) {
  if (o.id.starts_with("slurm:")) return show_slurm_job(ctx, o.id.substr(6), o.json);  // runs_slurm_show.cc
  auto r = engine::get_run(o.id, services_for(ctx));
  if (!r) return report_error(ctx, r.error());
  std::ostream& out = *ctx.out;
  auto tags = engine::run_tags(r->id, services_for(ctx));
  if (!tags) return report_error(ctx, tags.error());
  if (o.json) {
    // The run.json record, with the store's tags beside it.
    auto j = nlohmann::ordered_json::parse(runner::to_json(*r));
    if (!tags->empty()) j["tags"] = *tags;
    out << j.dump(2) << "\n";
    return 0;
  }
  out << fmt::format("run {}{}\n", r->id, r->simulated() ? " [SIMULATED]" : "");
  if (!tags->empty()) {
    out << "  tags:    ";
    for (const auto& [k, v] : *tags) out << " " << k << "=" << v;
    out << "\n";
  }
  out << fmt::format("  command:  {}\n", fmt::join(r->command, " "));
  out << fmt::format("  project:  {}   phase: {}\n", r->project.empty() ? "-" : r->project,
                     r->phase.empty() ? "-" : r->phase);
  out << fmt::format("  started:  {}   duration: {}   exit status: {}\n", format_utc(r->started),
                     format_duration(r->duration), r->exit_status);
  out << fmt::format("  zone:     {} (from {})\n", r->zone.empty() ? "world average" : r->zone, r->zone_source);
  out << fmt::format("  sensors:  {}\n", r->sensors);
  for (const auto& c : r->components)
    out << fmt::format("  {:<9} job {:>11} of machine {:>11}  {}\n", sensors::to_string(c.component),
                       format_energy(c.job), format_energy(c.machine), sensors::to_string(c.method));
  out << fmt::format("  total     job {:>11} of machine {:>11}  {}\n", format_energy(r->job_energy()),
                     format_energy(r->machine_energy()), sensors::to_string(r->weakest_method()));
  if (r->average)
    out << fmt::format("  emissions (average): {} CO2e at {:.0f} g/kWh, PUE {:.2f}; {}\n", format_mass(r->average->job),
                       r->average->mean_intensity.grams_per_kwh(), r->pue, r->average->source);
  if (r->marginal)
    out << fmt::format("  emissions (marginal): {} CO2e at {:.0f} g/kWh\n", format_mass(r->marginal->job),
                       r->marginal->mean_intensity.grams_per_kwh());
  if (r->schedule) print_schedule(out, *r->schedule);
  for (const auto& n : r->sensor_notes) out << "  note: " << n << "\n";
  for (const auto& w : r->warnings) out << "  warning: " << w << "\n";
  out << "  files: " << r->out_dir << "\n";
  return 0;
}

int summary_action(Context& ctx, const RunsOptions& o) {
  auto filter = filter_of(o);
  if (!filter) return report_error(ctx, filter.error());
  auto groups = engine::run_totals(o.by, *filter, services_for(ctx));
  if (!groups) return report_error(ctx, groups.error());
  std::ostream& out = *ctx.out;
  if (o.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& g : *groups)
      arr.push_back({{o.by, g.key},
                     {"runs", g.runs},
                     {"duration_s", to_seconds(g.duration)},
                     {"job_energy_j", g.job_energy.joules()},
                     {"machine_energy_j", g.machine_energy.joules()},
                     {"emissions_g", g.emissions.grams()},
                     {"runs_without_emissions", g.runs_without_emissions},
                     {"weakest_method", std::string(sensors::to_string(g.weakest_method))},
                     {"scheduled_runs", g.scheduled_runs},
                     {"scheduling_avoided_g", g.scheduling_avoided.grams()}});
    out << arr.dump(2) << "\n";
    return 0;
  }
  if (o.csv) {
    out << o.by << ",runs,duration_s,job_energy_j,machine_energy_j,emissions_g,runs_without_emissions,weakest_method,"
                   "scheduled_runs,scheduling_avoided_g\n";
    for (const auto& g : *groups)
      out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_cell(g.key), g.runs, to_seconds(g.duration),
                         g.job_energy.joules(), g.machine_energy.joules(),
                         g.runs_without_emissions == g.runs ? std::string() : fmt::format("{}", g.emissions.grams()),
                         g.runs_without_emissions, sensors::to_string(g.weakest_method), g.scheduled_runs,
                         g.scheduling_avoided.grams());
    return 0;
  }
  // One unit per column, that of the total.
  Energy all_job, all_machine;
  Mass all_co2;
  for (const auto& g : *groups) {
    all_job += g.job_energy;
    all_machine += g.machine_energy;
    all_co2 += g.emissions;
  }
  const auto eu = energy_column_unit(std::max(all_job, all_machine));
  const auto mu = mass_column_unit(all_co2);
  out << fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11} {:<10}\n", o.by, "runs", "duration", "job energy",
                     "machine", "CO2e", "method");
  Energy job, machine;
  Mass co2;
  Mass avoided;
  size_t runs = 0, scheduled = 0, unknown = 0;
  // A group whose runs have no emissions says "unknown", never 0 g.
  const auto co2_text = [&mu](Mass m, size_t known) { return known == 0 ? std::string("unknown") : format_in(m, mu); };
  for (const auto& g : *groups) {
    out << fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11} {:<10}\n", g.key.empty() ? "(none)" : g.key, g.runs,
                       format_duration(g.duration), format_in(g.job_energy, eu), format_in(g.machine_energy, eu),
                       co2_text(g.emissions, g.runs - g.runs_without_emissions), sensors::to_string(g.weakest_method));
    unknown += g.runs_without_emissions;
    job += g.job_energy;
    machine += g.machine_energy;
    co2 += g.emissions;
    runs += g.runs;
    scheduled += g.scheduled_runs;
    avoided += g.scheduling_avoided;
  }
  out << fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11}\n", "total", runs, "", format_in(job, eu),
                     format_in(machine, eu), co2_text(co2, runs - unknown));
  if (unknown)
    out << fmt::format("note: {} of {} run{} have no emissions (unknown, not counted as 0 g in CO2e)\n", unknown, runs,
                       runs == 1 ? "" : "s");
  if (scheduled)
    out << fmt::format(
        "scheduling: {} of {} run{} carbon-aware; {} CO2e {} against running them at once "
        "(computed on the forecast or series each schedule used, not on measured intensity)\n",
        scheduled, runs, runs == 1 ? "" : "s", format_mass(Mass::grams(std::abs(avoided.grams()))),
        avoided.grams() >= 0 ? "avoided" : "added");
  return 0;
}

int import_action(Context& ctx, const RunsOptions& o) {
  engine::Services services;
  services.store_path = ctx.store_path();
  auto imported = engine::import_runs(o.files, services);
  if (!imported) return report_error(ctx, imported.error());
  for (const auto& id : imported->ids) *ctx.out << "imported run " << id << "\n";
  return 0;
}

}  // namespace

void add_runs_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<RunsOptions>();
  CLI::App* runs = app.add_subcommand("runs", "Runs recorded by `greenrun run`");
  runs->require_subcommand(1);
  CLI::App* list = runs->add_subcommand("list", "List recorded runs, newest first");
  const auto filters = [o](CLI::App* sub) {
    sub->add_option("--project", o->project, "Only this project");
    sub->add_option("--phase", o->phase, "Only this phase");
    sub->add_option("--since", o->since, "Runs that started at or after T (ISO 8601, now-7d ...)");
    sub->add_option("--until", o->until, "Runs that started before T");
    sub->add_flag("--csv", o->csv, "CSV output (SI units: s, J, g; unknown emissions empty)");
    sub->add_option("--tag", o->tag, "Only runs tagged KEY=VALUE (greenrun runs tag)");
  };
  filters(list);
  list->add_option("--limit", o->limit, "At most this many (default 50)");
  list->add_flag("--json", o->json, "JSON output");
  list->callback([&ctx, &action, o] { action = [&ctx, o] { return list_action(ctx, *o); }; });
  CLI::App* show = runs->add_subcommand("show", "Show one run, or a Slurm job's energy across nodes (slurm:JOBID)");
  show->add_option("id", o->id, "Run id or a unique prefix; slurm:JOBID for a Slurm job's per-node records")->required();
  show->add_flag("--json", o->json, "JSON output (the run.json record)");
  show->callback([&ctx, &action, o] { action = [&ctx, o] { return show_action(ctx, *o); }; });
  CLI::App* summary = runs->add_subcommand("summary", "Totals by project, phase, zone or month");
  summary->add_option("--by", o->by, "project, phase, zone or month (UTC; default project)")
      ->check(CLI::IsMember({"project", "phase", "zone", "month"}));
  filters(summary);
  summary->add_flag("--json", o->json, "JSON output");
  summary->callback([&ctx, &action, o] { action = [&ctx, o] { return summary_action(ctx, *o); }; });
  CLI::App* import = runs->add_subcommand("import", "Add run records (run.json) to the store, e.g. one it could not take");
  import->add_option("files", o->files, "run.json files")->required();
  import->callback([&ctx, &action, o] { action = [&ctx, o] { return import_action(ctx, *o); }; });
  add_runs_admin_commands(*runs, ctx, action);
}

}  // namespace greenrun::cli
