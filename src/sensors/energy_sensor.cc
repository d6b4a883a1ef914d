#include "greenrun/sensors/energy_sensor.h"

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


std::string_view to_string(Component c) {
  switch (c) {
    case Component::kCpu: return "cpu";
    case Component::kDram: return "dram";
    case Component::kGpu: return "gpu";
    case Component::kPlatform: return "platform";
  }
  return "unknown";
}

std::optional<Method> parse_method(std::string_view s) {
  for (Method m : {Method::kMeasured, Method::kIntegrated, Method::kEstimated, Method::kSimulated})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

std::optional<Component> parse_component(std::string_view s) {
  for (Component c : {Component::kCpu, Component::kDram, Component::kGpu, Component::kPlatform})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

}  // namespace greenrun::sensors
