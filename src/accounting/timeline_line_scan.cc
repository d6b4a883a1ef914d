#include "accounting/timeline_line_scan.h"

#include <algorithm>
#include <cmath>

#include "greenrun/base/time_format.h"
#include "intensity/importers/json_walk.h"

namespace greenrun::accounting {
namespace {

using intensity::JsonPath;
using intensity::JsonScalar;

// What the walk collects; converted and checked once the line is read.
struct RawLine {
  // Reused line after line (thread_local below): clear() keeps the capacity,
  // so a line costs no allocation here.
  void clear() {
    start.reset();
    duration_s.reset();
    simulated = simulated_seen = false;
    joules_seen = method_seen = job_seen = warnings_seen = false;
    joules.clear();
    methods.clear();
    job.clear();
    platform.reset();
    platform_method.reset();
    cpu_utilisation.reset();
    job_cpu_share.reset();
    warnings.clear();
  }
  std::optional<std::string> start;
  std::optional<double> duration_s;
  bool simulated = false;
  bool simulated_seen = false;
  bool joules_seen = false, method_seen = false, job_seen = false,
       warnings_seen = false;
  std::vector<std::pair<std::string, double>> joules;
  std::vector<std::pair<std::string, std::string>> methods;
  std::vector<std::pair<std::string, double>> job;
  std::optional<double> platform;
  std::optional<std::string> platform_method;
  std::optional<double> cpu_utilisation, job_cpu_share;
  std::vector<std::string> warnings;
};

enum class Key {
  kStart,
  kDuration,
  kSimulated,
  kJoules,
  kMethod,
  kJob,
  kPlatform,
  kPlatformMethod,
  kCpuUtil,
  kJobShare,
  kWarnings,
  kOther
};

Key key_of(std::string_view k) {
  if (k == "start") return Key::kStart;
  if (k == "duration_s") return Key::kDuration;
  if (k == "simulated") return Key::kSimulated;
  if (k == "joules") return Key::kJoules;
  if (k == "method") return Key::kMethod;
  if (k == "job_joules") return Key::kJob;
  if (k == "platform_joules") return Key::kPlatform;
  if (k == "platform_method") return Key::kPlatformMethod;
  if (k == "cpu_utilisation") return Key::kCpuUtil;
  if (k == "job_cpu_share") return Key::kJobShare;
  if (k == "warnings") return Key::kWarnings;
  return Key::kOther;
}

// Any error only stops the scan; its text is never shown.
Status bail() { return make_error("not on the fast path"); }

template <typename T>
bool has_key(const std::vector<std::pair<std::string, T>>& v,
             std::string_view k) {
  return std::any_of(v.begin(), v.end(),
                     [&](const auto& p) { return p.first == k; });
}

class Scanner final : public intensity::JsonHandler {
 public:
  RawLine raw;

  Status on_begin(const JsonPath& path, bool is_array) override {
    const size_t d = path.depth();
    if (d == 0) return is_array ? bail() : Status{};
    if (path.is_index(0)) return bail();
    const Key k = key_of(path.key(0));
    if (k == Key::kOther)
      return {};  // unknown keys are ignored, whatever they hold
    if (d > 1) return bail();
    bool* seen = nullptr;
    switch (k) {
      case Key::kJoules:
        seen = &raw.joules_seen;
        break;
      case Key::kMethod:
        seen = &raw.method_seen;
        break;
      case Key::kJob:
        seen = &raw.job_seen;
        break;
      case Key::kWarnings:
        if (!is_array || raw.warnings_seen) return bail();
        raw.warnings_seen = true;
        return {};
      default:
        return bail();  // a scalar key holding a container
    }
    if (is_array || *seen) return bail();
    *seen = true;
    return {};
  }

  Status on_scalar(const JsonPath& path, const JsonScalar& v) override {
    const size_t d = path.depth();
    if (d == 0 || path.is_index(0)) return bail();
    const Key k = key_of(path.key(0));
    if (k == Key::kOther) return {};
    if (d == 1) return top(k, v);
    if (d != 2) return bail();
    if (k == Key::kWarnings) {
      if (!v.is_string()) return bail();
      raw.warnings.emplace_back(v.text);
      return {};
    }
    if (path.is_index(1)) return bail();
    const std::string_view name = path.key(1);
    switch (k) {
      case Key::kJoules:
        if (!v.is_number() || has_key(raw.joules, name)) return bail();
        raw.joules.emplace_back(name, v.number);
        return {};
      case Key::kMethod:
        if (!v.is_string() || has_key(raw.methods, name)) return bail();
        raw.methods.emplace_back(name, v.text);
        return {};
      case Key::kJob:
        if (!v.is_number() || has_key(raw.job, name)) return bail();
        raw.job.emplace_back(name, v.number);
        return {};
      default:
        return bail();
    }
  }

