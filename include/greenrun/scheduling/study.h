// A simulation study in the manner of Dodge et al. (FAccT 2022): zones x job
// presets x windows x algorithms x start times, each start compared with
// running at once, summarised per zone and over all zones. Optionally the
// planner sees a noisy forecast (Gaussian noise, sigma = error x the zone's
// mean intensity, seeded, R repetitions) while emissions are counted on the
// actual series.
//
// Conventions (docs/scheduling.md):
//  - A window of N (hours, or % of the job's duration) is rounded down to
//    whole data steps. Flexible Start tries starts t .. t + N every step; Pause
//    and Resume runs inside [t, t + N + duration), in slots of gcd(step,
//    duration) so the job is a whole number of slots, and pauses no shorter
//    than min_pause (rounded up to whole slots).
//  - Start times whose window runs past the data are skipped and counted.
//  - Per zone: mean, median, p10, p90 of the per-start reductions (all
//    repetitions pooled). Overall: the mean of the zone means (the study's
//    averaging); median, p10, p90 over all zones' starts pooled, by the same
//    linear-interpolated quantile() as the zone rows (a one-zone study's
//    "all" row equals its zone row); above 16 M start-evaluations in all,
//    from 0.01-pp bins instead, to within 0.005 pp (pooled_exact false);
//    pauses per hour: mean of the zone values.
//
// Thread-safety: run_study is a pure function; it may use several threads
// internally (StudyOptions::threads).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/scheduling/plan.h"
#include "greenrun/scheduling/presets.h"

namespace greenrun::scheduling {

// "24h" or "100%".
struct WindowSpec {
  std::string label;
  std::optional<Duration> absolute;
  double fraction = 0;  // of the job's duration, when not absolute
  Duration resolve(Duration job) const;
};
[[nodiscard]] Result<WindowSpec> parse_window(std::string_view text);

// every-step | hourly | monthly:1,7,13,19,25@00:00
struct StartRule {
  enum class Kind { kEveryStep, kHourly, kMonthly };
  Kind kind = Kind::kEveryStep;
  std::vector<unsigned> days;  // kMonthly
  unsigned hour = 0, minute = 0;
  std::string text;            // as given
  std::string describe() const;
};
[[nodiscard]] Result<StartRule> parse_start_rule(std::string_view text);

struct StudyZone {
  std::string zone;
  const intensity::IntensitySeries* series = nullptr;  // regular, gap-free
};

struct StudyOptions {
  std::optional<UtcTime> from, to;  // start times in [from, to); default: the data
  std::vector<Preset> presets;
  std::vector<WindowSpec> windows;
  std::vector<Mode> algorithms;     // kFlexibleStart, kPauseResume
  StartRule starts;
  double error = 0;                 // sigma as a share of the mean intensity
  unsigned repeat = 1;
  uint64_t seed = 1;
  unsigned threads = 0;             // 0: hardware concurrency
  // Pause and Resume: no pause shorter than this (as plan, run and the job
  // replay plan; the CLI's default is engine::kDefaultMinPause). 0: any.
  Duration min_pause{0};
};

struct StudyRow {
  std::string zone;  // "all" for the overall rows
  std::string preset;
  Mode algorithm = Mode::kFlexibleStart;
  std::string window;
  size_t starts = 0;   // start times evaluated (per repetition)
  size_t skipped = 0;  // start times whose window runs past the data
  double mean = 0, median = 0, p10 = 0, p90 = 0;  // reduction, %
  double pauses_per_hour = 0;
};

struct StudyResult {
  std::vector<StudyRow> rows;     // per zone, then the overall rows
  std::string sampling;           // the start rule in words
  std::vector<std::string> provenance;  // one line per zone
  uint64_t evaluations = 0;       // start-evaluations (all algorithms, repetitions)
  bool pooled_exact = true;       // the "all" percentiles exact (else to 0.005 pp)
};

// Errors: no zones, presets, windows or algorithms; a series that is empty,
// not regular or has a gap; start times that do not fall on data steps;
// repeat == 0; a negative error or minimum pause.
[[nodiscard]] Result<StudyResult> run_study(const std::vector<StudyZone>& zones,
                                            const StudyOptions& options);

// Linear-interpolated quantile (q in 0..1) of unsorted values, by selection in
// O(n); reorders `values`. REQUIRES: non-empty.
double quantile(std::vector<double>& values, double q);

// p10, median and p90 of `values`, each exactly as quantile() gives it,
// without a sort: bins[i] is a histogram bin of values[i], non-decreasing in
// the value (ties in value share a bin), and counts[b] the number of values
// in bin b; only the values of the bins that hold the quantiles are selected
// (O(n + bins) per quantile). `scratch` is reused between calls.
// REQUIRES: values non-empty, bins.size() == values.size(), counts consistent.
struct Spread {
  double p10 = 0, median = 0, p90 = 0;
};
Spread spread(std::span<const double> values, std::span<const uint16_t> bins,
              std::span<const uint32_t> counts, std::vector<double>& scratch);

}  // namespace greenrun::scheduling
