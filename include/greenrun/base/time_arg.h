// A time as a person types it on a command line or in a query: an ISO 8601
// date-time ("2026-12-07T18:00:00Z", "2026-12-07T19:00+01:00", a bare date
// for midnight UTC), "now", or a time relative to now ("now+12h",
// "now-1d", "now+90m"; any duration the CLI's flags take). Every flag that
// takes a time (plan --from/--deadline, run --deadline, simulate --from/--to,
// intensity show/fetch --from/--to, runs --since/--until, report) reads it
// with this one function, so each accepts the same forms.
//
// Thread-safety: pure.
#pragma once

#include <string_view>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun {

// `now` is the caller's clock. Errors (kUsage) say what was expected; the
// caller adds the flag's name.
[[nodiscard]] Result<UtcTime> parse_time_arg(std::string_view text, UtcTime now);

}  // namespace greenrun
