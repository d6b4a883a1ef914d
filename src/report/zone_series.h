// The stored carbon-intensity series a report states and draws: for each
// zone the runs used, the average life-cycle series over a window (actual
// data first, else a stored forecast), its resolution and years.
//
// Read through the engine's queries (greenrun/queries.h: engine::intensity).
//
// Thread-safety: pure functions; each call opens the store itself.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/runner/run_record.h"
#include "report/statement.h"

namespace greenrun::report {

// "hourly", "30 min", "5 min", "daily": the median spacing of the series'
// points; "" for an empty series.
std::string resolution_of(const intensity::IntensitySeries& s);

// The zone's stored average life-cycle series overlapping [from, to): actual
// data when the store has any there, else a stored forecast; nullopt when
// neither (or the store cannot be read — the reason goes to `problem`).
std::optional<intensity::IntensitySeries> stored_series(
    const std::string& store_path, const std::string& zone, UtcTime from,
    UtcTime to, std::string* problem = nullptr);

// ZoneFacts for every zone the runs used, over each zone's runs' span.
std::map<std::string, ZoneFacts> zone_facts(
    const std::string& store_path, const std::vector<runner::RunRecord>& runs);

}  // namespace greenrun::report
