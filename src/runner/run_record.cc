#include "runner/run_record.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>

#include "base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;
using sensors::Component;
using sensors::Method;


ordered_json figure_json(const EmissionsFigure& f) {
  return {{"signal", f.signal},
          {"job_g", f.job.grams()},
          {"mean_g_per_kwh", f.mean_g_per_kwh},
          {"source", f.source},
          {"coverage", f.coverage}};
}

std::optional<EmissionsFigure> figure_from(const ordered_json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_object()) return std::nullopt;
  const auto& f = j[key];
  EmissionsFigure e;
  e.signal = f.value("signal", "");
  e.job = Mass::grams(f.value("job_g", 0.0));
  e.mean_g_per_kwh = f.value("mean_g_per_kwh", 0.0);
  e.source = f.value("source", "");
  e.coverage = f.value("coverage", 1.0);
  return e;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
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

std::string to_json(const RunRecord& r, int indent) {
  ordered_json j;
  j["id"] = r.id;
  j["project"] = r.project;
  j["phase"] = r.phase;
  j["command"] = r.command;
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
  if (!r.emissions_job_json.empty() || !r.emissions_machine_json.empty()) {
    auto parse = [](const std::string& t) { return t.empty() ? ordered_json(nullptr) : ordered_json::parse(t, nullptr, false); };
    j["emissions"] = {{"job", parse(r.emissions_job_json)}, {"machine", parse(r.emissions_machine_json)}};
  }
  {
    const FlexibleStartFigure& f = r.flexible_start;
    ordered_json fs = {{"computed", f.computed}};
    if (f.computed) {
      fs["best_start"] = format_utc(f.best_start);
      fs["emissions_g"] = f.emissions.grams();
      fs["baseline_g"] = f.baseline.grams();
      fs["saving_percent"] = f.saving_percent;
      fs["window_h"] = 24;
      fs["basis"] = f.basis;
      fs["source"] = f.source;
    } else {
      fs["reason"] = f.reason;
    }
    j["flexible_start"] = std::move(fs);
  }
  if (r.schedule) {
    auto section = ordered_json::parse(r.schedule->json, nullptr, false);
    if (!section.is_discarded()) j["schedule"] = std::move(section);
  }
  j["interval_s"] = r.interval_s;
  j["intervals"] = r.intervals;
  j["dropped_deadlines"] = r.dropped_deadlines;
  j["warnings"] = r.warnings;
  j["out_dir"] = r.out_dir;
  j["host"] = {{"cpu_model", r.cpu_model},
               {"cpu_count", r.cpu_count},
               {"ram_total_gb", r.ram_total_gb},
               {"gpu_model", r.gpu_model},
               {"gpu_count", r.gpu_count}};
  return j.dump(indent);
}

Result<RunRecord> run_record_from_json(const std::string& text) {
  // Ordered, so that the accounting breakdowns round-trip key for key.
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("run record: expected a JSON object");
  try {
    RunRecord r;
    r.id = j.at("id").get<std::string>();
    r.project = j.value("project", "");
    r.phase = j.value("phase", "");
    r.command = j.value("command", std::vector<std::string>{});
    auto started = parse_utc(j.at("started").get<std::string>());
    auto ended = parse_utc(j.at("ended").get<std::string>());
    if (!started || !ended) return make_error("run record: $.started/$.ended: expected UTC times");
    r.started = *started;
    r.ended = *ended;
    r.duration = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(j.value("duration_s", 0.0)));
    r.exit_status = j.value("exit_status", 0);
    r.zone = j.value("zone", "");
    r.zone_source = j.value("zone_source", "");
    if (j.contains("cloud_region")) r.cloud_region = j["cloud_region"].get<std::string>();
    r.sensors = j.value("sensors", "");
    r.sensor_notes = j.value("sensor_notes", std::vector<std::string>{});
    for (const auto& c : j.value("components", ordered_json::array())) {
      const auto comp = sensors::parse_component(c.value("component", ""));
      const auto m = sensors::parse_method(c.value("method", ""));
      if (!comp || !m) return make_error("run record: $.components: unknown component or method");
      r.components.push_back(ComponentEnergy{*comp, Energy::joules(c.value("machine_j", 0.0)),
                                             Energy::joules(c.value("job_j", 0.0)), *m,
                                             c.value("devices", std::vector<std::string>{})});
    }
    r.pue = j.value("pue", 1.0);
    r.average = figure_from(j, "emissions_average");
    r.marginal = figure_from(j, "emissions_marginal");
    if (j.contains("emissions") && j["emissions"].is_object()) {
      const auto& e = j["emissions"];
      if (e.contains("job") && e["job"].is_object()) r.emissions_job_json = e["job"].dump();
      if (e.contains("machine") && e["machine"].is_object()) r.emissions_machine_json = e["machine"].dump();
    }
    if (j.contains("flexible_start") && j["flexible_start"].is_object()) {
      const auto& f = j["flexible_start"];
      FlexibleStartFigure& fs = r.flexible_start;
      fs.computed = f.value("computed", false);
      if (fs.computed) {
        auto best = parse_utc(f.value("best_start", ""));
        if (!best) return make_error("run record: $.flexible_start.best_start: expected a UTC time");
        fs.best_start = *best;
        fs.emissions = Mass::grams(f.value("emissions_g", 0.0));
        fs.baseline = Mass::grams(f.value("baseline_g", 0.0));
        fs.saving_percent = f.value("saving_percent", 0.0);
        fs.basis = f.value("basis", "");
        fs.source = f.value("source", "");
      } else {
        fs.reason = f.value("reason", "");
      }
    }
    if (j.contains("schedule") && !j["schedule"].is_null()) {
      auto schedule = schedule_summary_from_json(j["schedule"].dump(), "$.schedule");
      if (!schedule) return make_error("run record: " + schedule.error().message);
      r.schedule = std::move(*schedule);
    }
    r.interval_s = j.value("interval_s", 1.0);
    r.intervals = j.value("intervals", size_t{0});
    r.dropped_deadlines = j.value("dropped_deadlines", size_t{0});
    r.warnings = j.value("warnings", std::vector<std::string>{});
    r.out_dir = j.value("out_dir", "");
    if (j.contains("host")) {
      const auto& h = j["host"];
      r.cpu_model = h.value("cpu_model", "");
      r.cpu_count = h.value("cpu_count", 0);
      r.ram_total_gb = h.value("ram_total_gb", 0.0);
      r.gpu_model = h.value("gpu_model", "");
      r.gpu_count = h.value("gpu_count", 0);
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("run record: ") + e.what());
  }
}

