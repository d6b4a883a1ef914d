// The JSON of one plan, shared by `plan --json` (greenrun.plan/1) and
// `simulate --jobs --json` (greenrun.replay/1) so both use the same key names
// and rounding: grams to the milligram, percentages to 0.01.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "greenrun/scheduling/plan.h"

namespace greenrun::cli {

// v rounded to `decimals` decimal places.
double rounded(double v, int decimals);

// mode, start, end, segments[] (start, end, restart_s), pauses,
// emissions_g, at_once_g, saving_g, saving_percent.
nlohmann::json plan_json(const scheduling::Plan& p);

}  // namespace greenrun::cli
