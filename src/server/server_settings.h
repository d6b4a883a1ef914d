// Settings of `greenrun serve` from the config file's [server] table
// (~/.config/greenrun/config.toml, or $GREENRUN_CONFIG, or
// $XDG_CONFIG_HOME/greenrun/config.toml — the providers' file):
//
//   [server]
//   listen = "127.0.0.1:8080"
//   token_file = "/etc/greenrun/token"   # required to listen beyond loopback
//
// Flags override the file. The token is read from its file and held only in
// memory; messages name the file, never the token.
//
// Thread-safety: pure functions apart from the files read.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/intensity/providers/provider_settings.h"

namespace greenrun::server {

struct ServerSettings {
  std::optional<std::string> listen;
  std::optional<std::string> token_file;
};

// Parses the TOML text. Errors: "<name>:<line>:<column>: <what>", or
// "<name>: server.listen: expected a string". Other tables are ignored.
[[nodiscard]] Result<ServerSettings> parse_server_settings(std::string_view toml_text, const std::string& name);
// The config file (a missing file gives empty settings).
[[nodiscard]] Result<ServerSettings> load_server_settings(const intensity::EnvLookup& env);

// The token in `path`: its first line, surrounding whitespace trimmed.
// Errors name the file: unreadable, empty. `warnings` gets a line when the
// file is readable by others than its owner.
[[nodiscard]] Result<std::string> read_token_file(const std::string& path, std::vector<std::string>& warnings);

}  // namespace greenrun::server
