// The renderings behind `greenrun runs` (include/greenrun/run_views.h),
// moved from apps/greenrun so that the CLI only parses, calls and writes.
#include "greenrun/run_views.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "greenrun/runner/run_record.h"
#include "runner/run_store.h"

namespace greenrun::engine {
namespace {

std::string intensity_text(const std::optional<CarbonIntensity>& i) {
  return i ? fmt::format("{:.0f}", i->grams_per_kwh()) : "-";
}

// The "Schedule" block of `runs show`: the schedule actually executed.
std::string schedule_text(const runner::ScheduleSummary& s) {
  std::string out;
  out += fmt::format("  Schedule: {}{}{}\n", s.mode, s.pause_mode.empty() ? "" : " (" + s.pause_mode + ")",
                     s.interrupted ? ", interrupted" : "");
  out += fmt::format("    forecast used: {}\n", s.forecast_label.empty() ? "(not recorded)" : s.forecast_label);
  if (s.deadline)
    out += fmt::format("    deadline: {}, {}\n", format_utc(*s.deadline), s.deadline_met ? "met" : "MISSED");
  else if (s.latest_start)
    out += fmt::format("    latest start: {}\n", format_utc(*s.latest_start));
  if (s.guard_engaged) out += "    the deadline guard ran the job regardless of intensity at some point\n";
  const size_t pauses = s.pauses();
  out += fmt::format("    waited {} before the start, {} pause{} ({} paused), run time {}, time added {}\n",
                     format_duration(s.waited), pauses, pauses == 1 ? "" : "s", format_duration(s.paused),
                     format_duration(s.run_time), format_duration(s.time_added));
  out += fmt::format("    emissions: {} CO2e against {} had it run at once: {:.1f} % {} ({} {})\n",
                     format_mass(s.emissions), format_mass(s.at_once), std::abs(s.saving_percent()),
                     s.saving().grams() >= 0 ? "less" : "more", format_mass(Mass::grams(std::abs(s.saving().grams()))),
                     s.saving().grams() >= 0 ? "avoided" : "added");
  out += fmt::format("      (job energy x the schedule's intensity series{}; coverage {:.0f} %; {} replan{})\n",
                     s.time_scale != 1.0 ? fmt::format(", time scale {}", s.time_scale) : "", 100 * s.coverage,
                     s.replans, s.replans == 1 ? "" : "s");
  if (s.events.empty()) return out;
  out += fmt::format("    {:<24} {:<10} {:>7} {:>10}  {}\n", "time (UTC)", "event", "g/kWh", "work done", "note");
  for (const auto& e : s.events)
    out += fmt::format("    {:<24} {:<10} {:>7} {:>10}  {}\n", format_utc(e.time), e.kind, intensity_text(e.intensity),
                       format_duration(e.work_done), e.note);
  return out;
}

std::string csv_cell(const std::string& s) { return quote_csv(s); }

}  // namespace

std::string run_record_json(const runner::RunRecord& record, int indent) { return runner::to_json(record, indent); }

std::string runs_json(const std::vector<runner::RunRecord>& runs) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : runs) arr.push_back(nlohmann::json::parse(runner::to_json(r, -1)));
  return arr.dump(2) + "\n";
}

std::string run_rows_csv(const std::vector<runner::RunRow>& rows) {
  std::string out =
      "id,started,project,phase,duration_s,exit_status,zone,job_energy_j,machine_energy_j,method,emissions_g,"
      "schedule_mode,schedule_emissions_g,schedule_at_once_g\n";
  for (const auto& r : rows)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_cell(r.id), format_utc(r.started),
                       csv_cell(r.project), csv_cell(r.phase), to_seconds(r.duration), r.exit_status,
                       csv_cell(r.zone), r.job_energy.joules(), r.machine_energy.joules(),
                       sensors::to_string(r.method), r.emissions ? fmt::format("{}", r.emissions->grams()) : "",
                       r.schedule_mode ? csv_cell(*r.schedule_mode) : "",
                       r.schedule_mode ? fmt::format("{}", r.schedule_emissions.grams()) : "",
                       r.schedule_mode ? fmt::format("{}", r.schedule_at_once.grams()) : "");
  return out;
}