std::string emissions_csv_header() {
  return "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,"
         "cpu_energy,gpu_energy,ram_energy,energy_consumed,country_iso_code,region,cloud_provider,cloud_region,"
         "os,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,pue,"
         "cpu_method,gpu_method,ram_method,machine_energy_consumed,intensity_g_per_kwh,intensity_source,"
         "zone,phase,exit_status";
}

std::string emissions_csv_row(const RunRecord& r) {
  // CodeCarbon: energies in kWh, powers in W, emissions in kg, rate kg/s.
  const double secs = to_seconds(r.duration);
  auto find = [&](Component c) -> const ComponentEnergy* {
    for (const auto& x : r.components)
      if (x.component == c) return &x;
    return nullptr;
  };
  auto kwh = [&](Component c) { const auto* x = find(c); return x ? x->job.kilowatt_hours() : 0.0; };
  auto watts = [&](Component c) {
    const auto* x = find(c);
    return x && secs > 0 ? x->job.joules() / secs : 0.0;
  };
  auto method = [&](Component c) { const auto* x = find(c); return x ? std::string(sensors::to_string(x->method)) : ""; };
  const double kg = r.average ? r.average->job.kilograms() : 0.0;
  std::string provider, region;
  if (r.cloud_region) {
    const auto colon = r.cloud_region->find(':');
    provider = r.cloud_region->substr(0, colon);
    region = colon == std::string::npos ? "" : r.cloud_region->substr(colon + 1);
  }
  struct utsname u {};
  ::uname(&u);
  const std::string os = std::string(u.sysname) + "-" + u.release + "-" + u.machine;
  std::vector<std::string> f = {
      format_utc(r.ended), csv_field(r.project), r.id, num(secs), num(kg), num(secs > 0 ? kg / secs : 0),
      num(watts(Component::kCpu)), num(watts(Component::kGpu)), num(watts(Component::kDram)),
      num(kwh(Component::kCpu)), num(kwh(Component::kGpu)), num(kwh(Component::kDram)),
      num(r.job_energy().kilowatt_hours() * r.pue), "", "", provider, region, csv_field(os),
      std::to_string(r.cpu_count), csv_field(r.cpu_model), std::to_string(r.gpu_count), csv_field(r.gpu_model), "", "",
      num(r.ram_total_gb), "process", num(r.pue), method(Component::kCpu), method(Component::kGpu),
      method(Component::kDram), num(r.machine_energy().kilowatt_hours()),
      r.average ? num(r.average->mean_g_per_kwh) : "", csv_field(r.average ? r.average->source : ""), csv_field(r.zone),
      csv_field(r.phase), std::to_string(r.exit_status)};
  std::string line;
  for (size_t i = 0; i < f.size(); ++i) {
    if (i) line += ',';
    line += f[i];
  }
  return line;
}

std::string make_run_id(UtcTime t, unsigned random) {
  const CivilTime c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02u%02u%02uZ-%06x", c.year, c.month, c.day, c.hour, c.minute, c.second,
                random & 0xffffffu);
  return buf;
}

}  // namespace greenrun::runner
