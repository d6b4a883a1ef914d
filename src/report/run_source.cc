#include "report/run_source.h"

#include <algorithm>

#include "base/time_format.h"
#include "runner/run_store.h"

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

Result<std::vector<runner::RunRecord>> select_runs(const std::string& store_path, const RunSelection& selection) {
  auto store = runner::RunStore::open(store_path);
  if (!store) return std::unexpected(store.error());
  std::vector<runner::RunRecord> runs;
  if (!selection.ids.empty()) {
    for (const auto& id : selection.ids) {
      auto r = store->get(id);
      if (!r) return std::unexpected(r.error());
      runs.push_back(std::move(*r));
    }
  } else {
    // The store's own limit is a display default; a report covers everything selected.
    auto all = store->list(selection.project, 1'000'000);
    if (!all) return std::unexpected(all.error());
    runs = std::move(*all);
  }
  std::erase_if(runs, [&](const runner::RunRecord& r) {
    if (selection.project && r.project != *selection.project) return true;
    if (selection.phase && r.phase != *selection.phase) return true;
    if (selection.since && r.started < *selection.since) return true;
    if (selection.until && r.started >= *selection.until) return true;
    return false;
  });
  std::stable_sort(runs.begin(), runs.end(),
                   [](const runner::RunRecord& a, const runner::RunRecord& b) { return a.started < b.started; });
  return runs;
}

}  // namespace greenrun::report
