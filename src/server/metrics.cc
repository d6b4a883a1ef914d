#include "server/metrics.h"

#include <fmt/format.h>

#include <cmath>

#include "greenrun/intensity/signal.h"
#include "greenrun/live_runs.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::server {
namespace {

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

using Labels = std::vector<std::pair<std::string, std::string>>;

Labels run_labels(const runner::RunRecord& r) {
  return {{"run_id", r.id}, {"project", r.project}, {"phase", r.phase}, {"zone", r.zone}};
}

Labels with(Labels base, std::initializer_list<std::pair<std::string, std::string>> more) {
  base.insert(base.end(), more);
  return base;
}

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Exposition::family(const std::string& name, Type type, const std::string& help) {
  name_ = name;
  text_ += "# HELP " + name + " " + help + "\n";
  text_ += "# TYPE " + name + (type == Type::kCounter ? " counter\n" : " gauge\n");
}

void Exposition::add(const Labels& labels, double value) {
  text_ += name_;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) text_ += ',';
      text_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
    }
    text_ += '}';
  }
  text_ += ' ' + number(value) + '\n';
}

void write_run_metrics(Exposition& out, const engine::RunMetrics& m) {
  using T = Exposition::Type;
  out.family("greenrun_run_energy_joules_total", T::kCounter,
             "Energy of a recorded run per component, attributed to the job (scope=job) or the whole machine "
             "(scope=machine), with how it was obtained (method).");
  for (const auto& r : m.runs)
    for (const auto& c : r.components) {
      const std::string comp(sensors::to_string(c.component)), method(sensors::to_string(c.method));
      out.add(with(run_labels(r), {{"component", comp}, {"method", method}, {"scope", "job"}}), c.job.joules());
      out.add(with(run_labels(r), {{"component", comp}, {"method", method}, {"scope", "machine"}}),
              c.machine.joules());
    }
  out.family("greenrun_run_power_watts", T::kGauge, "Mean power of a recorded run's job over its duration.");
  for (const auto& r : m.runs) out.add(run_labels(r), r.job_power().watts());
  out.family("greenrun_run_duration_seconds", T::kGauge, "Duration of a recorded run.");
  for (const auto& r : m.runs) out.add(run_labels(r), std::chrono::duration<double>(r.duration).count());
  out.family("greenrun_run_emissions_grams_total", T::kCounter,
             "Operational emissions of a recorded run's job (energy x PUE x intensity), per signal.");
  for (const auto& r : m.runs) {
    if (r.average) out.add(with(run_labels(r), {{"signal", r.average->signal}}), r.average->job.grams());
    if (r.marginal) out.add(with(run_labels(r), {{"signal", r.marginal->signal}}), r.marginal->job.grams());
  }
  out.family("greenrun_run_end_timestamp_seconds", T::kGauge, "When a recorded run ended (Unix time).");
  for (const auto& r : m.runs)
    out.add(run_labels(r), std::chrono::duration<double>(r.ended.time_since_epoch()).count());

  out.family("greenrun_project_runs_total", T::kCounter, "Runs recorded per project.");
  for (const auto& p : m.projects) out.add({{"project", p.key}}, static_cast<double>(p.runs));
  out.family("greenrun_project_energy_joules_total", T::kCounter,
             "Energy of a project's recorded runs, attributed to the jobs (scope=job) or the machines.");
  for (const auto& p : m.projects) {
    out.add({{"project", p.key}, {"scope", "job"}}, p.job_energy.joules());
    out.add({{"project", p.key}, {"scope", "machine"}}, p.machine_energy.joules());
  }
  out.family("greenrun_project_emissions_grams_total", T::kCounter,
             "Operational emissions (average signal) of a project's runs that have them.");
  for (const auto& p : m.projects) out.add({{"project", p.key}}, p.emissions.grams());
  out.family("greenrun_project_runs_without_emissions_total", T::kCounter,
             "A project's runs with no emissions figure (no intensity data): not counted as zero above.");
  for (const auto& p : m.projects) out.add({{"project", p.key}}, static_cast<double>(p.runs_without_emissions));
  out.family("greenrun_project_avoided_emissions_grams_total", T::kCounter,
             "Emissions a project's carbon-aware runs avoided against running at once, on each schedule's series.");
  for (const auto& p : m.projects) out.add({{"project", p.key}}, p.scheduling_avoided.grams());
}

void write_live_metrics(Exposition& out, const std::vector<engine::LiveRun>& live) {
  using T = Exposition::Type;
  const auto labels = [](const engine::LiveRun& r) {
    return Labels{{"run_id", r.id}, {"project", r.project}, {"phase", r.phase}, {"zone", r.zone}};
  };
  out.family("greenrun_live_runs", T::kGauge, "Runs in progress in greenrun processes on this machine.");
  out.add({}, static_cast<double>(live.size()));
  out.family("greenrun_live_run_energy_joules_total", T::kCounter,
             "Energy so far of a run in progress per component, attributed to the job.");
  for (const auto& r : live)
    for (const auto& c : r.components)
      out.add(with(labels(r), {{"component", c.component}, {"method", c.method}}), c.job_joules);
  out.family("greenrun_live_run_power_watts", T::kGauge,
             "Power of a run in progress per component over its last sampling interval, attributed to the job.");
  for (const auto& r : live)
    for (const auto& c : r.components)
      out.add(with(labels(r), {{"component", c.component}, {"method", c.method}}), c.job_watts);
  out.family("greenrun_live_run_state", T::kGauge,
             "Schedule state of a run in progress: 1 for its state (waiting, running, paused), 0 for the others.");
  for (const auto& r : live)
    for (const char* state : {"waiting", "running", "paused"})
      out.add(with(labels(r), {{"mode", r.mode.empty() ? "at-once" : r.mode}, {"state", state}}),
              r.state == state ? 1 : 0);
  out.family("greenrun_live_run_next_decision_timestamp_seconds", T::kGauge,
             "When a carbon-aware run's schedule decides next (start, pause or resume), Unix time.");
  for (const auto& r : live)
    if (r.next_decision) out.add(labels(r), std::chrono::duration<double>(r.next_decision->time_since_epoch()).count());
}

MetricsSource::MetricsSource(MetricsOptions options, const engine::CarbonAwareQueries* queries)
    : options_(std::move(options)), queries_(queries) {}

std::string MetricsSource::render() const {
  Exposition out;
  using T = Exposition::Type;
  auto runs = engine::collect_run_metrics(options_.store_path, options_.run_limit);
  if (runs)
    write_run_metrics(out, *runs);
  else
    ++errors_;
  if (queries_) {
    out.family("greenrun_grid_carbon_intensity_grams_per_kilowatt_hour", T::kGauge,
               "A zone's carbon intensity now, from the store (actual data, else a stored forecast).");
    for (const auto& z : queries_->current_intensities())
      out.add({{"zone", z.zone},
               {"signal", std::string(intensity::to_string(z.signal))},
               {"origin", std::string(intensity::to_string(z.origin))}},
              z.g_per_kwh);
  }
  write_live_metrics(out, engine::read_live_runs(options_.store_path));
  out.family("greenrun_scrape_errors_total", T::kCounter,
             "Scrapes in which the run store could not be read (the other families were still written).");
  out.add({}, static_cast<double>(errors_.load()));
  return out.text();
}

}  // namespace greenrun::server
