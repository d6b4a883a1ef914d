#include "greenrun/scheduling/job_log.h"

#include <map>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::scheduling {
namespace {

std::unexpected<Error> bad(const std::string& name, size_t line,
                           const std::string& what) {
  return make_error(ErrorKind::kBadData,
                    name + ":" + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view v) {
  return "\"" + std::string(v.substr(0, 60)) + "\"";
}

Result<bool> parse_bool(std::string_view v) {
  const std::string s = to_lower(trim(v));
  if (s.empty() || s == "true" || s == "yes" || s == "1") return true;
  if (s == "false" || s == "no" || s == "0") return false;
  return make_error("expected true or false, got " + quoted(v));
}

// sacct's ConsumedEnergy: joules with an optional K, M, G suffix.
Result<std::optional<Energy>> parse_consumed(std::string_view v) {
  const std::string_view t = trim(v);
  if (t.empty()) return std::optional<Energy>();
  double scale = 1;
  std::string_view num = t;
  switch (t.back()) {
    case 'K':
      scale = 1e3;
      break;
    case 'M':
      scale = 1e6;
      break;
    case 'G':
      scale = 1e9;
      break;
    default:
      break;
  }
  if (scale != 1) num = t.substr(0, t.size() - 1);
  auto x = parse_number(num);
  if (!x || *x < 0)
    return make_error("expected joules such as 12345 or 1.2M, got " +
                      quoted(v));
  if (*x == 0) return std::optional<Energy>();
  return std::optional<Energy>(Energy::joules(*x * scale));
}

Result<JobLog> parse_csv(std::string_view text, const std::string& name,
                         const JobLogOptions& o) {
  JobLog log;
  log.name = name;
  log.format = "csv";
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  if (!lines.next(line))
    return bad(name, 1,
               "empty job log; expected a header id,submit,duration,power");
  split_csv(line, f, scratch);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < f.size(); ++i) col[to_lower(trim(f[i]))] = i;
  const size_t header_line = lines.line_number();
  for (const char* need : {"id", "submit", "duration"})
    if (!col.count(need))
      return bad(name, header_line,
                 std::string("missing column \"") + need +
                     "\" (expected "
                     "id,submit,duration,power|energy[,earliest][,deadline|"
                     "rule][,interruptible])");
  if (!col.count("power") && !col.count("energy"))
    return bad(name, header_line, "missing column \"power\" or \"energy\"");
  if (col.count("power") && col.count("energy"))
    return bad(name, header_line, "give \"power\" or \"energy\", not both");
  if (col.count("deadline") && col.count("rule"))
    return bad(name, header_line, "give \"deadline\" or \"rule\", not both");
  auto get = [&](const char* c) -> std::optional<std::string_view> {
    const auto it = col.find(c);
    if (it == col.end() || it->second >= f.size()) return std::nullopt;
    const std::string_view v = trim(f[it->second]);
    if (v.empty()) return std::nullopt;
    return v;
  };
  std::map<std::string, size_t> seen;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const size_t ln = lines.line_number();
    split_csv(line, f, scratch);
    if (f.size() != col.size())
      return bad(name, ln,
                 "expected " + std::to_string(col.size()) + " fields, got " +
                     std::to_string(f.size()));
    LoggedJob j;
    j.line = ln;
    const auto id = get("id");
    if (!id) return bad(name, ln, "column id: missing");
    j.id = std::string(*id);
    if (auto [it, fresh] = seen.emplace(j.id, ln); !fresh)
      return bad(name, ln,
                 "duplicate id \"" + j.id + "\" (first on line " +
                     std::to_string(it->second) + ")");
    auto field_error = [&](const char* c, const Error& e) {
      return bad(name, ln, std::string("column ") + c + ": " + e.message);
    };
    const auto submit = get("submit");
    if (!submit) return bad(name, ln, "column submit: missing");
    auto s = parse_local(*submit, o.tz);
    if (!s) return field_error("submit", s.error());
    j.submit = *s;
    const auto dur = get("duration");
    if (!dur) return bad(name, ln, "column duration: missing");
    auto d = parse_duration(*dur);
    if (!d) return field_error("duration", d.error());
    if (d->count() <= 0)
      return bad(
          name, ln,
          "column duration: expected a positive duration, got " + quoted(*dur));
    j.duration = *d;
    if (col.count("power")) {
      const auto p = get("power");
      if (!p) return bad(name, ln, "column power: missing");
      auto w = parse_power(*p);
      if (!w) return field_error("power", w.error());
      j.power = *w;
    } else {
      const auto e = get("energy");
      if (!e) return bad(name, ln, "column energy: missing");
      auto en = parse_energy(*e);
      if (!en) return field_error("energy", en.error());
      j.power = *en / j.duration;
    }
    if (const auto e = get("earliest")) {
      auto t = parse_local(*e, o.tz);
      if (!t) return field_error("earliest", t.error());
      j.earliest = *t;
    }
    if (const auto e = get("deadline")) {
      auto t = parse_local(*e, o.tz);
      if (!t) return field_error("deadline", t.error());
      j.deadline = *t;
    }
    if (const auto e = get("rule")) {
      auto r = parse_job_rule(*e, o.tz);
      if (!r) return field_error("rule", r.error());
      j.rule = *r;
    }
    if (col.count("interruptible")) {
      auto b = parse_bool(get("interruptible").value_or(""));
      if (!b) return field_error("interruptible", b.error());
      j.interruptible = *b;
    }
    log.jobs.push_back(std::move(j));
  }
  return log;
}

