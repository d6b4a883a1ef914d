#include "sensors/energy_sensor.h"

#include <algorithm>

namespace greenrun::sensors {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::kMeasured: return "measured";
    case Method::kIntegrated: return "integrated";
    case Method::kEstimated: return "estimated";
    case Method::kSimulated: return "simulated";
  }
  return "unknown";
}

Method weaker(Method a, Method b) { return std::max(a, b); }

std::string_view to_string(Component c) {
  switch (c) {
    case Component::kCpu: return "cpu";
    case Component::kDram: return "dram";
    case Component::kGpu: return "gpu";
    case Component::kPlatform: return "platform";
  }
  return "unknown";
}

}  // namespace greenrun::sensors
