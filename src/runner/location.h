// Where is this machine? The grid zone whose intensity a run is charged at.
//
// Order: --zone / --region (explicit); then GREENRUN_ZONE; then
// ~/.config/greenrun/config.toml (`zone = "DE"` or `region = "aws:eu-central-1"`);
// then cloud instance metadata (AWS IMDSv2, Azure IMDS, GCP metadata server,
// ~300 ms each, the answer — including "not a cloud VM" — cached for a day in
// $XDG_CACHE_HOME/greenrun/location); else the world average with a clear
// warning — never a silent default country. Explicit settings come before
// metadata so that a user's choice is never overridden and costs no network.
//
// A region ("provider:region") becomes a zone through `region_to_zone`, which
// the CLI fills from the zone catalogue.
//
// Thread-safety: call from one thread (libcurl easy handles).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "greenrun/base/result.h"

namespace greenrun::runner {

struct LocationRequest {
  std::optional<std::string> zone;    // --zone
  std::optional<std::string> region;  // --region provider:region
  std::optional<std::string> env_zone;     // GREENRUN_ZONE
  std::optional<std::string> config_path;  // config.toml (absent file = skipped)
  bool use_metadata = true;                // GREENRUN_NO_METADATA=1 turns it off
  std::string metadata_base;               // "http://169.254.169.254" (tests: a local server)
  std::string gcp_metadata_base;           // "http://metadata.google.internal"
  std::optional<std::string> cache_path;   // where the metadata answer is cached
  long timeout_ms = 300;
  // Fills the request from the environment and XDG folders.
  static LocationRequest from_environment(std::optional<std::string> zone, std::optional<std::string> region);
};

struct WhereAmI {
  std::string zone;  // "" = world average
  std::optional<std::string> cloud_region;  // "aws:eu-central-1"
  std::string source;  // "--zone", "GREENRUN_ZONE", "config.toml", "aws metadata", "world average"
  std::optional<std::string> warning;
};

using RegionToZone = std::function<Result<std::string>(const std::string& provider_region)>;

// Error: a malformed config file or region, or a region with no known zone.
[[nodiscard]] Result<WhereAmI> where_am_i(const LocationRequest& req, const RegionToZone& region_to_zone);

// Asks the three metadata services; "provider:region" or nullopt.
std::optional<std::string> query_cloud_metadata(const std::string& base, const std::string& gcp_base,
                                                long timeout_ms);

}  // namespace greenrun::runner
