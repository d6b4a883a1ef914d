// The dashboard `greenrun serve` shows at / : runs in progress with their
// schedule state, per-project totals (a bar chart and a table), the newest
// runs, and each zone's intensity ahead with its best window — drawn by the
// same chart code as the HTML report (report/html_page.h, charts.js), from
// what engine::collect_dashboard gathered. Estimates are marked on every
// figure and row that holds one. One self-contained page (Chart.js embedded,
// no CDN) that reloads itself every `refresh_seconds` (0: never).
//
// Nothing a run records (project, phase, command) can inject markup: text is
// HTML-escaped and the chart specs are made script-safe.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "greenrun/dashboard.h"

namespace greenrun::report {

std::string dashboard_page(const engine::Dashboard& dashboard, int refresh_seconds = 60);

}  // namespace greenrun::report
