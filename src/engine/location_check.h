// Which grid zones greenrun knows: the embedded catalogue's, and any zone the
// user imported data for (`intensity import --zone MYDC`). Every command
// refuses another zone before it does anything, with the catalogue's
// did-you-mean — a typo is never recorded as a run priced at 0 g.
//
// Thread-safety: reads the store; pure otherwise.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/intensity/zone_catalogue.h"

namespace greenrun::engine {

// The location for --zone / --region: the catalogue's, else a zone with
// imported data in the store at `store_path` (described as such). Errors:
// kNotFound naming the zone or region as the user typed it, with the
// catalogue's suggestions; kUsage for both or a malformed region.
[[nodiscard]] Result<intensity::Location> resolve_location(const std::optional<std::string>& zone,
                                                           const std::optional<std::string>& region,
                                                           const std::string& store_path);

}  // namespace greenrun::engine
