// The defaults a job gets when its flags leave something out, one of each
// for every front end (plan, run, simulate, the Python module, `slurm
// submit`), so that `plan` and `run` never assume two different jobs.
//
//  - kDefaultPower: the mean power assumed for a job given neither power nor
//    energy (nor, for `run`, an earlier run of the same command). Always
//    labelled as an estimate where it is used; power_basis() says so.
//  - kDefaultMinPause: no Pause and Resume pause is shorter than this unless
//    the request says otherwise. Stopping a job for a few minutes saves next
//    to nothing and costs a switch (and, with checkpoints, a restart).
//
// Thread-safety: constants and a pure function.
#pragma once

#include <chrono>
#include <string>

#include "greenrun/base/units.h"

namespace greenrun::engine {

inline constexpr Power kDefaultPower = Power::watts(300);
inline constexpr Duration kDefaultMinPause = std::chrono::minutes(10);

// Where a job's power came from, for the line "power: 300 W (<basis>)".
enum class PowerBasis {
  kGiven,         // --power / --expected-power
  kFromEnergy,    // --energy over --duration
  kEarlierRun,    // the same command's last successful run
  kDefault,       // kDefaultPower: an assumption
};

// One line: "power: 300.0 W (default: assumed, no --power given; an
// estimate, not a measurement)"; `detail`, when given, is added inside the
// parentheses ("..., run 20240101-..., rapl").
std::string power_line(Power power, PowerBasis basis, const std::string& detail = "");

}  // namespace greenrun::engine
