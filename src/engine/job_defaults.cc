#include "greenrun/job_defaults.h"

#include "greenrun/base/quantity_format.h"

namespace greenrun::engine {

std::string power_line(Power power, PowerBasis basis, const std::string& detail) {
  std::string why;
  switch (basis) {
    case PowerBasis::kGiven:
      why = "given";
      break;
    case PowerBasis::kFromEnergy:
      why = "from --energy over --duration";
      break;
    case PowerBasis::kEarlierRun:
      why = "estimated from the same command's last run";
      break;
    case PowerBasis::kDefault:
      why = "default: assumed, no --power given; an estimate, not a measurement";
      break;
  }
  return "power: " + format_power(power) + " (" + why + (detail.empty() ? "" : ", " + detail) + ")";
}

}  // namespace greenrun::engine
