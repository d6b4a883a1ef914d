// toml++ is used header-only here (TOML_HEADER_ONLY defaults to 1 without the
// pkg-config flags), so greenrun_intensity needs no extra link line.
#include "greenrun/intensity/providers/provider_settings.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace greenrun::intensity {

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

std::string default_config_path(const EnvLookup& env) {
  if (auto p = env("GREENRUN_CONFIG")) return *p;
  if (auto x = env("XDG_CONFIG_HOME")) return *x + "/greenrun/config.toml";
  return env("HOME").value_or(".") + "/.config/greenrun/config.toml";
}

namespace {

Status read_string(const toml::table& root, std::string_view table, std::string_view key, const std::string& name,
                   std::optional<std::string>& out, std::vector<std::string>& sources) {
  const toml::node* t = root.get(table);
  if (!t) return {};
  if (!t->is_table()) return make_error(name + ": " + std::string(table) + ": expected a table");
  const toml::node* v = t->as_table()->get(key);
  if (!v) return {};
  const std::string where = std::string(table) + "." + std::string(key);
  if (!v->is_string()) return make_error(name + ": " + where + ": expected a string");
  out = v->as_string()->get();
  sources.push_back(where + ": " + name);
  return {};
}

}  // namespace

Result<ProviderSettings> parse_provider_settings(std::string_view toml_text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return make_error(name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                      std::string(e.description()));
  }
  ProviderSettings s;
  std::optional<std::string> user, password, token;
  for (auto [table, key, out] : {std::tuple{"watttime", "username", &user},
                                 std::tuple{"watttime", "password", &password},
                                 std::tuple{"electricitymaps", "token", &token},
                                 std::tuple{"watttime", "base_url", &s.watttime_base_url},
                                 std::tuple{"electricitymaps", "base_url", &s.electricitymaps_base_url},
                                 std::tuple{"uk", "base_url", &s.uk_base_url},
                                 std::tuple{"forecast", "provider", &s.forecast_provider}}) {
    if (auto st = read_string(root, table, key, name, *out, s.sources); !st) return std::unexpected(st.error());
  }
  if (user) s.watttime_username = Secret(*user);
  if (password) s.watttime_password = Secret(*password);
  if (token) s.electricitymaps_token = Secret(*token);
  return s;
}

Result<ProviderSettings> load_provider_settings(const EnvLookup& env, const std::optional<std::string>& explicit_path) {
  const std::string path = explicit_path.value_or(default_config_path(env));
  ProviderSettings s;
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_provider_settings(text.str(), path);
    if (!parsed) return parsed;
    s = std::move(*parsed);
    struct stat st {};
    const bool has_secret = !s.watttime_password.empty() || !s.electricitymaps_token.empty();
    if (has_secret && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      s.warnings.push_back(path + " holds credentials and is readable by others; run: chmod 600 " + path);
  } else if (explicit_path) {
    return make_error(path + ": cannot read the config file");
  }
  s.config_path = path;
  struct Override {
    const char* var;
    Secret* secret;
    std::optional<std::string>* text;
    const char* key;
  };
  const Override overrides[] = {
      {"GREENRUN_WATTTIME_USERNAME", &s.watttime_username, nullptr, "watttime.username"},
      {"GREENRUN_WATTTIME_PASSWORD", &s.watttime_password, nullptr, "watttime.password"},
      {"GREENRUN_ELECTRICITYMAPS_TOKEN", &s.electricitymaps_token, nullptr, "electricitymaps.token"},
      {"GREENRUN_WATTTIME_BASE_URL", nullptr, &s.watttime_base_url, "watttime.base_url"},
      {"GREENRUN_ELECTRICITYMAPS_BASE_URL", nullptr, &s.electricitymaps_base_url, "electricitymaps.base_url"},
      {"GREENRUN_UK_BASE_URL", nullptr, &s.uk_base_url, "uk.base_url"},
      {"GREENRUN_FORECAST_PROVIDER", nullptr, &s.forecast_provider, "forecast.provider"},
  };
  for (const Override& o : overrides) {
    auto v = env(o.var);
    if (!v) continue;
    if (o.secret) *o.secret = Secret(*v);
    else *o.text = *v;
    s.sources.push_back(std::string(o.key) + ": " + o.var);
  }
  return s;
}

}  // namespace greenrun::intensity