Result<JobLog> parse_sacct(std::string_view text, const std::string& name,
                           const JobLogOptions& o) {
  JobLog log;
  log.name = name;
  log.format = "sacct";
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  if (!lines.next(line)) return bad(name, 1, "empty sacct export");
  split_csv(line, f, scratch, '|');
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < f.size(); ++i) col[to_lower(trim(f[i]))] = i;
  for (const char* need : {"jobid", "submit", "elapsed"})
    if (!col.count(need))
      return bad(name, lines.line_number(),
                 std::string("missing column \"") + need +
                     "\" (export with sacct --parsable2 "
                     "--format=JobID,Submit,Start,Elapsed,TimeLimit,NNodes,"
                     "ConsumedEnergy)");
  auto get = [&](const char* c) -> std::string_view {
    const auto it = col.find(c);
    if (it == col.end() || it->second >= f.size()) return {};
    return trim(f[it->second]);
  };
  std::map<std::string, size_t> seen;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    const size_t ln = lines.line_number();
    split_csv(line, f, scratch, '|');
    if (f.size() < col.size())
      return bad(name, ln,
                 "expected " + std::to_string(col.size()) +
                     " '|'-separated fields, got " + std::to_string(f.size()));
    const std::string id(get("jobid"));
    if (id.empty()) return bad(name, ln, "column JobID: missing");
    if (id.find('.') != std::string::npos) {  // a step of a job, not a job
      ++log.steps_ignored;
      continue;
    }
    if (auto [it, fresh] = seen.emplace(id, ln); !fresh)
      return bad(name, ln,
                 "duplicate JobID \"" + id + "\" (first on line " +
                     std::to_string(it->second) + ")");
    auto field_error = [&](const char* c, const Error& e) {
      return bad(name, ln, std::string("column ") + c + ": " + e.message);
    };
    LoggedJob j;
    j.id = id;
    j.line = ln;
    auto s = parse_local(get("submit"), o.tz);
    if (!s) return field_error("Submit", s.error());
    j.submit = *s;
    auto el = parse_slurm_duration(get("elapsed"));
    if (!el) return field_error("Elapsed", el.error());
    const std::string_view start = get("start");
    if (el->count() <= 0 ||
        (col.count("start") && (start == "Unknown" || start == "None"))) {
      log.excluded.push_back(
          {id, ln, "never ran (Elapsed " + std::string(get("elapsed")) + ")"});
      continue;
    }
    j.duration = *el;
    double nodes = 1;
    if (col.count("nnodes")) {
      auto n = parse_number(get("nnodes"));
      if (!n || *n < 1)
        return bad(name, ln,
                   "column NNodes: expected a positive count, got " +
                       quoted(get("nnodes")));
      nodes = *n;
    }
    std::optional<Energy> energy;
    if (col.count("consumedenergy")) {
      auto e = parse_consumed(get("consumedenergy"));
      if (!e) return field_error("ConsumedEnergy", e.error());
      energy = *e;
    }
    j.power = energy ? *energy / j.duration
                     : Power::watts(o.node_power.watts() * nodes);
    log.jobs.push_back(std::move(j));
  }
  return log;
}

}  // namespace

Result<Duration> parse_slurm_duration(std::string_view text) {
  const std::string_view t = trim(text);
  auto fail = [&] {
    return make_error("expected a Slurm duration [D-]HH:MM:SS, got " +
                      quoted(t));
  };
  std::string_view rest = t;
  long long days = 0;
  const bool has_days = t.find('-') != std::string_view::npos;
  if (has_days) {
    auto d = parse_number(t.substr(0, t.find('-')));
    if (!d || *d < 0 || *d != static_cast<long long>(*d)) return fail();
    days = static_cast<long long>(*d);
    rest = t.substr(t.find('-') + 1);
  }
  std::vector<double> parts;
  size_t pos = 0;
  while (pos <= rest.size()) {
    const size_t c = std::min(rest.find(':', pos), rest.size());
    auto v = parse_number(rest.substr(pos, c - pos));
    if (!v || *v < 0) return fail();
    parts.push_back(*v);
    pos = c + 1;
  }
  if (parts.empty() || parts.size() > 3) return fail();
  double seconds = 0;
  if (has_days) {  // D-HH, D-HH:MM, D-HH:MM:SS
    const double mult[] = {3600, 60, 1};
    for (size_t i = 0; i < parts.size(); ++i) seconds += parts[i] * mult[i];
  } else if (parts.size() == 1) {  // MM
    seconds = parts[0] * 60;
  } else if (parts.size() == 2) {  // MM:SS
    seconds = parts[0] * 60 + parts[1];
  } else {
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  }
  return std::chrono::duration_cast<Duration>(std::chrono::days(days)) +
         Duration(static_cast<int64_t>(seconds * 1000 + 0.5));
}

JobLog synthetic_log(std::span<const Preset> presets, const StartSchedule& schedule, UtcTime from,
                     UtcTime to, const TimeZone& tz) {
  JobLog log;
  log.name = schedule.text;
  log.format = "synthetic";
  const auto times = schedule_times(schedule, from, to, tz);
  for (const Preset& p : presets)
    for (UtcTime t : times) {
      LoggedJob j;
      j.id = p.name + "@" + format_utc(t);
      j.submit = t;
      j.duration = p.duration;
      j.power = p.energy / p.duration;
      log.jobs.push_back(std::move(j));
    }
  return log;
}

Result<JobLog> parse_job_log(std::string_view text, const std::string& name,
                             const JobLogOptions& o) {
  LineReader probe(text);
  std::string_view first;
  if (!probe.next(first))
    return bad(name, 1,
               "empty job log; expected a header id,submit,duration,power");
  if (first.find('|') != std::string_view::npos)
    return parse_sacct(text, name, o);
  return parse_csv(text, name, o);
}

}  // namespace greenrun::scheduling
