#include "greenrun/scheduling/plan.h"

#include <string>

#include "greenrun/base/text_reader.h"

namespace greenrun::scheduling {

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::kFlexibleStart: return "flexible";
    case Mode::kPauseResume: return "pause-resume";
    case Mode::kThreshold: return "threshold";
  }
  return "?";
}

Result<Mode> parse_mode(std::string_view text) {
  const std::string t = to_lower(trim(text));
  if (t == "flexible" || t == "flexible-start") return Mode::kFlexibleStart;
  if (t == "pause-resume" || t == "pause-and-resume") return Mode::kPauseResume;
  if (t == "threshold") return Mode::kThreshold;
  return make_error("expected a mode flexible, pause-resume or threshold, got \"" +
                    std::string(text) + "\"");
}

}  // namespace greenrun::scheduling
