// toml++ header-only, as in intensity/providers/provider_settings.cc.
#include "server/server_settings.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace greenrun::server {

Result<ServerSettings> parse_server_settings(std::string_view toml_text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return make_error(ErrorKind::kBadData, name + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                                               ": " + std::string(e.description()));
  }
  ServerSettings s;
  const toml::node* t = root.get("server");
  if (!t) return s;
  if (!t->is_table()) return make_error(ErrorKind::kBadData, name + ": server: expected a table");
  for (auto [key, out] : {std::pair{"listen", &s.listen}, std::pair{"token_file", &s.token_file}}) {
    const toml::node* v = t->as_table()->get(key);
    if (!v) continue;
    if (!v->is_string()) return make_error(ErrorKind::kBadData, name + ": server." + key + ": expected a string");
    *out = v->as_string()->get();
  }
  return s;
}

Result<ServerSettings> load_server_settings(const intensity::EnvLookup& env) {
  const std::string path = intensity::default_config_path(env);
  std::ifstream in(path, std::ios::binary);
  if (!in) return ServerSettings{};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_server_settings(text.str(), path);
}

Result<std::string> read_token_file(const std::string& path, std::vector<std::string>& warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, path + ": cannot read the token file");
  std::string line;
  std::getline(in, line);
  const size_t a = line.find_first_not_of(" \t\r\n");
  const size_t b = line.find_last_not_of(" \t\r\n");
  if (a == std::string::npos) return make_error(ErrorKind::kBadData, path + ": the token file is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
    warnings.push_back(path + ": the token file is readable by others; chmod 600 it");
  return line.substr(a, b - a + 1);
}

}  // namespace greenrun::server
