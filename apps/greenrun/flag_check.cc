#include "flag_check.h"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace greenrun::cli {
namespace {

// Edits (insert, delete, replace, swap two neighbours) from a to b.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The closest of `names` to `typed`: within a third of its length (at least
// 1, at most 3 edits), or one that starts with it.
std::optional<std::string> closest(const std::string& typed, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_d = std::min<size_t>(3, std::max<size_t>(1, typed.size() / 3)) + 1;
  for (const auto& n : names) {
    const size_t d = n.starts_with(typed) && typed.size() >= 3 ? 1 : edit_distance(typed, n);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

// The long flags ("--project") an app accepts, with its parents' (flags
// such as --store are accepted anywhere after them) and --help.
std::vector<std::string> long_flags(const CLI::App* app) {
  std::vector<std::string> out = {"--help"};
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options())
      for (const auto& n : o->get_lnames()) out.push_back("--" + n);
  return out;
}

std::string path_of(const CLI::App* app) {
  std::string p;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
    p = a->get_name() + (p.empty() ? "" : " " + p);
  return p;
}

}  // namespace

std::optional<std::string> unknown_flag_message(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* app = &root;
  bool positional_seen = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.starts_with("--")) {
      const std::string name = a.substr(0, a.find('='));
      const auto flags = long_flags(app);
      if (std::find(flags.begin(), flags.end(), name) != flags.end()) continue;
      if (name == "--version" && app == &root) continue;
      std::string m = name + " is not a flag of `" + path_of(app) + "`";
      if (auto c = closest(name, flags)) m += "; did you mean " + *c + "?";
      else if (positional_seen) m += " (a job's own flags go after --, as in `greenrun run [flags] -- CMD ARGS`)";
      else m += "; see `" + path_of(app) + " --help`";
      return m;
    }
    if (a.starts_with("-")) continue;
    // A word: a subcommand of the current app, else a value or positional.
    const auto subs = app->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) {
      // A positional, unless it is the value of the flag before it.
      if (!(i > 1 && args[i - 1].starts_with("--") && args[i - 1].find('=') == std::string::npos))
        positional_seen = true;
      continue;
    }
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->get_name() == a) next = s;
    }
    if (next) {
      app = next;
      continue;
    }
    // The value of the previous flag (`--store PATH`) is not a subcommand.
    if (i > 1 && args[i - 1].starts_with("--") && args[i - 1].find('=') == std::string::npos) continue;
    std::string m = "\"" + a + "\" is not a command of `" + path_of(app) + "`";
    if (auto c = closest(a, names)) m += "; did you mean " + *c + "?";
    else m += "; see `" + path_of(app) + " --help`";
    return m;
  }
  return std::nullopt;
}

}  // namespace greenrun::cli
