// The embodied-carbon input (SCI's M) of a request, as `run` and `emissions`
// both read it: the one place that checks an EmbodiedRequest and labels the
// line it produces, so the two commands print the same source for the same
// flags ("--embodied-kg 1500 kg, share 0.5; lifetime 1461d (--lifetime)").
//
// Thread-safety: a pure function (the instance table is immutable).
#pragma once

#include <optional>

#include "greenrun/accounting/emissions.h"
#include "greenrun/base/result.h"
#include "greenrun/engine.h"

namespace greenrun::engine {

// None when `request` is none. Errors (kUsage, naming the flag): a lifetime
// that is not positive, an unknown --instance (with close matches), an
// --embodied-kg outside 0 to 10,000,000 kg, a --share outside (0, 1].
[[nodiscard]] Result<std::optional<accounting::EmbodiedInput>> embodied_input(
    const std::optional<EmbodiedRequest>& request);

}  // namespace greenrun::engine
