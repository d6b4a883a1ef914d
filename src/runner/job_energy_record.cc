#include "greenrun/runner/job_energy_record.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Each reader checks one member and names it in its error.
struct Reader {
  const json& obj;
  const std::string& path;

  std::unexpected<Error> bad(const std::string& member, const std::string& what) const {
    return make_error(ErrorKind::kBadData, path + "." + member + ": " + what);
  }
  Result<const json*> member(const std::string& name, bool required = true) const {
    const auto it = obj.find(name);
    if (it == obj.end()) {
      if (required) return bad(name, "missing");
      return nullptr;
    }
    return &*it;
  }
  Result<std::string> text(const std::string& name, bool required, size_t max_len = 256) const {
    auto m = member(name, required);
    if (!m) return std::unexpected(m.error());
    if (!*m) return std::string();
    if (!(*m)->is_string()) return bad(name, "expected a string");
    const auto& s = (*m)->get_ref<const std::string&>();
    if (s.size() > max_len) return bad(name, "longer than " + std::to_string(max_len) + " characters");
    if (required && s.empty()) return bad(name, "expected a non-empty string");
    return s;
  }
  Result<double> number(const std::string& name, double max = INFINITY) const {
    auto m = member(name);
    if (!m) return std::unexpected(m.error());
    if (!(*m)->is_number()) return bad(name, "expected a non-negative number");
    const double v = (*m)->get<double>();
    if (!std::isfinite(v) || v < 0 || v > max) return bad(name, "expected a non-negative number");
    return v;
  }
  Result<UtcTime> time(const std::string& name) const {
    auto s = text(name, true);
    if (!s) return std::unexpected(s.error());
    auto t = parse_utc(*s);
    if (!t) return bad(name, t.error().message);
    return *t;
  }
};

Result<JobEnergyRecord> from_object(const json& j, const std::string& path) {
  if (!j.is_object()) return make_error(ErrorKind::kBadData, path + ": expected an object");
  const Reader r{j, path};
  JobEnergyRecord rec;
  auto job = r.text("job_id", true, 64);
  if (!job) return std::unexpected(job.error());
  rec.job_id = *job;
  auto node = r.text("node", true);
  if (!node) return std::unexpected(node.error());
  rec.node = *node;
  auto zone = r.text("zone", false);
  if (!zone) return std::unexpected(zone.error());
  rec.zone = *zone;
  auto attribution = r.text("attribution", true);
  if (!attribution) return std::unexpected(attribution.error());
  if (*attribution != "cgroup" && *attribution != "cgroup-tasks" && *attribution != "process-tree")
    return r.bad("attribution", "expected \"cgroup\", \"cgroup-tasks\" or \"process-tree\"");
  rec.attribution = *attribution;
  auto gpu = r.text("gpu_attribution", false);
  if (!gpu) return std::unexpected(gpu.error());
  if (!gpu->empty() && *gpu != "gpu-memory" && *gpu != "gpu-processes")
    return r.bad("gpu_attribution", "expected \"gpu-memory\" or \"gpu-processes\"");
  rec.gpu_attribution = *gpu;
  auto start = r.time("start");
  if (!start) return std::unexpected(start.error());
  auto end = r.time("end");
  if (!end) return std::unexpected(end.error());
  if (!(*start < *end)) return r.bad("end", "expected a time after start");
  rec.start = *start;
  rec.end = *end;
  auto share = r.number("cpu_share", 1.0);
  if (!share) return std::unexpected(r.bad("cpu_share", "expected a number from 0 to 1").error());
  rec.cpu_share = *share;
  auto node_j = r.number("node_energy_j");
  if (!node_j) return std::unexpected(node_j.error());
  rec.node_energy = Energy::joules(*node_j);
  auto un = r.number("unattributed_j");
  if (!un) return std::unexpected(un.error());
  rec.unattributed = Energy::joules(*un);
  if (auto steps = r.member("steps", false); !steps) {
    return std::unexpected(steps.error());
  } else if (*steps) {
    if (!(*steps)->is_array() || (*steps)->size() > 64) return r.bad("steps", "expected an array of at most 64 strings");
    for (size_t i = 0; i < (*steps)->size(); ++i) {
      const auto& s = (**steps)[i];
      if (!s.is_string() || s.get_ref<const std::string&>().size() > 64)
        return r.bad("steps[" + std::to_string(i) + "]", "expected a string of at most 64 characters");
      rec.steps.push_back(s.get<std::string>());
    }
  }
  auto comps = r.member("components");
  if (!comps) return std::unexpected(comps.error());
  if (!(*comps)->is_array() || (*comps)->size() > 16) return r.bad("components", "expected an array of at most 16");
  for (size_t i = 0; i < (*comps)->size(); ++i) {
    const std::string cp = path + ".components[" + std::to_string(i) + "]";
    const json& c = (**comps)[i];
    if (!c.is_object()) return make_error(ErrorKind::kBadData, cp + ": expected an object");
    const Reader cr{c, cp};
    JobComponentEnergy e;
    auto name = cr.text("component", true);
    if (!name) return std::unexpected(name.error());
    const auto component = sensors::parse_component(*name);
    if (!component) return cr.bad("component", "expected cpu, dram, gpu or platform");
    e.component = *component;
    auto energy = cr.number("energy_j");
    if (!energy) return std::unexpected(energy.error());
    e.energy = Energy::joules(*energy);
    auto method = cr.text("method", true);
    if (!method) return std::unexpected(method.error());
    const auto m = sensors::parse_method(*method);
    if (!m) return cr.bad("method", "expected measured, integrated, estimated or simulated");
    e.method = *m;
    rec.components.push_back(e);
  }
  // The parts may not exceed the whole (with rounding room).
  if (rec.energy().joules() + rec.unattributed.joules() > rec.node_energy.joules() * (1 + 1e-9) + 1e-6)
    return r.bad("components", "the job's energy and the unattributed energy exceed node_energy_j");
  return rec;
}

