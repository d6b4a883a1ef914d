// greenrun's scheduling study (after Dodge et al., 2022): what Flexible Start
// and Pause and Resume would have saved for preset jobs started on a rule
// (monthly:1,7,13@00:00 ...) with windows (6h, 50% ...), on each zone's
// stored actual series. The engine owns the data policy — the actual series
// of each zone (life-cycle preferred), read once over [from, to) plus the
// longest job and window — so the CLI's `simulate`, Python and the server
// run the same study. The study itself is scheduling::run_study
// (greenrun/scheduling/study.h).
//
// Errors carry a kind: kUsage for no zone; kNotFound for no store, a zone
// with no actual data, or data that does not overlap [from, to); the
// study's own errors as it gives them. No exception crosses this API.
//
// Thread-safety: each call opens the store itself.
#pragma once

#include <string>
#include <vector>

#include "greenrun/engine.h"
#include "greenrun/scheduling/study.h"

namespace greenrun::engine {

struct StudyRequest {
  std::vector<std::string> zones;  // REQUIRES: not empty
  // Presets, windows, algorithms, start rule, [from, to), error, repeat,
  // seed. from/to unset: the whole stored span.
  scheduling::StudyOptions options;
};

[[nodiscard]] Result<scheduling::StudyResult> run_study(const StudyRequest& request, const Services& services);

}  // namespace greenrun::engine
