// The pieces every greenrun HTML page shares (the report, the dashboard):
// the style sheet, a figure (a canvas plus its chart spec, marked when it
// holds an estimate), bar-chart specs and the sentence that marks a run's
// estimated energy. Specs are drawn by report/charts.js.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenrun/runner/run_record.h"

namespace greenrun::report {

using json = nlohmann::ordered_json;

extern const char* const kStyle;

std::string esc(std::string_view s);
// "estimated" and "simulated" methods.
bool weak(std::string_view method);
// The sentence that marks a figure built from a run's energy, "" when measured.
std::string energy_estimate(const runner::RunRecord& r);
std::string join_notes(const std::vector<std::string>& notes);

// An HTML page under construction and the chart specs its figures hold.
struct Page {
  std::string html;
  json specs = json::array();

  // A figure: canvas "chart-<id>", caption, and `estimate` (a sentence, ""
  // when nothing in it is estimated) shown before the caption.
  void figure(const std::string& id, const std::string& caption, const std::string& estimate, json spec);
  // The specs, Chart.js, charts.js and the call that draws them: the end of
  // the page's body.
  void scripts();
};

json bars_spec(const std::string& title, const std::string& axis, const std::vector<std::string>& labels,
               const json& datasets, bool horizontal = false);

}  // namespace greenrun::report
