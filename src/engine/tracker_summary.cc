// engine::tracker_section and phase_energy (engine/tracker_summary.h).
#include "engine/tracker_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace greenrun::engine {
namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

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

runner::TrackerSection tracker_section(const TrackerKept& s, const std::vector<runner::IntervalRecord>& intervals,
                                       UtcTime ended, double g_per_j) {
  runner::TrackerSection t;
  t.process = s.process;
  t.rank = {s.rank.rank, s.rank.local_rank, s.rank.world_size, s.rank.source.empty() ? "one process" : s.rank.source};
  const auto energies = phase_energy(intervals, s.phases, ended);
  for (size_t i = 0; i < s.phases.size(); ++i) {
    const auto& p = s.phases[i];
    t.phases.push_back({p.name, p.begin, p.end.value_or(ended), !p.end.has_value(), energies[i]});
  }
  for (const auto& m : s.marks)
    t.marks.push_back({m.at, m.name, m.value && std::isfinite(*m.value) ? m.value : std::nullopt});
  Duration epochs_time{0};
  Energy epochs_energy;
  for (const auto& e : s.epochs) {
    t.epochs.push_back({e.duration, e.energy});
    epochs_time += e.duration;
    epochs_energy += e.energy;
  }
  t.epochs_planned = s.epochs_planned;
  if (s.first_prediction) {
    const auto& p = *s.first_prediction;
    runner::TrackerSection::Prediction pj;
    pj.after_epochs = p.epochs.observed;
    pj.epochs_total = p.epochs.total;
    pj.warmup_excluded = p.epochs.warmup_excluded;
    pj.confidence = p.epochs.confidence;
    pj.method = p.epochs.method;
    pj.duration_s = {p.epochs.duration_s.low, p.epochs.duration_s.mid, p.epochs.duration_s.high};
    pj.job = {Energy::joules(p.epochs.energy_j.low), Energy::joules(p.epochs.energy_j.mid),
              Energy::joules(p.epochs.energy_j.high)};
    pj.emissions = {Mass::grams(p.emissions_g.low), Mass::grams(p.emissions_g.mid), Mass::grams(p.emissions_g.high)};
    pj.emissions_method = p.emissions_method;
    const bool complete = s.epochs.size() == p.epochs.total;
    runner::TrackerSection::Outcome& outcome = pj.outcome;
    outcome.epochs = s.epochs.size();
    outcome.complete = complete;
    outcome.duration = epochs_time;
    outcome.job = epochs_energy;
    outcome.emissions = Mass::grams(epochs_energy.joules() * g_per_j);
    if (complete) {
      outcome.error_percent = {error_percent(p.epochs.duration_s.mid, seconds(epochs_time)),
                               error_percent(p.epochs.energy_j.mid, epochs_energy.joules()),
                               error_percent(p.emissions_g.mid, epochs_energy.joules() * g_per_j)};
      outcome.energy_within_interval =
          epochs_energy.joules() >= p.epochs.energy_j.low && epochs_energy.joules() <= p.epochs.energy_j.high;
    } else {
      outcome.note = fmt::format("the job ran {} of {} epochs: no comparison", s.epochs.size(), p.epochs.total);
    }
    t.prediction = std::move(pj);
  }
  if (s.budget) t.budget = runner::TrackerSection::Budget{*s.budget, s.budget_exceeded_at};
  return t;
}

}  // namespace greenrun::engine
