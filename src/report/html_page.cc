#include "report/html_page.h"

#include <fmt/format.h>

#include "report/html_escape.h"
#include "report/html_report.h"

namespace greenrun::report {

const char* const kStyle = R"css(
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ccc;margin-top:2em}
table.statement{border-collapse:collapse}table.statement td{padding:.2em .8em;vertical-align:top;border-bottom:1px solid #eee}
table.statement td:first-child{font-weight:600;white-space:nowrap}
table.list{border-collapse:collapse;font-size:.92em}table.list th,table.list td{padding:.2em .7em;border-bottom:1px solid #eee;text-align:left}
table.list td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0;page-break-inside:avoid;break-inside:avoid}
.chart{position:relative;height:320px}
figcaption{font-size:.9em;color:#444;margin-top:.3em}
.estimate{color:#a0460a;font-weight:600}
.problems{background:#fff4e5;border-left:4px solid #e6ab02;padding:.5em 1em}
.legend span{display:inline-block;margin-right:1em}.swatch{display:inline-block;width:1em;height:.8em;margin-right:.3em;vertical-align:middle}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;white-space:pre-wrap}
code{font-size:.9em}
@media print{.chart{height:260px}details{display:block}details>*{display:block}}
)css";

std::string esc(std::string_view s) { return html_escape(s); }

bool weak(std::string_view method) { return method == "estimated" || method == "simulated"; }

std::string energy_estimate(const runner::RunRecord& r) {
  if (r.simulated()) return "simulated energy (fake sensor), not a measurement";
  std::vector<std::string> parts;
  for (const auto& c : r.components)
    if (c.method == sensors::Method::kEstimated) parts.emplace_back(sensors::to_string(c.component));
  if (parts.empty()) return "";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + " energy estimated from a model";
}

std::string join_notes(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes)
    if (!n.empty()) out += (out.empty() ? "" : "; ") + n;
  return out;
}

void Page::figure(const std::string& id, const std::string& caption, const std::string& estimate, json spec) {
  spec["id"] = id;
  spec["estimate"] = estimate;
  specs.push_back(std::move(spec));
  html += fmt::format(
      "<figure id=\"fig-{0}\" data-estimate=\"{1}\"><div class=\"chart\"><canvas id=\"chart-{0}\" "
      "role=\"img\" aria-label=\"{2}\"></canvas></div><figcaption>",
      esc(id), estimate.empty() ? "no" : "yes", esc(caption));
  if (!estimate.empty()) html += "<span class=\"estimate\">Estimate: " + esc(estimate) + ".</span> ";
  html += esc(caption) + "</figcaption></figure>\n";
}

void Page::scripts() {
  const std::string data = specs.dump(-1, ' ', true, json::error_handler_t::replace);
  html += "<script type=\"application/json\" id=\"greenrun-data\">" + json_for_script(data) + "</script>\n";
  html += "<script>";
  html.append(chart_library_js());
  html += "</script>\n<script>";
  html.append(chart_code_js());
  html +=
      "</script>\n<script>GreenrunCharts.renderAll(JSON.parse("
      "document.getElementById('greenrun-data').textContent));</script>\n";
}

json bars_spec(const std::string& title, const std::string& axis, const std::vector<std::string>& labels,
               const json& datasets, bool horizontal) {
  return {{"kind", "bars"},   {"title", title},       {"axis", axis},
          {"labels", labels}, {"datasets", datasets}, {"horizontal", horizontal}};
}

}  // namespace greenrun::report
