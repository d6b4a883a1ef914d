#include "report/statement.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"

namespace greenrun::report {
namespace {

void add_distinct(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

int year_of(UtcTime t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  return static_cast<int>(std::chrono::year_month_day(days).year());
}

std::string plural(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The facts a run's average-signal breakdown (greenrun.emissions/1) adds.
struct BreakdownFacts {
  bool read = false;
  double operational_g = 0, overhead_g = 0, embodied_g = 0;
  bool has_embodied = false;
  double time_resolved_j = 0, fallback_j = 0, unpriced_j = 0;
  std::string series_source, origin, fallback_source;
  std::vector<std::string> reasons;
};

BreakdownFacts read_breakdown(const runner::RunRecord& r,
                              std::vector<std::string>& problems) {
  BreakdownFacts f;
  if (!r.emissions_job) {
    if (r.intervals > 0)
      problems.push_back(
          fmt::format("Run {} has no emissions breakdown in its record; its "
                      "coverage and PUE lines are "
                      "left out.",
                      r.id));
    return f;
  }
  const accounting::EmissionsBreakdown& b = r.emissions_job->breakdown;
  f.read = true;
  const accounting::SignalEmissions& op = b.average;
  f.operational_g = op.operational.grams();
  f.time_resolved_j = op.energy_time_resolved.joules();
  f.fallback_j = op.energy_fallback.joules();
  f.unpriced_j = op.energy_unpriced.joules();
  if (!op.series_source.empty()) {
    f.series_source = op.series_source;
    f.origin = std::string(intensity::to_string(op.series_origin));
  }
  if (op.fallback) f.fallback_source = op.fallback->source;
  f.reasons = op.estimate_reasons;
  f.overhead_g = b.pue_overhead.grams();
  if (b.embodied) {
    f.has_embodied = true;
    f.embodied_g = b.embodied->amount.grams();
  }
  return f;
}

std::string hardware_line(const runner::RunRecord& r) {
  std::vector<std::string> parts;
  if (r.gpu_count > 0)
    parts.push_back(fmt::format("{} x {} (gpu)", r.gpu_count,
                                r.gpu_model.empty() ? "GPU" : r.gpu_model));
  if (!r.cpu_model.empty())
    parts.push_back(fmt::format("{}{} (cpu)", r.cpu_model,
                                r.cpu_count > 0
                                    ? fmt::format(", {} threads", r.cpu_count)
                                    : std::string()));
  if (r.ram_total_gb > 0)
    parts.push_back(fmt::format("{:.0f} GB RAM", r.ram_total_gb));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out.empty() ? std::string("not recorded") : out;
}

void write_caveats(Statement& s, const std::vector<runner::RunRecord>& runs,
                   size_t simulated, size_t estimated, size_t world,
                   size_t typical) {
  auto& c = s.caveats;
  if (s.runs == 0) {
    c.push_back("No runs match the selection, so there is nothing to report.");
    return;
  }
  if (simulated)
    c.push_back(
        fmt::format("{} of {} used the simulated (fake) sensor: their energy "
                    "is invented, not measured.",
                    simulated, plural(s.runs, "run", "runs")));
  if (estimated)
    c.push_back(
        fmt::format("Part of the energy of {} of {} is estimated from a model, "
                    "not read from a hardware "
                    "counter (reasons below).",
                    estimated, plural(s.runs, "run", "runs")));
  c.push_back(fmt::format(
      "Job energy ({}) is the job's attributed share of the machine's energy "
      "({}).",
      format_energy(s.job_energy), format_energy(s.machine_energy)));
  if (s.runs_with_emissions < s.runs)
    c.push_back(fmt::format(
        "{} of {} have no emissions figure; they are not counted as zero.",
        s.runs - s.runs_with_emissions, plural(s.runs, "run", "runs")));
  if (s.fallback.joules() > 0)
    c.push_back(fmt::format(
        "{} ({:.0f} % of the priced energy) was priced at a zone's annual "
        "mean, not at "
        "time-resolved data.",
        format_energy(s.fallback),
        100 * s.fallback.joules() /
            std::max(1e-12, (s.fallback + s.time_resolved).joules())));
  if (s.unpriced.joules() > 0)
    c.push_back(fmt::format(
        "{} had no intensity data at all and is not in the emissions total.",
        format_energy(s.unpriced)));
  if (s.zones.size() > 1)
    c.push_back(
        fmt::format("The runs used {} grid zones; each run is priced with its "
                    "own zone's data and the "
                    "figures are summed.",
                    s.zones.size()));
  if (world)
    c.push_back(
        fmt::format("{} had no known location and {} priced at the world "
                    "average intensity.",
                    plural(world, "run", "runs"), world == 1 ? "was" : "were"));
  if (typical)
    c.push_back(
        fmt::format("{} priced with a forecast or a typical profile rather "
                    "than actual intensity data.",
                    plural(typical, "run was", "runs were")));
  if (s.runs_with_marginal)
    c.push_back(
        fmt::format("Marginal emissions ({}) estimate the effect of the added "
                    "load and are reported apart, "
                    "never added to the average figure.",
                    format_mass(s.marginal)));
  else
    c.push_back(
        "No marginal figure is given: no marginal intensity data covered the "
        "runs.");
  if (s.pue_max <= 1.0)
    c.push_back(
        "A PUE of 1.0 was used, so no data-centre overhead (cooling, power "
        "conversion) is counted.");
  if (s.runs_with_embodied)
    c.push_back(
        fmt::format("Embodied emissions of the hardware ({}) are an estimate "
                    "and are reported apart from the "
                    "operational total.",
                    format_mass(s.embodied)));
  else
    c.push_back("Embodied emissions of the hardware are not included.");
  if (s.scheduled_runs)
    c.push_back(
        "Emissions avoided by carbon-aware scheduling are computed on the "
        "forecast or series each schedule "
        "used, not on measured intensity.");
  if (s.flexible_runs)
    c.push_back(
        "The best-start figure is hindsight over the 24 h after each start: a "
        "potential saving, not one "
        "realised.");
  (void)runs;
}

}  // namespace

double Statement::time_resolved_share() const {
  const double all = (time_resolved + fallback + unpriced).joules();
  return all > 0 ? time_resolved.joules() / all : 0.0;
}

Statement build_statement(const std::vector<runner::RunRecord>& runs,
                          const std::string& scope,
                          const std::map<std::string, ZoneFacts>& zone_facts) {
  Statement s;
  s.scope = scope;
  s.version = std::string(runner::greenrun_version());
  s.runs = runs.size();
  std::vector<std::string> sources;
  size_t simulated = 0, estimated = 0, world = 0, typical = 0;
  bool first_pue = true;
  for (const auto& r : runs) {
    if (!s.first_start || r.started < *s.first_start) s.first_start = r.started;
    if (!s.last_end || r.ended > *s.last_end) s.last_end = r.ended;
    s.duration += r.duration;
    s.job_energy += r.job_energy();
    s.machine_energy += r.machine_energy();
    if (r.average) {
      s.emissions += r.average->job;
      ++s.runs_with_emissions;
      add_distinct(sources, r.average->source);
    }
    if (r.marginal) {
      s.marginal += r.marginal->job;
      ++s.runs_with_marginal;
      add_distinct(sources, r.marginal->source);
    }
    if (first_pue) {
      s.pue_min = s.pue_max = r.pue;
      first_pue = false;
    }
    s.pue_min = std::min(s.pue_min, r.pue);
    s.pue_max = std::max(s.pue_max, r.pue);
    add_distinct(s.recorded_versions, r.greenrun_version.empty()
                                          ? "unversioned"
                                          : r.greenrun_version);
    add_distinct(s.hardware, hardware_line(r));

    bool run_estimated = false;
    double gpus_in_run = 0;
    for (const auto& c : r.components) {
      const std::string name(sensors::to_string(c.component));
      auto it = std::find_if(
          s.components.begin(), s.components.end(),
          [&](const StatementComponent& x) { return x.component == name; });
      if (it == s.components.end()) {
        s.components.push_back({name, c.job, c.method});
      } else {
        it->energy += c.job;
        it->method = sensors::weaker(it->method, c.method);
      }
      if (c.method == sensors::Method::kEstimated) run_estimated = true;
      if (c.component == sensors::Component::kGpu && c.machine.joules() > 0)
        gpus_in_run += c.devices.empty()
                           ? std::max(1, r.gpu_count)
                           : static_cast<double>(c.devices.size());
    }
    s.accelerator_hours += gpus_in_run * to_seconds(r.duration) / 3600.0;
    if (r.simulated()) ++simulated;
    if (run_estimated) {
      ++estimated;
      for (const auto& n : r.sensor_notes) add_distinct(s.estimate_reasons, n);
    }
    if (r.zone.empty()) ++world;

    const BreakdownFacts f = read_breakdown(r, s.problems);
    if (f.read) {
      s.operational_average += Mass::grams(f.operational_g);
      s.pue_overhead += Mass::grams(f.overhead_g);
      s.time_resolved += Energy::joules(f.time_resolved_j);
      s.fallback += Energy::joules(f.fallback_j);
      s.unpriced += Energy::joules(f.unpriced_j);
      if (f.has_embodied) {
        s.embodied += Mass::grams(f.embodied_g);
        ++s.runs_with_embodied;
      }
      for (const auto& x : f.reasons) add_distinct(s.estimate_reasons, x);
      if (!f.origin.empty() && f.origin != "actual") ++typical;
      add_distinct(sources, f.series_source);
      add_distinct(sources, f.fallback_source);
    }

    auto z =
        std::find_if(s.zones.begin(), s.zones.end(),
                     [&](const StatementZone& x) { return x.zone == r.zone; });
    if (z == s.zones.end()) {
      s.zones.push_back({});
      z = s.zones.end() - 1;
      z->zone = r.zone;
      if (const auto facts = zone_facts.find(r.zone); facts != zone_facts.end())
        z->resolution = facts->second.resolution;
    }
    ++z->runs;
    z->energy += r.job_energy();
    add_distinct(z->sources,
                 f.read && !f.series_source.empty()
                     ? f.series_source
                     : (r.average ? r.average->source : std::string()));
    add_distinct(z->origins, f.origin);
    add_distinct(z->fallback_sources, f.fallback_source);
    const int y = year_of(r.started);
    if (std::find(z->years.begin(), z->years.end(), y) == z->years.end())
      z->years.push_back(y);
    std::sort(z->years.begin(), z->years.end());

    if (r.schedule) {
      ++s.scheduled_runs;
      s.scheduled_emissions += r.schedule->emissions;
      s.scheduled_at_once += r.schedule->at_once;
    }
    if (r.flexible_start.computed) {
      ++s.flexible_runs;
      s.flexible_baseline += r.flexible_start.baseline;
      s.flexible_best += r.flexible_start.emissions;
    }
    if (r.intervals == 0 && r.duration.count() > 0)
      s.problems.push_back(fmt::format(
          "Run {} recorded no sampling interval, so its energy is zero.",
          r.id));
  }
  write_caveats(s, runs, simulated, estimated, world, typical);
  s.citations = citations_for(sources);
  return s;
}

}  // namespace greenrun::report
