#include "greenrun/run_metrics.h"

#include "greenrun/queries.h"

namespace greenrun::engine {

Result<RunMetrics> collect_run_metrics(const std::string& store_path, size_t run_limit) {
  Services services;
  services.store_path = store_path;
  RunFilter filter;
  filter.limit = run_limit;
  auto runs = find_runs(filter, services);
  if (!runs) return as_kind(ErrorKind::kIo, runs.error());
  auto projects = run_totals("project", std::nullopt, services);
  if (!projects) return as_kind(ErrorKind::kIo, projects.error());
  return RunMetrics{std::move(*runs), std::move(*projects)};
}

}  // namespace greenrun::engine
