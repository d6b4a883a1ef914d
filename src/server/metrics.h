// /metrics: Prometheus's text exposition format (version 0.0.4), written by
// hand (prometheus-cpp is not packaged). Names follow Prometheus's
// conventions: base units in the name (joules, grams, watts, seconds),
// counters end in _total, one metric family per quantity with labels for the
// rest (component, method, scope, project, signal, zone). docs/server.md
// lists every family.
//
// Thread-safety: render() may be called from several threads; each call
// reads the store with its own connection.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "greenrun/carbon_aware_queries.h"
#include "greenrun/live_runs.h"
#include "greenrun/run_metrics.h"

namespace greenrun::server {

// One metric family at a time: add() the samples of a family together.
// Label values are escaped (backslash, double quote, newline); NaN and
// infinities are written as Prometheus spells them.
class Exposition {
 public:
  enum class Type { kCounter, kGauge };
  void family(const std::string& name, Type type, const std::string& help);
  void add(const std::vector<std::pair<std::string, std::string>>& labels, double value);
  const std::string& text() const { return text_; }

 private:
  std::string name_;
  std::string text_;
};

std::string escape_label_value(std::string_view v);

struct MetricsOptions {
  std::string store_path;
  size_t run_limit = 200;  // the newest runs published one by one
};

class MetricsSource {
 public:
  // `queries` (may be null) gives the zones' current intensities; it must outlive this.
  MetricsSource(MetricsOptions options, const engine::CarbonAwareQueries* queries);
  // The whole exposition. A store that cannot be read is reported in
  // greenrun_scrape_errors_total and the families that could be read are
  // still written.
  std::string render() const;

 private:
  MetricsOptions options_;
  const engine::CarbonAwareQueries* queries_;
  mutable std::atomic<unsigned long long> errors_{0};
};

// The families for recorded runs and projects (exposed for tests).
void write_run_metrics(Exposition& out, const engine::RunMetrics& runs);
// The families for runs in progress (live-status files).
void write_live_metrics(Exposition& out, const std::vector<engine::LiveRun>& live);

}  // namespace greenrun::server
