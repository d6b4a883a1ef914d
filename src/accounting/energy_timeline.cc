#include "accounting/timeline_line_scan.h"
#include "greenrun/accounting/energy_timeline.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::accounting {

Result<Method> parse_method(std::string_view text) {
  const std::string_view t = trim(text);
  for (Method m : {Method::kMeasured, Method::kIntegrated, Method::kEstimated, Method::kSimulated})
    if (iequals(t, to_string(m))) return m;
  return make_error("expected a method: measured, integrated, estimated or simulated, got \"" + std::string(t) +
                    "\"");
}

bool is_valid_component_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) continue;
    if (i > 0 && (c == '_' || c == '.' || c == '-')) continue;
    return false;
  }
  return true;
}

Energy EnergyInterval::total() const {
  Energy sum;
  for (const ComponentReading& r : readings) sum += r.energy;
  return sum;
}

Result<uint16_t> EnergyTimeline::component_id(std::string_view name) {
  if (auto id = find_component(name)) return *id;
  if (!is_valid_component_name(name))
    return make_error("expected a component name of lower-case letters, digits, '_', '.' or '-' "
                      "(at most 64, starting with a letter or digit), got \"" +
                      std::string(name) + "\"");
  if (components_.size() >= 65535) return make_error("expected at most 65535 components");
  components_.emplace_back(name);
  return static_cast<uint16_t>(components_.size() - 1);
}

std::optional<uint16_t> EnergyTimeline::find_component(std::string_view name) const {
  for (size_t i = 0; i < components_.size(); ++i)
    if (components_[i] == name) return static_cast<uint16_t>(i);
  return std::nullopt;
}

Status EnergyTimeline::append(EnergyInterval interval) {
  if (interval.duration.count() <= 0)
    return make_error("expected a positive duration for the interval at " + format_utc(interval.start));
  if (interval.readings.empty())
    return make_error("expected at least one component's energy for the interval at " +
                      format_utc(interval.start));
  std::vector<bool> seen(components_.size(), false);
  for (const ComponentReading& r : interval.readings) {
    if (r.component >= components_.size()) return make_error("unknown component id " + std::to_string(r.component));
    const std::string& name = components_[r.component];
    if (seen[r.component]) return make_error("component \"" + name + "\" appears twice in one interval");
    seen[r.component] = true;
    const double j = r.energy.joules();
    if (!std::isfinite(j)) return make_error("component \"" + name + "\": expected a finite energy, got NaN or infinity");
    if (j < 0)
      return make_error("component \"" + name + "\": expected a non-negative energy, got " + std::to_string(j) + " J");
  }
  if (!intervals_.empty()) {
    const EnergyInterval& prev = intervals_.back();
    if (interval.start < prev.end())
      return make_error("interval starting at " + format_utc(interval.start) +
                        (interval.start < prev.start ? " comes before" : " overlaps") +
                        " the previous interval [" + format_utc(prev.start) + ", " + format_utc(prev.end()) +
                        "); expected ordered, non-overlapping intervals");
  }
  intervals_.push_back(std::move(interval));
  return {};
}

Status EnergyTimeline::append(UtcTime start, Duration duration, std::initializer_list<NamedReading> readings) {
  EnergyInterval iv{start, duration, {}};
  iv.readings.reserve(readings.size());
  for (const NamedReading& r : readings) {
    auto id = component_id(r.component);
    if (!id) return make_error(id.error().message);
    iv.readings.push_back(ComponentReading{*id, r.energy, r.method});
  }
  return append(std::move(iv));
}

Duration EnergyTimeline::active_time() const {
  Duration d{0};
  for (const EnergyInterval& iv : intervals_) d += iv.duration;
  return d;
}

Energy EnergyTimeline::total() const {
  Energy sum;
  for (const EnergyInterval& iv : intervals_) sum += iv.total();
  return sum;
}

Energy EnergyTimeline::total(uint16_t component) const {
  Energy sum;
  for (const EnergyInterval& iv : intervals_)
    for (const ComponentReading& r : iv.readings)
      if (r.component == component) sum += r.energy;
  return sum;
}

std::optional<Method> EnergyTimeline::method(uint16_t component) const {
  std::optional<Method> m;
  for (const EnergyInterval& iv : intervals_)
    for (const ComponentReading& r : iv.readings)
      if (r.component == component) m = m ? weaker(*m, r.method) : r.method;
  return m;
}

// ---- Writing ---------------------------------------------------------------