std::string run_rows_table(const std::vector<runner::RunRow>& rows) {
  Energy largest_energy;
  Mass largest_mass;
  for (const auto& r : rows) {
    largest_energy = std::max(largest_energy, r.job_energy);
    if (r.emissions) largest_mass = std::max(largest_mass, *r.emissions);
  }
  const auto eu = energy_column_unit(largest_energy);
  const auto mu = mass_column_unit(largest_mass);
  std::string out = fmt::format("{:<24} {:<24} {:<14} {:<12} {:>8} {:>12} {:<10} {:>11} {:>4}  {}\n", "id", "started",
                                "project", "phase", "duration", "job energy", "method", "CO2e", "exit", "schedule");
  for (const auto& r : rows) {
    // A scheduled run: its mode and the saving against running at once.
    const std::string schedule =
        r.schedule_mode ? fmt::format("{}, {:.0f}% {}", *r.schedule_mode, std::abs(r.schedule_saving_percent()),
                                      r.schedule_saving().grams() >= 0 ? "less" : "more")
                        : "-";
    out += fmt::format("{:<24} {:<24} {:<14} {:<12} {:>8} {:>12} {:<10} {:>11} {:>4}  {}\n", r.id,
                       format_utc(r.started), r.project.empty() ? "-" : r.project, r.phase.empty() ? "-" : r.phase,
                       format_duration(r.duration), format_in(r.job_energy, eu), sensors::to_string(r.method),
                       r.emissions ? format_in(*r.emissions, mu) : "unknown", r.exit_status, schedule);
  }
  return out;
}

std::string run_show_json(const runner::RunRecord& record, const std::map<std::string, std::string>& tags) {
  auto j = nlohmann::ordered_json::parse(runner::to_json(record));
  if (!tags.empty()) j["tags"] = tags;
  return j.dump(2) + "\n";
}

std::string run_show_text(const runner::RunRecord& record, const std::map<std::string, std::string>& tags) {
  const runner::RunRecord* r = &record;
  std::string out = fmt::format("run {}{}\n", r->id, r->simulated() ? " [SIMULATED]" : "");
  if (!tags.empty()) {
    out += "  tags:    ";
    for (const auto& [k, v] : tags) out += " " + k + "=" + v;
    out += "\n";
  }
  out += fmt::format("  command:  {}\n", fmt::join(r->command, " "));
  out += fmt::format("  project:  {}   phase: {}\n", r->project.empty() ? "-" : r->project,
                     r->phase.empty() ? "-" : r->phase);
  out += fmt::format("  started:  {}   duration: {}   exit status: {}\n", format_utc(r->started),
                     format_duration(r->duration), r->exit_status);
  out += fmt::format("  zone:     {} (from {})\n", r->zone.empty() ? "world average" : r->zone, r->zone_source);
  out += fmt::format("  sensors:  {}\n", r->sensors);
  for (const auto& c : r->components)
    out += fmt::format("  {:<9} job {:>11} of machine {:>11}  {}\n", sensors::to_string(c.component),
                       format_energy(c.job), format_energy(c.machine), sensors::to_string(c.method));
  out += fmt::format("  total     job {:>11} of machine {:>11}  {}\n", format_energy(r->job_energy()),
                     format_energy(r->machine_energy()), sensors::to_string(r->weakest_method()));
  if (r->average)
    out += fmt::format("  emissions (average): {} CO2e at {:.0f} g/kWh, PUE {:.2f}; {}\n", format_mass(r->average->job),
                       r->average->mean_intensity.grams_per_kwh(), r->pue, r->average->source);
  if (r->marginal)
    out += fmt::format("  emissions (marginal): {} CO2e at {:.0f} g/kWh\n", format_mass(r->marginal->job),
                       r->marginal->mean_intensity.grams_per_kwh());
  if (r->schedule) out += schedule_text(*r->schedule);
  for (const auto& n : r->sensor_notes) out += "  note: " + n + "\n";
  for (const auto& w : r->warnings) out += "  warning: " + w + "\n";
  out += "  files: " + r->out_dir + "\n";
  return out;
}

std::string run_totals_json(const std::string& by, const std::vector<runner::RunTotals>& groups) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& g : groups)
    arr.push_back({{by, g.key},
                   {"runs", g.runs},
                   {"duration_s", to_seconds(g.duration)},
                   {"job_energy_j", g.job_energy.joules()},
                   {"machine_energy_j", g.machine_energy.joules()},
                   {"emissions_g", g.emissions.grams()},
                   {"runs_without_emissions", g.runs_without_emissions},
                   {"weakest_method", std::string(sensors::to_string(g.weakest_method))},
                   {"scheduled_runs", g.scheduled_runs},
                   {"scheduling_avoided_g", g.scheduling_avoided.grams()}});
  return arr.dump(2) + "\n";
}

