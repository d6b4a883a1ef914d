// Statement: the energy and emissions of a set of runs as a paper can print
// them — total energy (kWh) and emissions (kg CO2e), accelerator-hours and
// hardware, the zones with their intensity source, year and resolution, the
// share of energy priced time-resolved against at an annual mean, average
// and marginal figures kept apart, PUE, what was measured and what estimated
// (and why), the emissions avoided by carbon-aware scheduling, greenrun's
// version, one sentence per caveat, and the data sources' citations and
// licences.
//
// build_statement reads only run records (run.json: the record's figures and
// its greenrun.emissions/1 breakdowns, docs/formats.md) and the intensity
// facts the caller found for each zone (ZoneFacts, report/zone_facts.h). Its
// headline figures are the same sums `greenrun runs summary --json` prints:
// job energy, emissions (the average signal's job figure: operational plus
// PUE overhead, embodied apart), duration, and the scheduling saving.
//
// A record whose breakdown is missing or unreadable still counts with the
// figures it has; the problem is listed in `problems` as a sentence.
//
// Thread-safety: pure functions; a Statement is a plain value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/units.h"
#include "greenrun/runner/run_record.h"
#include "report/citations.h"

namespace greenrun::report {

// What the store knows about a zone's intensity over the runs' span.
struct ZoneFacts {
  std::string resolution;  // "hourly", "30 min", "" when no stored series
                           // covers the runs
  std::vector<int> years;  // calendar years of the stored points used
};

struct StatementZone {
  std::string zone;  // "" = world average (no location known)
  size_t runs = 0;
  Energy energy;  // the runs' job energy
  std::vector<std::string>
      sources;  // the average signal's series sources, distinct
  std::vector<std::string> origins;           // "actual", "forecast", "typical"
  std::vector<std::string> fallback_sources;  // annual means used
  std::vector<int> years;                     // of the runs' start times
  std::string resolution;                     // from ZoneFacts; "" unknown
};

struct StatementComponent {
  std::string component;  // "cpu", "dram", "gpu"
  Energy energy;          // the job's
  sensors::Method method =
      sensors::Method::kMeasured;  // the weakest over the runs
};

struct Statement {
  std::string scope;  // RunSelection::describe()
  size_t runs = 0;
  std::optional<UtcTime> first_start;
  std::optional<UtcTime> last_end;
  Duration duration{0};  // sum of run durations
  Energy job_energy;
  Energy machine_energy;

  // Average signal (as `runs summary`): operational + PUE overhead per run.
  Mass emissions;
  size_t runs_with_emissions = 0;
  Mass operational_average;  // before PUE, from the breakdowns
  Mass pue_overhead;
  // Marginal signal, never added to the average figures.
  Mass marginal;
  size_t runs_with_marginal = 0;
  Mass embodied;  // always an estimate; reported apart
  size_t runs_with_embodied = 0;

  // The average signal's pricing of the job energy.
  Energy time_resolved;
  Energy fallback;
  Energy unpriced;

  double accelerator_hours = 0;
  std::vector<std::string>
      hardware;  // "2 x NVIDIA A100 (gpu); AMD EPYC 7763, 64 threads (cpu)"
  std::vector<StatementZone> zones;
  double pue_min = 1.0;
  double pue_max = 1.0;
  std::vector<StatementComponent> components;
  std::vector<std::string>
      estimate_reasons;  // distinct, as the runs recorded them

  // Carbon-aware runs: realised against "ran at once", on each schedule's
  // series.
  size_t scheduled_runs = 0;
  Mass scheduled_emissions;
  Mass scheduled_at_once;
  Mass scheduling_avoided() const {
    return scheduled_at_once - scheduled_emissions;
  }
  // Hindsight: the best start within 24 h of each run (a potential, not
  // realised).
  size_t flexible_runs = 0;
  Mass flexible_baseline;
  Mass flexible_best;

  std::vector<std::string>
      recorded_versions;  // the greenrun versions that wrote the runs
  std::string version;    // this greenrun's
  std::vector<std::string> caveats;  // one sentence each
  std::vector<Citation> citations;
  std::vector<std::string> problems;  // bad or missing input, one sentence each

  double time_resolved_share()
      const;  // of the priced and unpriced job energy; 0 when none
};

// REQUIRES: nothing; an empty `runs` gives a statement that says so.
Statement build_statement(
    const std::vector<runner::RunRecord>& runs, const std::string& scope,
    const std::map<std::string, ZoneFacts>& zone_facts = {});

// The statement's rows (label, value) and its one paragraph a paper can
// print, shared by every rendering (text, Markdown, LaTeX, HTML).
struct StatementRow {
  std::string label;
  std::string value;
};
std::vector<StatementRow> statement_rows(const Statement& s);
std::string statement_sentence(const Statement& s);

// Renderings. Masses and energies through base/quantity_format except where a
// paper wants fixed units (kWh, kg CO2e), which are written with enough digits.
std::string statement_text(const Statement& s);
std::string statement_markdown(const Statement& s);
std::string statement_latex(
    const Statement& s);  // a snippet to \input, with its own itemize
// One JSON object (schema "greenrun.statement/1") with SI numbers, then '\n'.
std::string statement_json(const Statement& s);

}  // namespace greenrun::report