namespace {

void append_number(std::string& out, double v) {
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 64 bytes always suffice for the shortest form of a double
  out.append(buf, p);
}

}  // namespace

std::string to_jsonl_line(const TimelineLine& line) {
  std::string out;
  out.reserve(96 + line.entries.size() * 64);
  out += "{\"start\":\"";
  out += format_utc(line.start);
  out += "\",\"duration_s\":";
  append_number(out, static_cast<double>(line.duration.count()) / 1000.0);
  // Component names are [a-z0-9_.-]: they need no escaping.
  auto object = [&](std::string_view key, auto&& value_of, bool only_with_job) {
    out += ",\"";
    out += key;
    out += "\":{";
    bool first = true;
    for (const TimelineLine::Entry& e : line.entries) {
      if (only_with_job && !e.job) continue;
      if (!first) out += ',';
      first = false;
      out += '"';
      out += e.component;
      out += "\":";
      value_of(e);
    }
    out += '}';
  };
  object("joules", [&](const TimelineLine::Entry& e) { append_number(out, e.energy.joules()); }, false);
  object(
      "method",
      [&](const TimelineLine::Entry& e) {
        out += '"';
        out += to_string(e.method);
        out += '"';
      },
      false);
  const bool any_job = std::any_of(line.entries.begin(), line.entries.end(), [](const auto& e) { return e.job.has_value(); });
  if (any_job) object("job_joules", [&](const TimelineLine::Entry& e) { append_number(out, e.job->joules()); }, true);
  if (line.platform) {
    out += ",\"platform_joules\":";
    append_number(out, line.platform->joules());
    out += ",\"platform_method\":\"";
    out += to_string(line.platform_method);
    out += '"';
  }
  if (line.cpu_utilisation) {
    out += ",\"cpu_utilisation\":";
    append_number(out, *line.cpu_utilisation);
  }
  if (line.job_cpu_share) {
    out += ",\"job_cpu_share\":";
    append_number(out, *line.job_cpu_share);
  }
  if (!line.warnings.empty()) {
    out += ",\"warnings\":";
    // A warning may quote a path or an argument that is not UTF-8: replace
    // its bad bytes instead of throwing (type_error 316).
    out += nlohmann::json(line.warnings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out += "}\n";
  return out;
}

std::string to_jsonl_line(const EnergyTimeline& timeline, const EnergyInterval& interval) {
  TimelineLine line;
  line.start = interval.start;
  line.duration = interval.duration;
  line.entries.reserve(interval.readings.size());
  for (const ComponentReading& r : interval.readings)
    line.entries.push_back({timeline.component_name(r.component), r.energy, std::nullopt, r.method});
  return to_jsonl_line(line);
}

std::string to_jsonl(const EnergyTimeline& timeline) {
  std::string out;
  for (const EnergyInterval& iv : timeline.intervals()) out += to_jsonl_line(timeline, iv);
  return out;
}

// ---- Reading ---------------------------------------------------------------

namespace {

// ordered_json keeps the file's key order, so components keep their first-seen order.
using json = nlohmann::ordered_json;

std::string where(const std::string& name, size_t line) { return name + ":" + std::to_string(line) + ": "; }

// Seconds (as in the files) to whole milliseconds. Error when not positive
// after rounding or absurdly large.
Result<Duration> seconds_to_duration(double s) {
  if (!std::isfinite(s) || s <= 0) return make_error("expected a positive number of seconds");
  if (s > 1e9) return make_error("expected at most 1e9 seconds");
  const long long ms = std::llround(s * 1000.0);
  if (ms <= 0) return make_error("expected at least 0.001 s (the resolution is 1 ms)");
  return Duration(ms);
}

// A number of joules at `path`: finite and non-negative.
Result<Energy> joules_at(const json& value, const std::string& path) {
  if (!value.is_number()) return make_error(path + ": expected a number of joules");
  const double e = value.get<double>();
  if (!std::isfinite(e)) return make_error(path + ": expected a finite number of joules");
  if (e < 0) return make_error(path + ": expected a non-negative number of joules, got " + value.dump());
  return Energy::joules(e);
}

Result<TimelineLine> parse_line_object(const json& j) {
  if (!j.is_object()) return make_error("expected a JSON object per line");
  TimelineLine line;
  const auto start_it = j.find("start");
  if (start_it == j.end() || !start_it->is_string())
    return make_error("$.start: expected an ISO 8601 UTC time string");
  auto start = parse_utc(start_it->get_ref<const std::string&>());
  if (!start) return make_error("$.start: " + start.error().message);
  line.start = *start;

  const auto dur_it = j.find("duration_s");
  if (dur_it == j.end() || !dur_it->is_number())
    return make_error("$.duration_s: expected a positive number of seconds");
  auto dur = seconds_to_duration(dur_it->get<double>());
  if (!dur) return make_error("$.duration_s: " + dur.error().message);
  line.duration = *dur;

  const auto joules_it = j.find("joules");
  if (joules_it == j.end() || !joules_it->is_object())
    return make_error("$.joules: expected an object of component -> joules");
  const auto method_it = j.find("method");
  if (method_it == j.end() || !method_it->is_object())
    return make_error("$.method: expected an object of component -> measured|integrated|estimated|simulated");
  const auto job_it = j.find("job_joules");
  if (job_it != j.end() && !job_it->is_object())
    return make_error("$.job_joules: expected an object of component -> joules");
  // Before methods had "simulated", greenrun run wrote simulated figures as
  // "estimated" with "simulated": true.
  const auto sim_it = j.find("simulated");
  const bool legacy_simulated = sim_it != j.end() && sim_it->is_boolean() && sim_it->get<bool>();

  line.entries.reserve(joules_it->size());
  for (const auto& [key, value] : joules_it->items()) {
    auto e = joules_at(value, "$.joules." + key);
    if (!e) return std::unexpected(e.error());
    const auto m_it = method_it->find(key);
    if (m_it == method_it->end() || !m_it->is_string())
      return make_error("$.method." + key + ": expected measured, integrated, estimated or simulated for component \"" +
                        key + "\"");
    auto m = parse_method(m_it->get_ref<const std::string&>());
    if (!m) return make_error("$.method." + key + ": " + m.error().message);
    if (legacy_simulated && *m == Method::kEstimated) *m = Method::kSimulated;
    TimelineLine::Entry entry{key, *e, std::nullopt, *m};
    if (job_it != j.end()) {
      if (const auto it = job_it->find(key); it != job_it->end()) {
        auto job = joules_at(*it, "$.job_joules." + key);
        if (!job) return std::unexpected(job.error());
        entry.job = *job;
      }
    }
    line.entries.push_back(std::move(entry));
  }
  for (const auto& [key, value] : method_it->items()) {
    (void)value;
    if (!joules_it->contains(key))
      return make_error("$.method." + key + ": component has a method but no entry in $.joules");
  }
  if (const auto it = j.find("platform_joules"); it != j.end()) {
    auto e = joules_at(*it, "$.platform_joules");
    if (!e) return std::unexpected(e.error());
    line.platform = *e;
    if (const auto m_it = j.find("platform_method"); m_it != j.end()) {
      if (!m_it->is_string()) return make_error("$.platform_method: expected a method name");
      auto m = parse_method(m_it->get_ref<const std::string&>());
      if (!m) return make_error("$.platform_method: " + m.error().message);
      line.platform_method = *m;
    }
  }
  auto fraction = [&](const char* key, std::optional<double>& out) -> Status {
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (!it->is_number() || !std::isfinite(it->get<double>()))
      return make_error(std::string("$.") + key + ": expected a number between 0 and 1");
    out = it->get<double>();
    return {};
  };
  if (auto ok = fraction("cpu_utilisation", line.cpu_utilisation); !ok) return std::unexpected(ok.error());
  if (auto ok = fraction("job_cpu_share", line.job_cpu_share); !ok) return std::unexpected(ok.error());
  if (const auto it = j.find("warnings"); it != j.end()) {
    if (!it->is_array()) return make_error("$.warnings: expected an array of strings");
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) return make_error("$.warnings[" + std::to_string(i) + "]: expected a string");
      line.warnings.push_back((*it)[i].get<std::string>());
    }
  }
  return line;
}

// One JSON Lines record into `timeline`. Errors carry the JSON path.
Status parse_record(const json& j, EnergyTimeline& timeline) {
  auto line = parse_line_object(j);
  if (!line) return std::unexpected(line.error());
  if (line->entries.empty())
    return make_error("$.joules: expected an object of component -> joules with at least one entry");
  EnergyInterval iv{line->start, line->duration, {}};
  iv.readings.reserve(line->entries.size());
  for (const TimelineLine::Entry& e : line->entries) {
    auto id = timeline.component_id(e.component);
    if (!id) return make_error("$.joules: " + id.error().message);
    iv.readings.push_back(ComponentReading{*id, e.energy, e.method});
  }
  return timeline.append(std::move(iv));
}

}  // namespace

