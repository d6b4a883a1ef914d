// Which runs a report covers: explicit run ids, or a project / phase over a
// date range, read through the engine's run queries
// (include/greenrun/queries.h).
//
// Thread-safety: pure functions over their arguments (each call opens the
// store itself).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/runner/run_record.h"

namespace greenrun::report {

struct RunSelection {
  std::vector<std::string>
      ids;  // exact ids or unique prefixes; empty: filter the store
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<UtcTime> since;  // runs started at or after
  std::optional<UtcTime> until;  // runs started before

  // "project bert, phase training, since 2026-11-01T00:00:00Z" ("all runs" when
  // empty).
  std::string describe() const;
};

// The runs selected, oldest first. An empty list is not an error (a project
// with no runs): the report says so. Errors: the store cannot be opened (the
// path named), an id that matches no run or several (kNotFound / kUsage).
[[nodiscard]] Result<std::vector<runner::RunRecord>> select_runs(
    const std::string& store_path, const RunSelection& selection);

}  // namespace greenrun::report
