// load_report_data: the statement, and per run its trace, intensity,
// executed schedule and what-ifs; per project and phase the bars.
#include "report/report_data.h"

#include <fmt/format.h>

#include <algorithm>

#include "greenrun/intensity/zone_catalogue.h"
#include "report/zone_series.h"

namespace greenrun::report {
namespace {

// Zones the region what-if prices the same energy in (annual means), besides
// the run's own: a spread from low- to high-carbon grids.
constexpr std::string_view kReferenceZones[] = {
    "SE", "FR", "GB", "DE", "US-CAL-CISO", "PL", "IN-WE", "AU-NSW"};

// The executed schedule as spans: "wait" before the first start, "run"
// between start/resume/restart and pause/checkpoint/exit, "pause" between.
std::vector<TimeSpan> schedule_spans(const runner::RunRecord& r) {
  std::vector<TimeSpan> out;
  const int64_t began = ms_of(r.started), ended = ms_of(r.ended);
  if (!r.schedule || r.schedule->events.empty()) {
    out.push_back({began, ended, "run"});
    out.push_back({began, ended, "at-once"});
  } else {
    const auto& ev = r.schedule->events;
    std::optional<int64_t> open_at;
    std::string open_kind = "wait";
    open_at = ms_of(ev.front().time);
    for (const auto& e : ev) {
      const int64_t t = ms_of(e.time);
      std::string next;
      if (e.kind == "start" || e.kind == "resume" || e.kind == "restart")
        next = "run";
      else if (e.kind == "pause" || e.kind == "checkpoint")
        next = "pause";
      else if (e.kind == "exit" || e.kind == "interrupt")
        next = "end";
      else
        continue;
      if (open_at && t > *open_at && open_kind != next)
        out.push_back({*open_at, t, open_kind});
      if (open_kind == next) continue;
      open_kind = next;
      open_at = t;
      if (next == "end") break;
    }
    if (open_kind != "end" && open_at && ended > *open_at)
      out.push_back({*open_at, ended, open_kind});
    const int64_t submitted = ms_of(ev.front().time);
    out.push_back(
        {submitted, submitted + r.schedule->run_time.count(), "at-once"});
  }
  if (r.flexible_start.computed) {
    const int64_t b = ms_of(r.flexible_start.best_start);
    out.push_back({b, b + r.duration.count(), "best-start"});
  }
  return out;
}

void price_what_ifs(RunView& v, const intensity::IntensitySeries* series) {
  const auto& t = v.trace;
  const auto& r = v.record;
  double energy_j = 0;
  for (double j : t.hourly_j) energy_j += j;
  if (energy_j <= 0) energy_j = r.job_energy().joules();
  // Other start times: the run's hourly energy profile shifted on the stored
  // series.
  if (series && !t.hourly_j.empty()) {
    for (int offset_h = -12; offset_h <= 24; offset_h += 3) {
      double grams = 0;
      bool covered = true;
      for (size_t h = 0; h < t.hourly_j.size() && covered; ++h) {
        const UtcTime a = UtcTime(Duration(t.first_ms)) +
                          std::chrono::hours(offset_h + static_cast<int>(h));
        const auto mean = series->mean(a, a + std::chrono::hours(1));
        if (!mean)
          covered = false;
        else
          grams += Energy::joules(t.hourly_j[h]).kilowatt_hours() *
                   mean->grams_per_kwh();
      }
      if (covered)
        v.start_what_if.push_back(
            {offset_h == 0 ? "as run" : fmt::format("{:+d} h", offset_h), grams,
             offset_h == 0, "stored series, hourly energy profile"});
    }
  }
  const auto& cat = intensity::ZoneCatalogue::embedded();
  std::vector<std::string> zones;
  if (!r.zone.empty()) zones.push_back(r.zone);
  for (auto z : kReferenceZones)
    if (std::string(z) != r.zone) zones.emplace_back(z);
  for (const auto& z : zones) {
    const auto* info = cat.find_zone(z);
    if (!info || info->annual_mean_g_per_kwh <= 0) continue;
    v.region_what_if.push_back(
        {z,
         Energy::joules(energy_j).kilowatt_hours() *
             info->annual_mean_g_per_kwh,
         z == r.zone, fmt::format("annual mean {} (estimate)", info->year)});
  }
}

RunView view_of(const std::string& store_path, const runner::RunRecord& r) {
  RunView v;
  v.record = r;
  v.trace = read_trace(r);
  v.spans = schedule_spans(r);
  int64_t from = ms_of(r.started), to = ms_of(r.ended);
  for (const auto& s : v.spans) {
    from = std::min(from, s.start_ms);
    to = std::max(to, s.end_ms);
  }
  // Room for the start-time what-if (-12 h .. +24 h) and some context.
  const UtcTime a = UtcTime(Duration(from)) - std::chrono::hours(12);
  const UtcTime b =
      UtcTime(Duration(std::max(to, from + 1))) + std::chrono::hours(25);
  std::string problem;
  const auto series = stored_series(store_path, r.zone, a, b, &problem);
  if (series) {
    v.intensity.reserve(series->size());
    for (size_t i = 0; i < series->size(); ++i) {
      const auto p = series->point(i);
      v.intensity.emplace_back(ms_of(p.start), p.value.grams_per_kwh());
    }
    v.intensity_end_ms = ms_of(series->end());
    v.intensity_source =
        series->provenance().source.empty()
            ? std::string(intensity::to_string(series->origin()))
            : series->provenance().source;
    v.intensity_resolution = resolution_of(*series);
  } else if (r.zone.empty()) {
    v.intensity_source =
        "no location known: priced at the world average; no time-resolved "
        "intensity to draw";
  } else {
    v.intensity_source =
        problem.empty()
            ? fmt::format(
                  "the store holds no intensity data for {} around this run",
                  r.zone)
            : problem;
  }
  price_what_ifs(v, series ? &*series : nullptr);
  return v;
}

void add_to(std::vector<GroupBar>& bars, const std::string& key,
            const runner::RunRecord& r) {
  auto it = std::find_if(bars.begin(), bars.end(),
                         [&](const GroupBar& g) { return g.key == key; });
  if (it == bars.end()) {
    bars.push_back({key});
    it = bars.end() - 1;
  }
  ++it->runs;
  it->job_energy_j += r.job_energy().joules();
  if (r.average)
    it->emissions_g += r.average->job.grams();
  else
    ++it->runs_without_emissions;
}

}  // namespace

ReportData load_report_data(const std::string& store_path,
                            const std::vector<runner::RunRecord>& runs,
                            const std::string& scope) {
  ReportData d;
  d.statement = build_statement(runs, scope, zone_facts(store_path, runs));
  const size_t first_detailed =
      runs.size() > kMaxDetailedRuns ? runs.size() - kMaxDetailedRuns : 0;
  d.runs_not_detailed = first_detailed;
  for (size_t i = first_detailed; i < runs.size(); ++i) {
    d.runs.push_back(view_of(store_path, runs[i]));
    for (const auto& p : d.runs.back().trace.problems)
      d.statement.problems.push_back(p);
  }
  for (const auto& r : runs) {
    add_to(d.by_project, r.project, r);
    add_to(d.by_phase, r.phase, r);
  }
  auto by_key = [](const GroupBar& a, const GroupBar& b) {
    return a.key < b.key;
  };
  std::sort(d.by_project.begin(), d.by_project.end(), by_key);
  std::sort(d.by_phase.begin(), d.by_phase.end(), by_key);
  return d;
}

}  // namespace greenrun::report
