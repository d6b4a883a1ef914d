#include "greenrun/runner/run_record.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/byte_escape.h"
#include "greenrun/base/time_format.h"

#ifndef GREENRUN_VERSION
#error "GREENRUN_VERSION (CMake's project version) must be defined for run_record.cc"
#endif

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;
using sensors::Component;
using sensors::Method;


ordered_json figure_json(const EmissionsFigure& f) {
  return {{"signal", f.signal},
          {"job_g", f.job.grams()},
          {"mean_g_per_kwh", f.mean_intensity.grams_per_kwh()},
          {"source", f.source},
          {"coverage", f.coverage}};
}

// A byte string as run.json keeps it: as it is when valid UTF-8, else
// escaped, with `field` added to the "escaped" list.
struct ByteFields {
  std::vector<std::string> escaped;
  std::string text(const std::string& bytes, const char* field) {
    if (is_valid_utf8(bytes)) return bytes;
    escaped.emplace_back(field);
    return escape_bytes(bytes);
  }
  std::vector<std::string> texts(const std::vector<std::string>& bytes, const char* field) {
    bool valid = true;
    for (const auto& b : bytes) valid = valid && is_valid_utf8(b);
    if (valid) return bytes;
    // All of them, so that the list says which fields, not which items.
    escaped.emplace_back(field);
    std::vector<std::string> out;
    out.reserve(bytes.size());
    for (const auto& b : bytes) out.push_back(escape_bytes(b));
    return out;
  }
};

// ---- Reading: typed getters that name the JSON path ----------------------

struct Reader {
  const ordered_json& j;  // an object
  std::string path;       // "$", "$.host", "$.components[2]"

  std::string at(std::string_view key) const { return path + "." + std::string(key); }
  static std::string got(const ordered_json& v) {
    std::string text = v.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
  }
  Status expected(std::string_view key, std::string_view what) const {
    return make_error(at(key) + ": expected " + std::string(what) + ", got " + got(j.at(std::string(key))));
  }
  const ordered_json* find(std::string_view key) const {
    const auto it = j.find(std::string(key));
    return it == j.end() || it->is_null() ? nullptr : &*it;
  }

  [[nodiscard]] Status string(std::string_view key, std::string& out, bool required = false) const {
    const auto* v = find(key);
    if (!v) return required ? make_error(at(key) + ": expected a string, got nothing") : Status{};
    if (!v->is_string()) return expected(key, "a string");
    out = v->get<std::string>();
    return {};
  }
  [[nodiscard]] Status number(std::string_view key, double& out) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_number() || !std::isfinite(v->get<double>())) return expected(key, "a number");
    out = v->get<double>();
    return {};
  }
  template <typename Int>
  [[nodiscard]] Status integer(std::string_view key, Int& out) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_number_integer()) return expected(key, "an integer");
    if constexpr (std::is_unsigned_v<Int>) {
      if (v->is_number_unsigned()) {
        out = static_cast<Int>(v->get<uint64_t>());
        return {};
      }
      if (v->get<int64_t>() < 0) return expected(key, "a non-negative integer");
    }
    out = static_cast<Int>(v->get<int64_t>());
    return {};
  }
  [[nodiscard]] Status boolean(std::string_view key, bool& out) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_boolean()) return expected(key, "true or false");
    out = v->get<bool>();
    return {};
  }
  [[nodiscard]] Status strings(std::string_view key, std::vector<std::string>& out) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_array()) return expected(key, "an array of strings");
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string())
        return make_error(at(key) + "[" + std::to_string(i) + "]: expected a string, got " + got((*v)[i]));
      out.push_back((*v)[i].get<std::string>());
    }
    return {};
  }
  [[nodiscard]] Status time(std::string_view key, UtcTime& out, bool required = true) const {
    std::string text;
    if (auto ok = string(key, text, required); !ok) return ok;
    if (text.empty() && !required) return {};
    auto t = parse_utc(text);
    if (!t) return make_error(at(key) + ": expected a UTC time, got \"" + text + "\"");
    out = *t;
    return {};
  }
  [[nodiscard]] Status energy(std::string_view key, Energy& out) const {
    double j_ = 0;
    if (auto ok = number(key, j_); !ok) return ok;
    out = Energy::joules(j_);
    return {};
  }
  [[nodiscard]] Status mass(std::string_view key, Mass& out) const {
    double g = 0;
    if (auto ok = number(key, g); !ok) return ok;
    out = Mass::grams(g);
    return {};
  }
  // A nested object, or nullptr when absent; error when not an object.
  [[nodiscard]] Result<const ordered_json*> object(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (!v->is_object()) return std::unexpected(expected(key, "an object").error());
    return v;
  }
};

