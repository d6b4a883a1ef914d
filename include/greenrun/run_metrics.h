// What /metrics publishes about recorded runs: the runs (newest first, at
// most a limit) with their energy per component and method and their
// emissions, and the per-project totals. Read through the engine's queries
// (queries.h); runs in progress are in live_runs.h. The server renders it.
//
// Thread-safety: each call opens its own store connection; safe to call from
// several threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/runner/run_rows.h"  // RunTotals

namespace greenrun::engine {

struct RunMetrics {
  std::vector<runner::RunRecord> runs;      // newest first
  std::vector<runner::RunTotals> projects;  // by project name
};

// Errors: the store cannot be opened or read (kIo), named by path.
[[nodiscard]] Result<RunMetrics> collect_run_metrics(const std::string& store_path, size_t run_limit = 200);

}  // namespace greenrun::engine
