// The HTML report: one self-contained file (no network, works from disk)
// with the statement and its charts, drawn by Chart.js and greenrun's chart
// code (report/charts.js), both embedded at build time (report/assets.cmake).
//
// Figures: power per component over time (downsampled with a min/max
// envelope; totals from the full data); intensity over time with the
// executed schedule shaded beside running at once and the best start; the
// same energy at other start times and in other zones (what-if); the
// emissions breakdown (operational average and marginal, PUE, embodied);
// per-project and per-phase bars. Every figure that holds an estimate says so
// in its title and its caption.
//
// Chart specs: the charts are described as JSON objects ({id, kind:
// "power"|"intensity"|"bars", title, estimate, ...}, see charts.js) in one
// <script type="application/json" id="greenrun-data"> element; a page served
// later (the dashboard) embeds chart_library_js() and chart_code_js() and
// passes its own specs to GreenrunCharts.renderAll.
//
// Nothing a run records (command, project, warnings) can inject markup:
// element text is HTML-escaped and the JSON is made script-safe
// (report/html_escape.h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "report/report_data.h"

namespace greenrun::report {

std::string html_report(const ReportData& data);

// Chart.js 3 as embedded at build time ("" when the build had none) and
// greenrun's chart code, for pages that draw the same charts.
std::string_view chart_library_js();
std::string_view chart_code_js();
bool chart_library_available();

}  // namespace greenrun::report