#define GREENRUN_TRY(expr)                                  \
  do {                                                      \
    if (auto greenrun_ok_ = (expr); !greenrun_ok_)          \
      return std::unexpected(std::move(greenrun_ok_.error())); \
  } while (false)

Result<std::optional<EmissionsFigure>> figure_from(const Reader& top, const char* key) {
  auto obj = top.object(key);
  if (!obj) return std::unexpected(obj.error());
  if (!*obj) return std::optional<EmissionsFigure>();
  const Reader f{**obj, top.at(key)};
  EmissionsFigure e;
  double g_per_kwh = 0;
  GREENRUN_TRY(f.string("signal", e.signal));
  GREENRUN_TRY(f.mass("job_g", e.job));
  GREENRUN_TRY(f.number("mean_g_per_kwh", g_per_kwh));
  e.mean_intensity = CarbonIntensity::grams_per_kwh(g_per_kwh);
  GREENRUN_TRY(f.string("source", e.source));
  GREENRUN_TRY(f.number("coverage", e.coverage));
  return std::optional<EmissionsFigure>(std::move(e));
}

}  // namespace

Energy RunRecord::machine_energy() const {
  Energy e;
  for (const auto& c : components)
    if (c.component != Component::kPlatform) e += c.machine;
  return e;
}

Energy RunRecord::job_energy() const {
  Energy e;
  for (const auto& c : components)
    if (c.component != Component::kPlatform) e += c.job;
  return e;
}

Method RunRecord::weakest_method() const {
  Method m = Method::kMeasured;
  for (const auto& c : components)
    if (c.component != Component::kPlatform) m = sensors::weaker(m, c.method);
  return m;
}

Power RunRecord::job_power() const {
  if (duration.count() <= 0) return Power();
  return job_energy() / duration;
}