 private:
  Status top(Key k, const JsonScalar& v) {
    const auto number = [&](std::optional<double>& out) -> Status {
      if (!v.is_number() || out) return bail();
      out = v.number;
      return {};
    };
    switch (k) {
      case Key::kStart:
        if (!v.is_string() || raw.start) return bail();
        raw.start.emplace(v.text);
        return {};
      case Key::kDuration:
        return number(raw.duration_s);
      case Key::kSimulated:
        if (raw.simulated_seen) return bail();
        raw.simulated_seen = true;
        if (v.kind == JsonScalar::Kind::kBool) raw.simulated = v.boolean;
        return {};
      case Key::kPlatform:
        return number(raw.platform);
      case Key::kCpuUtil:
        return number(raw.cpu_utilisation);
      case Key::kJobShare:
        return number(raw.job_cpu_share);
      case Key::kPlatformMethod:
        if (!v.is_string() || raw.platform_method) return bail();
        raw.platform_method.emplace(v.text);
        return {};
      default:
        return bail();  // joules, method, job_joules, warnings must be
                        // containers
    }
  }
};

bool valid_joules(double j) { return std::isfinite(j) && j >= 0; }

}  // namespace

std::optional<TimelineLine> scan_timeline_line(std::string_view text) {
  // Strings with escapes are passed through as written by the walker; leave
  // them (rare in timeline lines) to the DOM reader.
  if (text.find('\\') != std::string_view::npos) return std::nullopt;
  thread_local Scanner s;
  s.raw.clear();
  if (!intensity::walk_json(text, "line", s)) return std::nullopt;
  RawLine& r = s.raw;
  if (!r.start || !r.duration_s || !r.joules_seen || !r.method_seen)
    return std::nullopt;
  TimelineLine line;
  auto start = parse_utc(*r.start);
  if (!start) return std::nullopt;
  line.start = *start;
  // As the DOM reader: positive, at most 1e9 s, at least 1 ms after rounding.
  const double secs = *r.duration_s;
  if (!std::isfinite(secs) || secs <= 0 || secs > 1e9) return std::nullopt;
  const long long ms = std::llround(secs * 1000.0);
  if (ms <= 0) return std::nullopt;
  line.duration = Duration(ms);
  line.entries.reserve(r.joules.size());
  for (const auto& [name, joules] : r.joules) {
    if (!valid_joules(joules)) return std::nullopt;
    const auto m = std::find_if(r.methods.begin(), r.methods.end(),
                                [&](const auto& p) { return p.first == name; });
    if (m == r.methods.end()) return std::nullopt;
    auto method = parse_method(m->second);
    if (!method) return std::nullopt;
    if (r.simulated && *method == Method::kEstimated)
      *method = Method::kSimulated;
    TimelineLine::Entry e{name, Energy::joules(joules), std::nullopt, *method};
    if (const auto j =
            std::find_if(r.job.begin(), r.job.end(),
                         [&](const auto& p) { return p.first == name; });
        j != r.job.end()) {
      if (!valid_joules(j->second)) return std::nullopt;
      e.job = Energy::joules(j->second);
    }
    line.entries.push_back(std::move(e));
  }
  for (const auto& m : r.methods)
    if (!has_key(r.joules, m.first)) return std::nullopt;
  if (r.platform) {
    if (!valid_joules(*r.platform)) return std::nullopt;
    line.platform = Energy::joules(*r.platform);
    if (r.platform_method) {
      auto m = parse_method(*r.platform_method);
      if (!m) return std::nullopt;
      line.platform_method = *m;
    }
  }
  for (const auto& f : {r.cpu_utilisation, r.job_cpu_share})
    if (f && !std::isfinite(*f)) return std::nullopt;
  line.cpu_utilisation = r.cpu_utilisation;
  line.job_cpu_share = r.job_cpu_share;
  line.warnings = r.warnings;
  return line;
}

}  // namespace greenrun::accounting
