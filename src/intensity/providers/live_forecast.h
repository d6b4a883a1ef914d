// LiveForecastFeed: the forecast a carbon-aware run plans on, fetched from a
// live provider (WattTime, Electricity Maps, UK Carbon Intensity), cached in
// the store, and fetched again while the job waits so that the schedule
// follows each new forecast (docs/execution.md, "Live forecasts").
//
// What obtain() returns covers the whole window [from, to), built in layers,
// the first that has a point at an instant wins:
//   1. the forecast just fetched (horizon: the window, up to the provider's
//      limit: WattTime and Electricity Maps 72 h, UK 48 h);
//   2. the series handed back from the previous obtain() (the past of the run
//      stays priced as it was planned);
//   3. what the store holds for the fetched series' key: forecasts fetched
//      before (by this run, another run or `greenrun intensity fetch`), then
//      actual data;
//   4. beyond the forecast's horizon, its last 24 h repeated ("persistence,
//      not a forecast"), and before its first point, that point's value for
//      one step (the interval in progress);
//   5. when the fetch failed and nothing above covers an instant, the grid
//      zone's typical profile ("typical profile, not a forecast").
// When the fetch fails, decide_fallback (fallback.h) says what may be used:
// a transient failure falls back to layers 2-5 with a warning; bad
// credentials, a refused request or a missing setting are errors, never
// papered over.
//
// Thread-safety: one thread at a time (the HttpClient and the store are not
// shared); the CLI runs refreshes on a worker thread with its own feed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/clock.h"
#include "greenrun/intensity/intensity_series.h"
#include "greenrun/intensity/providers/http_client.h"
#include "greenrun/intensity/providers/provider_settings.h"
#include "intensity/providers/fallback.h"
#include "intensity/providers/live_fetch.h"
#include "intensity/providers/retry.h"

namespace greenrun::intensity {

// Which provider, and where: "uk" (national), "uk:RG10" (a postcode's region),
// "watttime:CAISO_NORTH" (a WattTime region), "electricitymaps" (the run's
// grid zone), "electricitymaps:DE", or for WattTime and Electricity Maps a
// location "watttime:38.58,-121.49" (the provider finds the region or zone).
// Error names the text and the choices.
struct ForecastSpec {
  FetchRequest request;   // kind = forecast
  std::string grid_zone;  // the run's zone: the typical profile's, and Electricity Maps' default
  std::string text;       // as given
};
[[nodiscard]] Result<ForecastSpec> parse_forecast_spec(std::string_view text, const std::string& grid_zone);

// Hours to ask for so the forecast reaches `to` from `now`: rounded up, at
// least 1, at most the provider's limit.
int forecast_horizon_hours(ProviderKind provider, UtcTime now, UtcTime to);
int max_forecast_horizon_hours(ProviderKind provider);

// The series over [from, to) that takes each instant from the first layer
// with a point there. Points overlapping the window are kept whole (not cut
// at `from` or `to`, so the series stays on its providers' grid) and cut only
// where a higher layer has a point; estimated flags kept. Zone, signal and
// origin are the first non-empty layer's. Instants no layer covers stay gaps.
IntensitySeries layer_series(const std::vector<const IntensitySeries*>& layers, UtcTime from, UtcTime to);

// `s` continued beyond its end up to `to` by repeating its last `period`
// (persistence); points marked estimated. Empty when `s` is shorter than
// `period` or already reaches `to`.
IntensitySeries persistence_after(const IntensitySeries& s, UtcTime to, Duration period = std::chrono::hours(24));

struct LiveForecast {
  IntensitySeries series;  // covers [from, to)
  std::string label;       // for the record: what it is, fetched when, what was filled in
  FallbackChoice choice = FallbackChoice::kFetched;
  std::vector<std::string> warnings;
  UtcTime fetched_at{};    // kFetched: when
};

class LiveForecastFeed {
 public:
  LiveForecastFeed(ForecastSpec spec, ProviderSettings settings, HttpClient& http, Clock& clock,
                   std::string store_path, RetryPolicy retry = {});

  // Fetches and layers as above. `previous`: the series the run plans on
  // now (layer 2), or null. Errors: a non-transient fetch failure, or a
  // window nothing covers (no data and no typical profile).
  [[nodiscard]] Result<LiveForecast> obtain(UtcTime from, UtcTime to, const IntensitySeries* previous = nullptr);

  const ForecastSpec& spec() const { return spec_; }

 private:
  ForecastSpec spec_;
  ProviderSettings settings_;
  HttpClient& http_;
  Clock& clock_;
  std::string store_path_;
  RetryPolicy retry_;
};

// Limits for a forecast someone waits on (a plan, a run about to start, a
// refresh): 5 s to connect, 15 s in all per request.
CurlOptions waited_forecast_curl_options();

// One fetch for a plan or the start of a run: a LiveForecastFeed over libcurl
// with waited_forecast_curl_options() and up to 3 attempts.
[[nodiscard]] Result<LiveForecast> obtain_live_forecast(const ForecastSpec& spec, const ProviderSettings& settings,
                                                        const std::string& store_path, Clock& clock, UtcTime from,
                                                        UtcTime to);

}  // namespace greenrun::intensity
