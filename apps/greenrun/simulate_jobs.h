// `greenrun simulate --jobs FILE` (or --starts daily@01:00 for presets):
// replays a job log (greenrun/scheduling/replay.h)
// on a zone's stored actual series and renders per-job outcomes and totals
// as text, JSON (greenrun.replay/1), CSV or Markdown. Parsing and rendering
// only; the replay (its settings, log and data) is engine::replay_jobs
// (greenrun/replay.h).
#pragma once

#include <string>
#include <vector>

#include "cli.h"
#include "job_flags.h"

namespace greenrun::cli {

struct JobsFlags {
  std::string file;                  // or a synthetic workload:
  std::string presets, starts;       // presets x a start schedule (daily@01:00, ...)
  std::string from, to;              // in [from, to)
  std::string zone;
  std::string tz = "UTC";
  std::string policies = "at-once,flexible,pause-resume";
  std::string rule = "slack:0h";   // jobs with neither deadline nor rule
  std::vector<std::string> rules;  // sweep: each overrides the jobs' own
  std::string error = "0";         // "0,0.05,0.1"
  unsigned repeat = 10;
  uint64_t seed = 1;
  std::string pause_overhead;        // "2m"
  JobFlags job;                      // --min-pause (job_flags.h)
  std::string threshold = "p30";     // "p30" (percentile) or "250" (g/kWh)
  std::string node_power = "1000W";  // sacct rows without ConsumedEnergy
  std::string plan_on = "actual";    // or "forecast" (the stored forecast)
  bool per_job = false;
  bool json = false, csv = false, markdown = false;
};

int run_simulate_jobs(const Context& ctx, const JobsFlags& flags);

// The items of a comma-separated flag value ("0,0.05, 0.1"), trimmed, empty
// items dropped; shared by both forms of `simulate`.
std::vector<std::string> split_list(std::string_view s);

}  // namespace greenrun::cli
