#include "slurm/sbatch_options.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace greenrun::slurm {

namespace {

std::optional<int64_t> number(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char c) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (size_t i; (i = s.find(c, pos)) != std::string_view::npos; pos = i + 1) parts.push_back(s.substr(pos, i - pos));
  parts.push_back(s.substr(pos));
  return parts;
}

// sbatch options that take no value (the others take one: --opt=V, --opt V, -oV, -o V).
const std::set<std::string, std::less<>>& flags_without_value() {
  static const std::set<std::string, std::less<>> s = {
      "--contiguous", "--exclusive", "--hold", "-H", "--ignore-pbs", "--no-kill", "-k", "--no-requeue",
      "--overcommit", "-O", "--parsable", "--quiet", "-Q", "--requeue", "--spread-job", "--test-only",
      "--use-min-nodes", "--verbose", "-v", "--wait", "-W", "--help", "-h", "--usage", "--version", "-V",
      "--get-user-env", "--nice", "--oversubscribe", "-s", "--reboot", "--kill-on-invalid-dep"};
  return s;
}

struct Scanned {
  std::string name;  // "--time", "-t"
  std::string value;
};

// Walks args; calls `on` for each option; returns the index of the script
// (args.size() when none).
template <class F>
size_t walk(const std::vector<std::string>& args, F on) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (a.size() < 2 || a[0] != '-') return i;
    if (a.starts_with("--")) {
      const size_t eq = a.find('=');
      if (eq != std::string::npos) {
        on(Scanned{a.substr(0, eq), a.substr(eq + 1)});
      } else if (flags_without_value().contains(a)) {
        on(Scanned{a, ""});
      } else {
        on(Scanned{a, i + 1 < args.size() ? args[i + 1] : ""});
        ++i;
      }
    } else {
      const std::string name = a.substr(0, 2);
      if (flags_without_value().contains(name)) {
        on(Scanned{name, ""});
      } else if (a.size() > 2) {
        on(Scanned{name, a.substr(2)});
      } else {
        on(Scanned{name, i + 1 < args.size() ? args[i + 1] : ""});
        ++i;
      }
    }
  }
  return args.size();
}

// Whitespace-separated words, with "..." and '...' quoting (as a shell would
// for an #SBATCH line).
std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0; else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in = true;
    } else if (c == ' ' || c == '\t') {
      if (in) out.push_back(cur);
      cur.clear();
      in = false;
    } else {
      cur += c;
      in = true;
    }
  }
  if (in) out.push_back(cur);
  return out;
}

}  // namespace

Result<std::optional<Duration>> parse_slurm_time(std::string_view text) {
  const auto bad = [&] {
    return make_error(ErrorKind::kUsage, "--time: expected minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S, got '" +
                                             std::string(text) + "'");
  };
  if (text == "UNLIMITED" || text == "INFINITE" || text == "unlimited" || text == "infinite")
    return std::optional<Duration>{};
  int64_t days = 0, h = 0, m = 0, s = 0;
  std::string_view rest = text;
  const size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    auto d = number(text.substr(0, dash));
    if (!d) return bad();
    days = *d;
    rest = text.substr(dash + 1);
    const auto parts = split(rest, ':');
    if (parts.size() > 3) return bad();
    std::vector<int64_t> v;
    for (auto p : parts) {
      auto n = number(p);
      if (!n) return bad();
      v.push_back(*n);
    }
    h = v[0];
    if (v.size() > 1) m = v[1];
    if (v.size() > 2) s = v[2];
  } else {
    const auto parts = split(rest, ':');
    std::vector<int64_t> v;
    for (auto p : parts) {
      auto n = number(p);
      if (!n) return bad();
      v.push_back(*n);
    }
    if (v.size() == 1) m = v[0];
    else if (v.size() == 2) { m = v[0]; s = v[1]; }
    else if (v.size() == 3) { h = v[0]; m = v[1]; s = v[2]; }
    else return bad();
  }
  const int64_t total = ((days * 24 + h) * 60 + m) * 60 + s;
  if (total <= 0) return bad();
  return std::optional<Duration>{std::chrono::seconds(total)};
}

Result<SbatchOptions> scan_sbatch(const std::vector<std::string>& args) {
  SbatchOptions o;
  std::optional<Error> err;
  bool wrap = false;
  auto take = [&](const Scanned& s, const std::string& where) {
    if (err) return;
    if (s.name == "--time" || s.name == "-t") {
      auto t = parse_slurm_time(s.value);
      if (!t) {
        err = Error{where + t.error().message, ErrorKind::kUsage};
        return;
      }
      o.time_limit = *t;
      o.time_limit_source = where.empty() ? "--time" : where.substr(0, where.size() - 2);
    } else if (s.name == "--comment") {
      o.comment = s.value;
    } else if (s.name == "--begin" || s.name == "-b") {
      o.has_begin = true;
    } else if (s.name == "--deadline") {
      o.has_deadline = true;
    } else if (s.name == "--wrap") {
      wrap = true;
    }
  };
  const size_t script = walk(args, [&](const Scanned& s) { take(s, ""); });
  if (err) return std::unexpected(*err);
  if (script < args.size() && !wrap) o.script = args[script];
  if (o.script) {
    // #SBATCH lines before the first command; the command line wins.
    std::ifstream in(*o.script);
    if (!in) return make_error(ErrorKind::kUsage, *o.script + ": cannot read the batch script");
    const bool time_given = o.time_limit.has_value();
    const auto cli_limit = o.time_limit;
    const auto cli_comment = o.comment;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (n == 1 && line.starts_with("#!")) continue;
      const auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      if (line[first] != '#') break;
      if (line.compare(first, 7, "#SBATCH") != 0) continue;
      auto w = words(std::string_view(line).substr(first + 7));
      for (size_t k = 0; k < w.size() && !w[k].empty() && w[k][0] == '#'; ++k) w.resize(k);  // trailing comment
      walk(w, [&](const Scanned& s) { take(s, *o.script + " line " + std::to_string(n) + ": "); });
      if (err) return std::unexpected(*err);
    }
    if (time_given) {
      o.time_limit = cli_limit;
      o.time_limit_source = "--time";
    }
    if (cli_comment) o.comment = cli_comment;
  }
  return o;
}

}  // namespace greenrun::slurm