Result<TimelineLine> parse_timeline_line(std::string_view text) {
  // The scan reads a well-formed line without building a DOM; anything it
  // does not accept goes to the DOM reader, whose errors name the JSON path.
  if (auto fast = scan_timeline_line(text)) return std::move(*fast);
  return parse_timeline_line_dom(text);
}

Result<TimelineLine> parse_timeline_line_dom(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error("expected one complete JSON object, got invalid JSON");
  return parse_line_object(j);
}

Result<ReadReport> parse_timeline_jsonl(std::string_view text, const std::string& name,
                                        const ReadOptions& options) {
  ReadReport report;
  text = strip_bom(text);
  const bool ends_with_newline = !text.empty() && text.back() == '\n';
  size_t line_no = 0;
  size_t pos = 0;
  size_t records = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    if (last) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      if (last && !ends_with_newline && options.tolerate_truncated_tail) {
        ++report.dropped_tail_lines;
        break;
      }
      return make_error(where(name, line_no) + "expected one complete JSON object, got invalid JSON at byte " +
                        std::to_string(e.byte) +
                        (last && !ends_with_newline ? " (truncated last line?)" : ""));
    }
    auto ok = parse_record(j, report.timeline);
    if (!ok) return make_error(where(name, line_no) + ok.error().message);
    ++records;
  }
  if (records == 0)
    return make_error(name + ":1: expected energy intervals (one JSON object per line), got " +
                      (report.dropped_tail_lines ? "only a truncated line" : "an empty file"));
  return report;
}

