// Which stored series an operation on a zone's history reads: of the
// series the store lists for `zone` (case-insensitive) and `origin`, the
// life-cycle one, else the direct one, else the marginal one (the order
// engine::intensity() and the forecast selection prefer). Shared by the
// replay, the study and the seasonal forecast, so all read the same history.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>
#include <vector>

#include "intensity/store.h"

namespace greenrun::engine {

// Null when the store lists none for the zone and origin.
const intensity::StoredSeriesInfo* pick_stored(const std::vector<intensity::StoredSeriesInfo>& list,
                                               std::string_view zone, intensity::Origin origin);

}  // namespace greenrun::engine
