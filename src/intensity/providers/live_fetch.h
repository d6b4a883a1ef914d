// One entry point over the three live providers, for the CLI
// (`greenrun intensity fetch`) and for execution (re-planning on a fresh
// forecast): a FetchRequest says which provider, what and where; fetch_series
// validates it, builds the provider client and returns the series.
//
// Thread-safety: as safe as the HttpClient and Clock passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/providers/fetch_request.h"
#include "greenrun/intensity/providers/http_client.h"
#include "greenrun/intensity/providers/provider_settings.h"
#include "intensity/providers/provider_json.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

// History without --from/--to means the last 24 hours before now.
[[nodiscard]] FetchResult<SeriesBatch> fetch_series(const FetchRequest& request, const ProviderSettings& settings,
                                                    HttpClient& http, Clock& clock, const RetryPolicy& retry = {});

}  // namespace greenrun::intensity
