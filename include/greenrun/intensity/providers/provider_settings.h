// ProviderSettings: credentials and base URLs for the live providers, read
// from ~/.config/greenrun/config.toml (or $GREENRUN_CONFIG, or
// $XDG_CONFIG_HOME/greenrun/config.toml) and overridden by environment
// variables:
//
//   [watttime]        username, password, base_url
//   [electricitymaps] token, base_url
//   [uk]              base_url
//   [forecast]        provider   ("uk", "watttime:CAISO_NORTH", ...: where
//                                 carbon-aware `greenrun run` gets forecasts)
//
//   GREENRUN_WATTTIME_USERNAME, GREENRUN_WATTTIME_PASSWORD,
//   GREENRUN_ELECTRICITYMAPS_TOKEN, GREENRUN_<PROVIDER>_BASE_URL,
//   GREENRUN_FORECAST_PROVIDER
//
// Secrets are held in Secret, which has no stream operator, so they cannot be
// printed by accident; messages name the key, never the value.
//
// Thread-safety: pure functions except load_provider_settings (reads a file).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::intensity {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

struct ProviderSettings {
  Secret watttime_username;
  Secret watttime_password;
  Secret electricitymaps_token;
  std::optional<std::string> watttime_base_url;
  std::optional<std::string> electricitymaps_base_url;
  std::optional<std::string> uk_base_url;
  std::optional<std::string> forecast_provider;  // live_forecast.h's spec text
  // The config file these came from (or would have: it may not exist), for
  // messages that tell the user where to put a setting.
  std::string config_path = "~/.config/greenrun/config.toml";
  // Where each value came from, e.g. "watttime.password: GREENRUN_WATTTIME_PASSWORD"
  // (names only, never values), for `--verbose` style diagnostics.
  std::vector<std::string> sources;
  // Non-fatal problems, e.g. a config file with secrets readable by others.
  std::vector<std::string> warnings;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (empty values count as unset).
EnvLookup process_environment();

// $GREENRUN_CONFIG, else $XDG_CONFIG_HOME/greenrun/config.toml, else
// $HOME/.config/greenrun/config.toml.
std::string default_config_path(const EnvLookup& env);

// Parses the TOML text. Errors: "<name>:<line>:<column>: <what>" for syntax,
// "<name>: watttime.password: expected a string" for types. Unknown tables
// and keys are ignored (the file may hold other parts' settings).
[[nodiscard]] Result<ProviderSettings> parse_provider_settings(std::string_view toml_text, const std::string& name);

// The file (a missing file is fine unless `explicit_path` named it), then the
// environment on top.
[[nodiscard]] Result<ProviderSettings> load_provider_settings(const EnvLookup& env,
                                                              const std::optional<std::string>& explicit_path);

}  // namespace greenrun::intensity
