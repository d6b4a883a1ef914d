#include "greenrun/run_metrics.h"

#include <filesystem>

namespace greenrun::engine {

Result<RunMetrics> collect_run_metrics(const std::string& store_path, size_t run_limit) {
  RunMetrics out;
  // A store that does not exist yet has no runs; do not create one to say so.
  if (!std::filesystem::exists(store_path)) return out;
  auto store = runner::RunStore::open(store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto runs = store->list(std::nullopt, run_limit);
  if (!runs) return as_kind(ErrorKind::kIo, runs.error());
  auto projects = store->summary("project");
  if (!projects) return as_kind(ErrorKind::kIo, projects.error());
  out.runs = std::move(*runs);
  out.projects = std::move(*projects);
  return out;
}

}  // namespace greenrun::engine
