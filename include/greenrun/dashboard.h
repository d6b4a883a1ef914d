// What `greenrun serve`'s dashboard shows, gathered in one call: the newest
// recorded runs, per-project totals, the runs in progress with their schedule
// state (live_runs.h), and for each zone whose stored data reaches past now
// the intensity ahead with its best window — the forecast a plan would use
// (queries.h forecast(), the store's data, each outlook labelled with what
// its numbers are and every fallback taken). Front ends render it
// (report/dashboard_page.h); nothing here prints or knows HTML.
//
// Thread-safety: collect_dashboard opens the store itself on every call;
// calls from several threads are safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/engine.h"
#include "greenrun/live_runs.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/runner/run_rows.h"

namespace greenrun::engine {

struct DashboardRequest {
  size_t run_limit = 20;                      // the newest runs listed
  Duration horizon = std::chrono::hours(24);  // how far ahead each zone's outlook reaches
  Duration window = std::chrono::hours(1);    // the length of the best window sought
  size_t zone_limit = 12;                     // at most this many zones, by name
};

// A zone's intensity ahead: the series a plan made now would use.
struct ZoneOutlook {
  std::string zone;
  intensity::IntensitySeries series;  // [now, now + horizon) where covered
  std::string label;                  // "forecast from the store", "typical profile, not a forecast" ...
  bool estimate = false;              // true when any of it is a typical profile, not data
  std::vector<std::string> warnings;  // fallbacks taken, one line each
  // The start of the `window` whose mean intensity is least (the earliest on
  // a tie), and that mean. None when the series covers no whole window.
  std::optional<UtcTime> best_start;
  std::optional<CarbonIntensity> best_mean;
  std::optional<CarbonIntensity> now_value;  // the value at now
  std::string problem;  // why there is no series (empty when there is one)
};

struct Dashboard {
  UtcTime now{};
  DashboardRequest request;
  std::vector<runner::RunRecord> runs;      // newest first
  std::vector<runner::RunTotals> projects;  // by project name
  std::vector<LiveRun> live;                // runs in progress, by id
  std::vector<ZoneOutlook> zones;           // by zone name
  size_t zones_left_out = 0;                // beyond zone_limit
  std::vector<std::string> problems;        // live-status files that could not be read ...
};

// Errors: the store cannot be read (kIo, naming its path); kUsage for a
// request with a zero window or horizon, or a window longer than the horizon.
// A zone whose outlook cannot be made is kept with its problem.
[[nodiscard]] Result<Dashboard> collect_dashboard(const DashboardRequest& request, const Services& services);

}  // namespace greenrun::engine