ordered_json to_object(const JobEnergyRecord& r) {
  ordered_json comps = ordered_json::array();
  for (const auto& c : r.components)
    comps.push_back({{"component", std::string(sensors::to_string(c.component))},
                     {"energy_j", c.energy.joules()},
                     {"method", std::string(sensors::to_string(c.method))}});
  ordered_json o = {{"job_id", r.job_id},
          {"node", r.node},
          {"steps", r.steps},
          {"start", format_utc(r.start)},
          {"end", format_utc(r.end)},
          {"zone", r.zone},
          {"attribution", r.attribution},
          {"cpu_share", r.cpu_share},
          {"node_energy_j", r.node_energy.joules()},
          {"unattributed_j", r.unattributed.joules()},
          {"components", comps}};
  if (!r.gpu_attribution.empty()) o["gpu_attribution"] = r.gpu_attribution;
  return o;
}

}  // namespace

Energy JobEnergyRecord::energy() const {
  Energy e;
  for (const auto& c : components) e += c.energy;
  return e;
}

sensors::Method JobEnergyRecord::method() const {
  sensors::Method m = sensors::Method::kMeasured;
  for (const auto& c : components) m = sensors::weaker(m, c.method);
  return m;
}

std::string to_json(const JobEnergyRecord& r) { return to_object(r).dump(); }

std::string records_body(const std::vector<JobEnergyRecord>& records) {
  ordered_json arr = ordered_json::array();
  for (const auto& r : records) arr.push_back(to_object(r));
  return ordered_json{{"records", arr}}.dump();
}

Result<std::vector<JobEnergyRecord>> parse_records_body(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return make_error(ErrorKind::kBadData, "$: expected a JSON object");
  if (!j.is_object()) return make_error(ErrorKind::kBadData, "$: expected an object {\"records\": [...]}");
  const auto it = j.find("records");
  if (it == j.end() || !it->is_array()) return make_error(ErrorKind::kBadData, "$.records: expected an array");
  if (it->size() > kMaxRecordsPerBody)
    return make_error(ErrorKind::kBadData,
                      "$.records: more than " + std::to_string(kMaxRecordsPerBody) + " records in one body");
  std::vector<JobEnergyRecord> out;
  out.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    auto r = from_object((*it)[i], "$.records[" + std::to_string(i) + "]");
    if (!r) return std::unexpected(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

Result<JobEnergyRecord> parse_record(std::string_view text, const std::string& path) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(ErrorKind::kBadData, path + ": expected a JSON object");
  return from_object(j, path);
}

}  // namespace greenrun::runner
