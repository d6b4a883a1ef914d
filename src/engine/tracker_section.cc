// engine::tracker_section_json and phase_energy (engine/tracker_section.h).
#include "engine/tracker_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace greenrun::engine {
namespace {

using nlohmann::ordered_json;

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

ordered_json range_json(const Range& r) { return {{"low", r.low}, {"mid", r.mid}, {"high", r.high}}; }

double error_percent(double predicted, double actual) {
  return actual > 0 ? 100.0 * (predicted - actual) / actual : 0.0;
}

}  // namespace

std::vector<Energy> phase_energy(const std::vector<runner::IntervalRecord>& intervals,
                                 const std::vector<PhaseWindow>& phases, UtcTime end_all) {
  std::vector<Energy> out(phases.size());
  for (const auto& iv : intervals) {
    const double len = seconds(iv.end - iv.start);
    if (len <= 0) continue;
    Energy job;
    for (const auto& [c, v] : iv.components)
      if (c != sensors::Component::kPlatform) job += v.job;
    for (size_t i = 0; i < phases.size(); ++i) {
      const UtcTime b = std::max(iv.start, phases[i].begin);
      const UtcTime e = std::min(iv.end, phases[i].end.value_or(end_all));
      if (e > b) out[i] += job * (seconds(e - b) / len);
    }
  }
  return out;
}

std::string tracker_section_json(const TrackerSection& s, const std::vector<runner::IntervalRecord>& intervals,
                                 UtcTime ended, double grams_per_job_joule) {
  const bool node_owner = s.rank.local_rank == 0;
  ordered_json t;
  t["process"] = s.process;
  t["rank"] = {{"rank", s.rank.rank},
               {"local_rank", s.rank.local_rank},
               {"world_size", s.rank.world_size},
               {"source", s.rank.source.empty() ? "one process" : s.rank.source},
               {"node_energy", node_owner ? "recorded by this process (LOCAL_RANK 0)"
                                          : "recorded by LOCAL_RANK 0 on this node; this record keeps its share"}};
  const auto energies = phase_energy(intervals, s.phases, ended);
  t["phases"] = ordered_json::array();
  for (size_t i = 0; i < s.phases.size(); ++i) {
    const auto& p = s.phases[i];
    t["phases"].push_back({{"name", p.name},
                           {"start", format_utc(p.begin)},
                           {"end", format_utc(p.end.value_or(ended))},
                           {"closed_by_stop", !p.end.has_value()},
                           {"job_j", energies[i].joules()}});
  }
  t["marks"] = ordered_json::array();
  for (const auto& m : s.marks) {
    ordered_json j{{"at", format_utc(m.at)}, {"name", m.name}};
    if (m.value && std::isfinite(*m.value)) j["value"] = *m.value;
    t["marks"].push_back(std::move(j));
  }
  t["epochs"] = ordered_json::array();
  Duration epochs_time{0};
  Energy epochs_energy;
  for (const auto& e : s.epochs) {
    t["epochs"].push_back({{"duration_s", seconds(e.duration)}, {"job_j", e.energy.joules()}});
    epochs_time += e.duration;
    epochs_energy += e.energy;
  }
  if (s.epochs_planned) t["epochs_planned"] = *s.epochs_planned;
  if (s.first_prediction) {
    const auto& p = *s.first_prediction;
    ordered_json pj{{"after_epochs", p.epochs.observed},
                    {"epochs_total", p.epochs.total},
                    {"warmup_excluded", p.epochs.warmup_excluded},
                    {"confidence", p.epochs.confidence},
                    {"method", p.epochs.method},
                    {"duration_s", range_json(p.epochs.duration_s)},
                    {"job_j", range_json(p.epochs.energy_j)},
                    {"emissions_g", range_json(p.emissions_g)},
                    {"emissions_method", p.emissions_method}};
    const bool complete = s.epochs.size() == p.epochs.total;
    const double g_per_j = grams_per_job_joule;
    ordered_json outcome{{"epochs", s.epochs.size()},
                         {"complete", complete},
                         {"duration_s", seconds(epochs_time)},
                         {"job_j", epochs_energy.joules()},
                         {"emissions_g", epochs_energy.joules() * g_per_j}};
    if (complete) {
      outcome["error_percent"] = {
          {"duration", error_percent(p.epochs.duration_s.mid, seconds(epochs_time))},
          {"energy", error_percent(p.epochs.energy_j.mid, epochs_energy.joules())},
          {"emissions", error_percent(p.emissions_g.mid, epochs_energy.joules() * g_per_j)}};
      outcome["energy_within_interval"] =
          epochs_energy.joules() >= p.epochs.energy_j.low && epochs_energy.joules() <= p.epochs.energy_j.high;
    } else {
      outcome["note"] = fmt::format("the job ran {} of {} epochs: no comparison", s.epochs.size(), p.epochs.total);
    }
    pj["outcome"] = std::move(outcome);
    t["prediction"] = std::move(pj);
  }
  if (s.budget) {
    t["budget"] = {{"kg", s.budget->kilograms()}};
    if (s.budget_exceeded_at) t["budget"]["exceeded_at_epoch"] = *s.budget_exceeded_at;
  }
  return t.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace greenrun::engine