std::string_view greenrun_version() { return GREENRUN_VERSION; }

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string to_json(const RunRecord& r, int indent) {
  ByteFields bytes;
  ordered_json j;
  j["schema"] = std::string(kRunSchema);
  j["greenrun_version"] = std::string(greenrun_version());
  j["id"] = r.id;
  j["project"] = bytes.text(r.project, "project");
  j["phase"] = bytes.text(r.phase, "phase");
  j["command"] = bytes.texts(r.command, "command");
  j["started"] = format_utc(r.started);
  j["ended"] = format_utc(r.ended);
  j["duration_s"] = to_seconds(r.duration);
  j["exit_status"] = r.exit_status;
  j["zone"] = r.zone;
  j["zone_source"] = r.zone_source;
  if (r.cloud_region) j["cloud_region"] = *r.cloud_region;
  j["sensors"] = r.sensors;
  j["simulated"] = r.simulated();
  j["sensor_notes"] = r.sensor_notes;
  auto& comps = j["components"] = ordered_json::array();
  for (const auto& c : r.components) {
    comps.push_back({{"component", std::string(sensors::to_string(c.component))},
                     {"machine_j", c.machine.joules()},
                     {"job_j", c.job.joules()},
                     {"method", std::string(sensors::to_string(c.method))},
                     {"devices", c.devices}});
  }
  j["machine_energy_j"] = r.machine_energy().joules();
  j["job_energy_j"] = r.job_energy().joules();
  j["method"] = std::string(sensors::to_string(r.weakest_method()));
  j["pue"] = r.pue;
  if (r.average) j["emissions_average"] = figure_json(*r.average);
  if (r.marginal) j["emissions_marginal"] = figure_json(*r.marginal);
  if (r.emissions_job || r.emissions_machine) {
    // breakdown_to_json is the one writer of greenrun.emissions/1 (its keys
    // in alphabetical order, as `greenrun emissions --json` prints them).
    auto section = [](const std::optional<accounting::EmissionsReport>& e) {
      if (!e) return ordered_json(nullptr);
      return ordered_json::parse(accounting::breakdown_to_json(e->breakdown, e->context));
    };
    j["emissions"] = {{"job", section(r.emissions_job)}, {"machine", section(r.emissions_machine)}};
  }
  {
    const FlexibleStartFigure& f = r.flexible_start;
    ordered_json fs = {{"computed", f.computed}};
    if (f.computed) {
      fs["best_start"] = format_utc(f.best_start);
      fs["emissions_g"] = f.emissions.grams();
      fs["baseline_g"] = f.baseline.grams();
      fs["saving_percent"] = f.saving_percent;
      fs["window_h"] = to_hours(f.window);
      fs["basis"] = f.basis;
      fs["source"] = f.source;
    } else {
      fs["reason"] = f.reason;
    }
    j["flexible_start"] = std::move(fs);
  }
  if (r.schedule) j["schedule"] = ordered_json::parse(schedule_summary_to_json(*r.schedule, -1));
  if (r.tracker) j["tracker"] = ordered_json::parse(tracker_section_to_json(*r.tracker, -1));
  if (r.slurm) {
    ordered_json s{{"job_id", r.slurm->job_id}, {"node", r.slurm->node}};
    if (r.slurm->procid) s["procid"] = *r.slurm->procid;
    if (r.slurm->localid) s["localid"] = *r.slurm->localid;
    if (!r.slurm->step_id.empty()) s["step_id"] = r.slurm->step_id;
    s["node_energy"] = r.slurm->node_energy_owner() ? "recorded by this task (SLURM_LOCALID 0)"
                                                    : "recorded by SLURM_LOCALID 0 on this node; this record keeps its share";
    j["slurm"] = std::move(s);
  }
  j["interval_s"] = to_seconds(r.interval);
  j["intervals"] = r.intervals;
  j["dropped_deadlines"] = r.dropped_deadlines;
  j["warnings"] = r.warnings;
  j["out_dir"] = bytes.text(r.out_dir, "out_dir");
  j["host"] = {{"hostname", bytes.text(r.hostname, "host.hostname")},
               {"cpu_model", r.cpu_model},
               {"cpu_count", r.cpu_count},
               {"ram_total_gb", r.ram_total_gb},
               {"gpu_model", r.gpu_model},
               {"gpu_count", r.gpu_count}};
  if (!bytes.escaped.empty()) j["escaped"] = bytes.escaped;
  // Every byte string above is valid UTF-8 by now; `replace` keeps any other
  // text (a warning quoting a path, a sensor note) from throwing
  // type_error 316 and costs its bad bytes only.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

Result<RunRecord> run_record_from_json(const std::string& text) {
  // Ordered, so that the accounting breakdowns round-trip key for key.
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("run record: $: expected a JSON object");
  auto parsed = [&]() -> Result<RunRecord> {
    const Reader top{j, "$"};
    std::string schema;
    GREENRUN_TRY(top.string("schema", schema));
    if (!schema.empty() && schema != kRunSchema)
      return make_error("$.schema: expected \"" + std::string(kRunSchema) + "\", got \"" + schema + "\"");
    RunRecord r;
    GREENRUN_TRY(top.string("greenrun_version", r.greenrun_version));
    GREENRUN_TRY(top.string("id", r.id, true));
    GREENRUN_TRY(top.string("project", r.project));
    GREENRUN_TRY(top.string("phase", r.phase));
    GREENRUN_TRY(top.strings("command", r.command));
    GREENRUN_TRY(top.time("started", r.started));
    GREENRUN_TRY(top.time("ended", r.ended));
    double secs = 0;
    GREENRUN_TRY(top.number("duration_s", secs));
    // Rounded, not truncated: to_seconds(d) read back is d exactly.
    r.duration = std::chrono::round<Duration>(std::chrono::duration<double>(secs));
    GREENRUN_TRY(top.integer("exit_status", r.exit_status));
    GREENRUN_TRY(top.string("zone", r.zone));
    GREENRUN_TRY(top.string("zone_source", r.zone_source));
    if (top.find("cloud_region")) {
      std::string region;
      GREENRUN_TRY(top.string("cloud_region", region));
      r.cloud_region = std::move(region);
    }
    GREENRUN_TRY(top.string("sensors", r.sensors));
    GREENRUN_TRY(top.strings("sensor_notes", r.sensor_notes));
    if (const auto* comps = top.find("components")) {
      if (!comps->is_array()) return std::unexpected(top.expected("components", "an array").error());
      for (size_t i = 0; i < comps->size(); ++i) {
        const std::string path = "$.components[" + std::to_string(i) + "]";
        if (!(*comps)[i].is_object()) return make_error(path + ": expected an object");
        const Reader c{(*comps)[i], path};
        std::string comp_name, method_name;
        GREENRUN_TRY(c.string("component", comp_name, true));
        GREENRUN_TRY(c.string("method", method_name, true));
        const auto comp = sensors::parse_component(comp_name);
        if (!comp)
          return make_error(c.at("component") + ": expected cpu, dram, gpu or platform, got \"" + comp_name + "\"");
        const auto m = sensors::parse_method(method_name);
        if (!m)
          return make_error(c.at("method") + ": expected measured, integrated, estimated or simulated, got \"" +
                            method_name + "\"");
        ComponentEnergy e{*comp, Energy(), Energy(), *m, {}};
        GREENRUN_TRY(c.energy("machine_j", e.machine));
        GREENRUN_TRY(c.energy("job_j", e.job));
        GREENRUN_TRY(c.strings("devices", e.devices));
        r.components.push_back(std::move(e));
      }
    }
    GREENRUN_TRY(top.number("pue", r.pue));
    auto average = figure_from(top, "emissions_average");
    if (!average) return std::unexpected(average.error());
    r.average = std::move(*average);
    auto marginal = figure_from(top, "emissions_marginal");
    if (!marginal) return std::unexpected(marginal.error());
    r.marginal = std::move(*marginal);
    auto emissions = top.object("emissions");
    if (!emissions) return std::unexpected(emissions.error());
    if (*emissions) {
      const Reader e{**emissions, "$.emissions"};
      for (const char* key : {"job", "machine"}) {
        auto obj = e.object(key);
        if (!obj) return std::unexpected(obj.error());
        if (!*obj) continue;
        auto report = accounting::emissions_report_from_json((*obj)->dump(), e.at(key));
        if (!report) return std::unexpected(report.error());
        (std::string_view(key) == "job" ? r.emissions_job : r.emissions_machine) = std::move(*report);
      }
    }
    auto flexible = top.object("flexible_start");
    if (!flexible) return std::unexpected(flexible.error());
    if (*flexible) {
      const Reader f{**flexible, "$.flexible_start"};
      FlexibleStartFigure& fs = r.flexible_start;
      GREENRUN_TRY(f.boolean("computed", fs.computed));
      if (fs.computed) {
        GREENRUN_TRY(f.time("best_start", fs.best_start));
        GREENRUN_TRY(f.mass("emissions_g", fs.emissions));
        GREENRUN_TRY(f.mass("baseline_g", fs.baseline));
        GREENRUN_TRY(f.number("saving_percent", fs.saving_percent));
        GREENRUN_TRY(f.string("basis", fs.basis));
        GREENRUN_TRY(f.string("source", fs.source));
        const auto& raw = **flexible;
        if (raw.contains("window_h") && raw["window_h"].is_number() && raw["window_h"].get<double>() >= 0)
          fs.window = std::chrono::round<Duration>(std::chrono::duration<double, std::ratio<3600>>(
              raw["window_h"].get<double>()));
      } else {
        GREENRUN_TRY(f.string("reason", fs.reason));
      }
    }
    if (const auto* s = top.find("schedule")) {
      auto schedule = schedule_summary_from_json(s->dump(), "$.schedule");
      if (!schedule) return std::unexpected(schedule.error());
      r.schedule = std::move(*schedule);
    }
    if (const auto* t = top.find("tracker")) {
      if (!t->is_object()) return make_error("$.tracker: expected an object, got " + Reader::got(*t));
      auto tracker = tracker_section_from_json(t->dump(), "$.tracker");
      if (!tracker) return std::unexpected(tracker.error());
      r.tracker = std::move(*tracker);
    }
    if (auto slurm = top.object("slurm"); !slurm) {
      return std::unexpected(slurm.error());
    } else if (*slurm) {
      const Reader sr{**slurm, "$.slurm"};
      SlurmContext c;
      GREENRUN_TRY(sr.string("job_id", c.job_id, true));
      GREENRUN_TRY(sr.string("node", c.node));
      GREENRUN_TRY(sr.string("step_id", c.step_id));
      if ((*slurm)->contains("procid")) {
        int v = 0;
        GREENRUN_TRY(sr.integer("procid", v));
        c.procid = v;
      }
      if ((*slurm)->contains("localid")) {
        int v = 0;
        GREENRUN_TRY(sr.integer("localid", v));
        c.localid = v;
      }
      r.slurm = std::move(c);
    }
    double interval_s = 1.0;
    GREENRUN_TRY(top.number("interval_s", interval_s));
    r.interval = std::chrono::round<Duration>(std::chrono::duration<double>(interval_s));
    GREENRUN_TRY(top.integer("intervals", r.intervals));
    GREENRUN_TRY(top.integer("dropped_deadlines", r.dropped_deadlines));
    GREENRUN_TRY(top.strings("warnings", r.warnings));
    GREENRUN_TRY(top.string("out_dir", r.out_dir));
    auto host = top.object("host");
    if (!host) return std::unexpected(host.error());
    if (*host) {
      const Reader h{**host, "$.host"};
      GREENRUN_TRY(h.string("hostname", r.hostname));
      GREENRUN_TRY(h.string("cpu_model", r.cpu_model));
      GREENRUN_TRY(h.integer("cpu_count", r.cpu_count));
      GREENRUN_TRY(h.number("ram_total_gb", r.ram_total_gb));
      GREENRUN_TRY(h.string("gpu_model", r.gpu_model));
      GREENRUN_TRY(h.integer("gpu_count", r.gpu_count));
    }
    // The byte strings recorded escaped, back to their bytes.
    std::vector<std::string> escaped;
    GREENRUN_TRY(top.strings("escaped", escaped));
    for (size_t i = 0; i < escaped.size(); ++i) {
      const std::string& field = escaped[i];
      auto restore = [&](std::string& value, const std::string& path) -> Status {
        auto b = unescape_bytes(value);
        if (!b) return make_error(path + ": " + b.error().message);
        value = std::move(*b);
        return {};
      };
      if (field == "command") {
        for (size_t k = 0; k < r.command.size(); ++k)
          GREENRUN_TRY(restore(r.command[k], "$.command[" + std::to_string(k) + "]"));
      } else if (field == "project") {
        GREENRUN_TRY(restore(r.project, "$.project"));
      } else if (field == "phase") {
        GREENRUN_TRY(restore(r.phase, "$.phase"));
      } else if (field == "out_dir") {
        GREENRUN_TRY(restore(r.out_dir, "$.out_dir"));
      } else if (field == "host.hostname") {
        GREENRUN_TRY(restore(r.hostname, "$.host.hostname"));
      } else {
        return make_error("$.escaped[" + std::to_string(i) +
                          "]: expected command, project, phase, out_dir or host.hostname, got \"" + field + "\"");
      }
    }
    return r;
  }();
  if (!parsed) return make_error("run record: " + parsed.error().message);
  return parsed;
}

std::string make_run_id(UtcTime t, unsigned random) {
  const CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ-%06x", c.year, c.month, c.day, c.hour, c.minute, c.second,
                random & 0xffffffu);
  return buf;
}

}  // namespace greenrun::runner
