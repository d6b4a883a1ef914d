#include "greenrun/intensity/signal.h"

#include "greenrun/base/text_reader.h"

namespace greenrun::intensity {

std::string_view to_string(Signal s) {
  switch (s) {
    case Signal::kMarginal: return "marginal";
    case Signal::kAverageDirect: return "average-direct";
    case Signal::kAverageLifecycle: return "average-lifecycle";
  }
  return "?";
}

std::string_view to_string(Origin o) {
  switch (o) {
    case Origin::kActual: return "actual";
    case Origin::kForecast: return "forecast";
    case Origin::kTypical: return "typical";
  }
  return "?";
}

Result<Signal> parse_signal(std::string_view text) {
  const std::string t = to_lower(trim(text));
  if (t == "marginal" || t == "moer" || t == "co2_moer") return Signal::kMarginal;
  if (t == "average-direct" || t == "direct") return Signal::kAverageDirect;
  if (t == "average-lifecycle" || t == "lifecycle" || t == "lca" || t == "life-cycle")
    return Signal::kAverageLifecycle;
  return make_error("expected a signal: marginal, average-direct or average-lifecycle, got \"" +
                    std::string(text) + "\"");
}

Result<Origin> parse_origin(std::string_view text) {
  const std::string t = to_lower(trim(text));
  if (t == "actual" || t == "historical") return Origin::kActual;
  if (t == "forecast") return Origin::kForecast;
  if (t == "typical") return Origin::kTypical;
  return make_error("expected an origin: actual, forecast or typical, got \"" +
                    std::string(text) + "\"");
}

}  // namespace greenrun::intensity
