// What /metrics publishes about runs: the recorded runs (newest first, at
// most a limit) with their energy per component and method and their
// emissions, the per-project totals, and the runs in progress in other
// greenrun processes (their live-status files, docs/server.md). Read from
// the store at `store_path` and its live/ folder; the server renders it.
//
// Thread-safety: each call opens its own store connection; safe to call from
// several threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/units.h"
#include "runner/run_record.h"
#include "runner/run_store.h"

namespace greenrun::engine {

struct RunMetrics {
  std::vector<runner::RunRecord> runs;      // newest first
  std::vector<runner::RunTotals> projects;  // by project name
};

// Errors: the store cannot be opened or read (kIo), named by path.
[[nodiscard]] Result<RunMetrics> collect_run_metrics(const std::string& store_path, size_t run_limit = 200);

}  // namespace greenrun::engine
