#include "plan_json.h"

#include <cmath>

#include "greenrun/base/time_format.h"

namespace greenrun::cli {

double rounded(double v, int decimals) {
  const double k = std::pow(10.0, decimals);
  return std::round(v * k) / k;
}

nlohmann::json plan_json(const scheduling::Plan& p) {
  nlohmann::json j;
  j["mode"] = std::string(scheduling::to_string(p.mode));
  j["start"] = format_utc(p.start());
  j["end"] = format_utc(p.end());
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& s : p.segments)
    segs.push_back({{"start", format_utc(s.start)},
                    {"end", format_utc(s.end)},
                    {"restart_s", rounded(to_seconds(s.restart), 3)}});
  j["segments"] = segs;
  j["pauses"] = p.pauses();
  j["emissions_g"] = rounded(p.emissions.grams(), 3);
  j["at_once_g"] = rounded(p.baseline.grams(), 3);
  j["saving_g"] = rounded(p.saving().grams(), 3);
  j["saving_percent"] = rounded(p.saving_percent(), 2);
  return j;
}

}  // namespace greenrun::cli
