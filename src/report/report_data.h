// ReportData: what an HTML report (or a page served later, e.g. the
// dashboard) draws, assembled from run records, their timeline.jsonl files
// and the store's intensity series. Rendering (report/html_report.h) is a
// pure function of it.
//
// Per run: job power per component over time (downsampled with min/max
// envelopes; totals from the full timeline), the zone's intensity around the
// run with the executed schedule (running, paused, waiting), when running at
// once would have run and the best start in hindsight, and the same energy
// priced at other start times (the stored series) and in other zones (annual
// means, an estimate). Bad or missing files are reported as sentences in
// `problems`; what exists is still drawn.
//
// Thread-safety: plain values; load_report_data reads files and the store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/units.h"
#include "greenrun/runner/run_record.h"
#include "report/downsample.h"
#include "report/statement.h"

namespace greenrun::report {

// A UTC instant as the milliseconds since the Unix epoch that every *_ms
// field here holds (and the charts take as x values).
inline int64_t ms_of(UtcTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct PowerSeries {
  std::string component;  // "cpu", "gpu", ...
  std::string
      method;  // the weakest over the trace: "measured", "estimated", ...
  std::vector<EnvelopePoint> points;  // watts, the job's share
};

struct RunTrace {
  bool found = false;  // timeline.jsonl could be opened
  size_t samples = 0;  // lines read
  bool downsampled = false;
  Energy job_energy;  // sum over every line read (the full data)
  std::vector<PowerSeries> series;
  // Job energy per hour of the run, for pricing at other start times.
  int64_t first_ms = 0;
  std::vector<double> hourly_j;
  std::vector<std::string> problems;
};

struct TimeSpan {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string kind;  // "run", "pause", "wait", "at-once", "best-start"
};

struct WhatIf {
  std::string label;  // "+3 h", "FR"
  double grams = 0;   // operational, before PUE
  bool actual =
      false;  // the run as it ran (start offset 0, or the run's own zone)
  std::string basis;  // "stored series", "annual mean (estimate)"
};

struct RunView {
  runner::RunRecord record;
  RunTrace trace;
  // The zone's average life-cycle intensity, as steps (start ms, g/kWh).
  std::vector<std::pair<int64_t, double>> intensity;
  int64_t intensity_end_ms = 0;
  std::string intensity_source;  // provenance, or why there is none
  std::string intensity_resolution;
  std::vector<TimeSpan> spans;
  std::vector<WhatIf> start_what_if;
  std::vector<WhatIf> region_what_if;
};

struct GroupBar {
  std::string key;  // project or phase; "" unnamed
  double job_energy_j = 0;
  double emissions_g = 0;
  size_t runs = 0;
  size_t runs_without_emissions = 0;
};

struct ReportData {
  Statement statement;
  std::vector<RunView> runs;  // drawn in detail (the newest kMaxDetailedRuns)
  size_t runs_not_detailed = 0;
  std::vector<GroupBar> by_project;
  std::vector<GroupBar> by_phase;
};

inline constexpr size_t kMaxDetailedRuns = 12;
inline constexpr size_t kDisplayBuckets = 1500;

// Reads one run's timeline.jsonl (out_dir/timeline.jsonl). Never fails: a
// missing file, a torn last line or a bad line (reading stops there) is a
// sentence in problems.
RunTrace read_trace(const runner::RunRecord& record,
                    size_t buckets = kDisplayBuckets);

// Everything above for `runs` (oldest first), with the statement.
ReportData load_report_data(const std::string& store_path,
                            const std::vector<runner::RunRecord>& runs,
                            const std::string& scope);

}  // namespace greenrun::report
