#include "report/run_source.h"

#include <algorithm>

#include "greenrun/base/time_format.h"
#include "greenrun/queries.h"

namespace greenrun::report {

std::string RunSelection::describe() const {
  std::vector<std::string> parts;
  if (!ids.empty()) {
    std::string s = ids.size() == 1 ? "run " : "runs ";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + ids[i];
    parts.push_back(s);
  }
  if (project) parts.push_back("project " + *project);
  if (phase) parts.push_back("phase " + *phase);
  if (since) parts.push_back("since " + format_utc(*since));
  if (until) parts.push_back("until " + format_utc(*until));
  if (parts.empty()) return "all runs";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

Result<std::vector<runner::RunRecord>> select_runs(
    const std::string& store_path, const RunSelection& selection) {
  engine::Services services;
  services.store_path = store_path;
  std::vector<runner::RunRecord> runs;
  if (!selection.ids.empty()) {
    for (const auto& id : selection.ids) {
      auto r = engine::get_run(id, services);
      if (!r) return std::unexpected(r.error());
      runs.push_back(std::move(*r));
    }
  } else {
    engine::RunFilter filter;
    filter.project = selection.project;
    filter.phase = selection.phase;
    filter.since = selection.since;
    filter.until = selection.until;
    filter.limit = 1'000'000;  // a report covers everything selected
    auto found = engine::find_runs(filter, services);
    if (!found) return std::unexpected(found.error());
    runs = std::move(*found);
  }
  // Named runs are filtered too, so `report ID --project P` never reports
  // another project's run.
  std::erase_if(runs, [&](const runner::RunRecord& r) {
    if (selection.project && r.project != *selection.project) return true;
    if (selection.phase && r.phase != *selection.phase) return true;
    if (selection.since && r.started < *selection.since) return true;
    if (selection.until && r.started >= *selection.until) return true;
    return false;
  });
  std::stable_sort(runs.begin(), runs.end(),
                   [](const runner::RunRecord& a, const runner::RunRecord& b) {
                     return a.started < b.started;
                   });
  return runs;
}

}  // namespace greenrun::report
