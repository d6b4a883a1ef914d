// Job presets for simulations: the 11 workloads of Dodge et al. (FAccT 2022)
// as listed in ../shared/reference/methods.md (energy is GPU energy only),
// and user job lists in CSV ("name,duration,energy" with a header, e.g.
// "bert-finetune,6h,3.1kWh"; an optional fourth column "hardware").
//
// Thread-safety: builtin_presets() returns immutable data; parsers are pure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::scheduling {

struct Preset {
  std::string name;
  std::string hardware;
  Duration duration{};
  Energy energy;
};

std::span<const Preset> builtin_presets();

// "all", a comma list of preset names, or a path ending in .csv.
[[nodiscard]] Result<std::vector<Preset>> select_presets(std::string_view spec);

// Parses a job CSV; errors name "<name>:<line>: ...".
[[nodiscard]] Result<std::vector<Preset>> parse_presets_csv(std::string_view text,
                                                            const std::string& name);

}  // namespace greenrun::scheduling