std::string run_totals_csv(const std::string& by, const std::vector<runner::RunTotals>& groups) {
  std::string out = by +
                    ",runs,duration_s,job_energy_j,machine_energy_j,emissions_g,runs_without_emissions,weakest_method,"
                    "scheduled_runs,scheduling_avoided_g\n";
  for (const auto& g : groups)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_cell(g.key), g.runs, to_seconds(g.duration),
                       g.job_energy.joules(), g.machine_energy.joules(),
                       g.runs_without_emissions == g.runs ? std::string() : fmt::format("{}", g.emissions.grams()),
                       g.runs_without_emissions, sensors::to_string(g.weakest_method), g.scheduled_runs,
                       g.scheduling_avoided.grams());
  return out;
}

std::string run_totals_table(const std::string& by, const std::vector<runner::RunTotals>& groups) {
  // One unit per column, that of the total.
  Energy all_job, all_machine;
  Mass all_co2;
  for (const auto& g : groups) {
    all_job += g.job_energy;
    all_machine += g.machine_energy;
    all_co2 += g.emissions;
  }
  const auto eu = energy_column_unit(std::max(all_job, all_machine));
  const auto mu = mass_column_unit(all_co2);
  std::string out = fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11} {:<10}\n", by, "runs", "duration",
                                "job energy", "machine", "CO2e", "method");
  Energy job, machine;
  Mass co2;
  Mass avoided;
  size_t runs = 0, scheduled = 0, unknown = 0;
  // A group whose runs have no emissions says "unknown", never 0 g.
  const auto co2_text = [&mu](Mass m, size_t known) { return known == 0 ? std::string("unknown") : format_in(m, mu); };
  for (const auto& g : groups) {
    out += fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11} {:<10}\n", g.key.empty() ? "(none)" : g.key, g.runs,
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
  out += fmt::format("{:<20} {:>5} {:>9} {:>12} {:>12} {:>11}\n", "total", runs, "", format_in(job, eu),
                     format_in(machine, eu), co2_text(co2, runs - unknown));
  if (unknown)
    out += fmt::format("note: {} of {} run{} have no emissions (unknown, not counted as 0 g in CO2e)\n", unknown, runs,
                       runs == 1 ? "" : "s");
  if (scheduled)
    out += fmt::format(
        "scheduling: {} of {} run{} carbon-aware; {} CO2e {} against running them at once "
        "(computed on the forecast or series each schedule used, not on measured intensity)\n",
        scheduled, runs, runs == 1 ? "" : "s", format_mass(Mass::grams(std::abs(avoided.grams()))),
        avoided.grams() >= 0 ? "avoided" : "added");
  return out;
}

std::string slurm_job_json(const JobEnergy& job, const SlurmConsumedEnergy& slurm) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : job.nodes)
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
      {"job_id", job.job_id},
      {"energy_j", job.energy.joules()},
      {"method", std::string(sensors::to_string(job.method))},
      {"emissions_g", job.emissions ? nlohmann::ordered_json(job.emissions->grams()) : nullptr},
      {"nodes", nodes},
      {"slurm_consumed_energy_j", slurm.energy ? nlohmann::ordered_json(slurm.energy->joules()) : nullptr},
      {"slurm_consumed_energy_note", slurm.reason},
      {"warnings", job.warnings}};
  return j.dump(2) + "\n";
}

std::string slurm_job_text(const JobEnergy& job, const SlurmConsumedEnergy& slurm) {
  std::string out =
      fmt::format("slurm job {}: {} node{}\n", job.job_id, job.nodes.size(), job.nodes.size() == 1 ? "" : "s");
  out += fmt::format("  {:<16} {:<14} {:<22} {:<22} {:>9} {:>12} {:>12}  {}\n", "node", "zone", "from (UTC)",
                     "to (UTC)", "intervals", "energy", "CO2e", "method, attribution");
  for (const auto& n : job.nodes)
    out += fmt::format("  {:<16} {:<14} {:<22} {:<22} {:>9} {:>12} {:>12}  {}, {}\n", n.node,
                       n.zone.empty() ? "world avg" : n.zone, format_utc(n.from), format_utc(n.to), n.intervals,
                       format_energy(n.energy), n.emissions ? format_mass(*n.emissions) : "unknown",
                       sensors::to_string(n.method), n.attribution);
  out += fmt::format("  total: {} ({}), {} CO2e, each node priced at its zone and time\n", format_energy(job.energy),
                     sensors::to_string(job.method), job.emissions ? format_mass(*job.emissions) : "unknown");
  for (const auto& n : job.nodes)
    out += fmt::format("    {}: {} (coverage {:.0f} %)\n", n.node, n.source.empty() ? "no energy priced" : n.source,
                       100 * n.coverage);
  out += "  the idle share of each node is not charged to any job\n";
  out += "  Slurm's ConsumedEnergy: " + (slurm.energy ? format_energy(*slurm.energy) + " (sacct)" : slurm.reason) + "\n";
  for (const auto& w : job.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace greenrun::engine