namespace {

enum class ColumnKind { kStart, kDuration, kEnergy, kMethod, kAllMethods };

struct Column {
  ColumnKind kind;
  uint16_t component = 0;
  double joules_per_unit = 1.0;
};

// "<component>_<suffix>" -> component, or empty.
std::string_view strip_suffix(std::string_view h, std::string_view suffix) {
  if (h.size() > suffix.size() && h.ends_with(suffix)) return h.substr(0, h.size() - suffix.size());
  return {};
}

}  // namespace

Result<ReadReport> parse_timeline_csv(std::string_view text, const std::string& name) {
  ReadReport report;
  EnergyTimeline& tl = report.timeline;
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  // The header is the first line that is neither blank nor a # comment.
  bool have_header = false;
  while (lines.next(line)) {
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    have_header = true;
    break;
  }
  if (!have_header) return make_error(name + ":1: expected a CSV header \"start,duration_s,<component>_j,...\", got an empty file");
  const size_t header_line = lines.line_number();
  split_csv(line, f, scratch);
  std::vector<Column> cols;
  int start_col = -1, dur_col = -1;
  bool any_energy = false;
  for (size_t i = 0; i < f.size(); ++i) {
    const std::string h = to_lower(trim(f[i]));
    const std::string col_where = where(name, header_line) + "column " + std::to_string(i + 1) + ": ";
    Column c{ColumnKind::kStart};
    std::string_view comp;
    if (h == "start") {
      if (start_col >= 0) return make_error(col_where + "\"start\" appears twice");
      start_col = static_cast<int>(i);
    } else if (h == "duration_s") {
      if (dur_col >= 0) return make_error(col_where + "\"duration_s\" appears twice");
      c.kind = ColumnKind::kDuration;
      dur_col = static_cast<int>(i);
    } else if (h == "method") {
      c.kind = ColumnKind::kAllMethods;
    } else if (!(comp = strip_suffix(h, "_method")).empty()) {
      c.kind = ColumnKind::kMethod;
    } else if (!(comp = strip_suffix(h, "_kwh")).empty()) {
      c.kind = ColumnKind::kEnergy;
      c.joules_per_unit = 3.6e6;
    } else if (!(comp = strip_suffix(h, "_wh")).empty()) {
      c.kind = ColumnKind::kEnergy;
      c.joules_per_unit = 3600.0;
    } else if (!(comp = strip_suffix(h, "_j")).empty()) {
      c.kind = ColumnKind::kEnergy;
    } else {
      return make_error(col_where + "expected start, duration_s, <component>_j (or _wh, _kwh), <component>_method "
                        "or method, got \"" + std::string(trim(f[i])) + "\"");
    }
    if (c.kind == ColumnKind::kEnergy || c.kind == ColumnKind::kMethod) {
      auto id = tl.component_id(comp);
      if (!id) return make_error(col_where + id.error().message);
      c.component = *id;
      for (const Column& o : cols)
        if (o.kind == c.kind && o.component == c.component)
          return make_error(col_where + "a second " + (c.kind == ColumnKind::kEnergy ? "energy" : "method") +
                            " column for component \"" + std::string(comp) + "\"");
      any_energy = any_energy || c.kind == ColumnKind::kEnergy;
    }
    cols.push_back(c);
  }
  if (start_col < 0 || dur_col < 0 || !any_energy)
    return make_error(where(name, header_line) +
                      "expected a header with start, duration_s and at least one <component>_j column");

  const size_t n_components = tl.components().size();
  std::vector<std::optional<Energy>> energy(n_components);
  std::vector<std::optional<Method>> method(n_components);
  size_t records = 0;
  while (lines.next(line)) {
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    const size_t ln = lines.line_number();
    split_csv(line, f, scratch);
    if (f.size() != cols.size())
      return make_error(where(name, ln) + "expected " + std::to_string(cols.size()) + " columns as in the header, got " +
                        std::to_string(f.size()) + (f.size() < cols.size() ? " (truncated line?)" : ""));
    std::fill(energy.begin(), energy.end(), std::nullopt);
    std::fill(method.begin(), method.end(), std::nullopt);
    std::optional<Method> all_methods;
    UtcTime start{};
    Duration dur{0};
    for (size_t i = 0; i < cols.size(); ++i) {
      const std::string_view cell = trim(f[i]);
      const std::string col_where = where(name, ln) + "column " + std::to_string(i + 1) + ": ";
      switch (cols[i].kind) {
        case ColumnKind::kStart: {
          auto s = parse_utc(cell);
          if (!s) return make_error(col_where + s.error().message);
          start = *s;
          break;
        }
        case ColumnKind::kDuration: {
          auto v = parse_number(cell);
          if (!v) return make_error(col_where + "duration_s: " + v.error().message);
          auto d = seconds_to_duration(*v);
          if (!d) return make_error(col_where + "duration_s: " + d.error().message + ", got \"" + std::string(cell) + "\"");
          dur = *d;
          break;
        }
        case ColumnKind::kEnergy: {
          if (cell.empty()) break;  // component not present in this interval
          auto v = parse_number(cell);
          if (!v || *v < 0)
            return make_error(col_where + "expected a finite, non-negative energy, got \"" + std::string(cell) + "\"");
          energy[cols[i].component] = Energy::joules(*v * cols[i].joules_per_unit);
          break;
        }
        case ColumnKind::kMethod:
        case ColumnKind::kAllMethods: {
          if (cell.empty()) break;
          auto m = parse_method(cell);
          if (!m) return make_error(col_where + m.error().message);
          if (cols[i].kind == ColumnKind::kMethod) method[cols[i].component] = *m;
          else all_methods = *m;
          break;
        }
      }
    }
    EnergyInterval iv{start, dur, {}};
    for (size_t c = 0; c < n_components; ++c) {
      if (!energy[c]) continue;
      // No method column: greenrun cannot know how the figure was obtained,
      // so it does not claim a measurement (docs/formats.md).
      const Method m = method[c] ? *method[c] : all_methods ? *all_methods : Method::kEstimated;
      iv.readings.push_back(ComponentReading{static_cast<uint16_t>(c), *energy[c], m});
    }
    if (iv.readings.empty())
      return make_error(where(name, ln) + "expected at least one component's energy, got only empty cells");
    auto ok = tl.append(std::move(iv));
    if (!ok) return make_error(where(name, ln) + ok.error().message);
    ++records;
  }
  if (records == 0)
    return make_error(where(name, header_line + 1) + "expected energy intervals after the header, got none");
  return report;
}

Result<ReadReport> parse_timeline(std::string_view text, const std::string& name, TimelineFormat format,
                                  const ReadOptions& options) {
  if (format == TimelineFormat::kAuto) {
    const std::string_view t = trim(strip_bom(text));
    if (t.empty()) return make_error(name + ":1: expected an energy timeline (JSON Lines or CSV), got an empty file");
    format = t.front() == '{' ? TimelineFormat::kJsonLines : TimelineFormat::kCsv;
  }
  if (format == TimelineFormat::kJsonLines) return parse_timeline_jsonl(text, name, options);
  return parse_timeline_csv(text, name);
}

Result<ReadReport> read_timeline_file(const std::string& path, TimelineFormat format, const ReadOptions& options) {
  auto text = read_file(path);
  if (!text) return make_error(text.error().message);
  return parse_timeline(*text, path, format, options);
}

}  // namespace greenrun::accounting
