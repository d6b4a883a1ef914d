#include "greenrun/live_runs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "greenrun/sensors/energy_sensor.h"
#include "runner/sampler.h"

namespace greenrun::engine {
namespace {

using nlohmann::ordered_json;

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

double seconds_between(UtcTime a, UtcTime b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

std::string to_json(const LiveRun& r) {
  ordered_json comps = ordered_json::array();
  for (const auto& c : r.components)
    comps.push_back({{"component", c.component},
                     {"method", c.method},
                     {"job_j", c.job_joules},
                     {"machine_j", c.machine_joules},
                     {"job_w", c.job_watts}});
  ordered_json j{{"schema", kLiveSchema},
                 {"id", r.id},
                 {"pid", r.pid},
                 {"project", r.project},
                 {"phase", r.phase},
                 {"zone", r.zone},
                 {"started", format_utc(r.started)},
                 {"updated", format_utc(r.updated)},
                 {"mode", r.mode},
                 {"state", r.state},
                 {"next_decision", r.next_decision ? ordered_json(format_utc(*r.next_decision)) : ordered_json()},
                 {"components", std::move(comps)}};
  if (!r.error.empty()) j["error"] = r.error;
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Result<LiveRun> live_run_from_json(const std::string& text) {
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(ErrorKind::kBadData, "$: expected a JSON object");
  if (j.value("schema", "") != kLiveSchema)
    return make_error(ErrorKind::kBadData, "$.schema: expected \"" + std::string(kLiveSchema) + "\"");
  LiveRun r;
  try {
    r.id = j.at("id").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.project = j.value("project", "");
    r.phase = j.value("phase", "");
    r.zone = j.value("zone", "");
    r.mode = j.value("mode", "");
    r.state = j.at("state").get<std::string>();
    r.error = j.value("error", "");
    for (auto [key, out] : {std::pair{"started", &r.started}, std::pair{"updated", &r.updated}}) {
      auto t = parse_utc(j.at(key).get<std::string>());
      if (!t) return make_error(ErrorKind::kBadData, std::string("$.") + key + ": " + t.error().message);
      *out = *t;
    }
    if (j.contains("next_decision") && j["next_decision"].is_string()) {
      auto t = parse_utc(j["next_decision"].get<std::string>());
      if (!t) return make_error(ErrorKind::kBadData, "$.next_decision: " + t.error().message);
      r.next_decision = *t;
    }
    for (const auto& c : j.at("components"))
      r.components.push_back({c.at("component").get<std::string>(), c.at("method").get<std::string>(),
                              c.at("job_j").get<double>(), c.at("machine_j").get<double>(), c.at("job_w").get<double>()});
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorKind::kBadData, std::string("$: ") + e.what());
  }
  return r;
}

std::filesystem::path live_folder(const std::string& store_path) {
  return std::filesystem::path(store_path).parent_path() / "live";
}

std::vector<LiveRun> read_live_runs(const std::string& store_path, std::vector<std::string>* problems,
                                    const std::function<bool(pid_t)>& alive) {
  std::vector<LiveRun> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(live_folder(store_path), ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    if (p.extension() != ".json") continue;  // temporary files being written
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && text.empty()) continue;  // removed as we looked
    auto run = live_run_from_json(text);
    if (!run) {
      if (problems) problems->push_back(p.string() + ": " + run.error().message);
      continue;
    }
    if (!(alive ? alive(run->pid) : process_alive(run->pid))) continue;  // stale: its process is gone
    out.push_back(std::move(*run));
  }
  std::sort(out.begin(), out.end(), [](const LiveRun& a, const LiveRun& b) { return a.id < b.id; });
  return out;
}

LiveStatusFile::LiveStatusFile(const std::string& store_path, LiveRun run) : run_(std::move(run)) {
  const auto folder = live_folder(store_path);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  // Files left by runs whose process died (SIGKILL, a crash) go now.
  for (const auto& stale : read_live_runs(store_path, nullptr, [](pid_t) { return true; }))
    if (!process_alive(stale.pid)) std::filesystem::remove(folder / (stale.id + ".json"), ec);
  path_ = folder / (run_.id + ".json");
  write();
}

LiveStatusFile::~LiveStatusFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

void LiveStatusFile::sampled(const runner::SamplerTotals& totals, UtcTime now) {
  const double dt = seconds_between(run_.updated, now);
  std::vector<LiveComponent> next;
  for (const auto& [c, t] : totals.components) {
    LiveComponent lc{std::string(sensors::to_string(c)), std::string(sensors::to_string(t.method)), t.job.joules(),
                     t.machine.joules(), 0};
    for (const auto& before : run_.components)
      if (before.component == lc.component && dt > 0) lc.job_watts = (lc.job_joules - before.job_joules) / dt;
    next.push_back(std::move(lc));
  }
  run_.components = std::move(next);
  run_.updated = now;
  write();
}

void LiveStatusFile::schedule_state(std::string_view state, std::optional<UtcTime> next_decision, UtcTime now) {
  if (run_.state == state && run_.next_decision == next_decision) return;
  run_.state = std::string(state);
  run_.next_decision = next_decision;
  run_.updated = now;
  write();
}

void LiveStatusFile::write() {
  const auto tmp = path_.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_json(run_);
    if (!out) {
      if (warnings_.empty()) warnings_.push_back(path_.string() + ": cannot write the live-status file");
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec && warnings_.empty()) warnings_.push_back(path_.string() + ": cannot write the live-status file: " + ec.message());
}

}  // namespace greenrun::engine
