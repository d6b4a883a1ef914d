#include "slurm/squeue.h"

#include <nlohmann/json.hpp>

namespace greenrun::slurm {

namespace {

std::optional<UtcTime> time_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return std::nullopt;
  const int64_t s = j[key].get<int64_t>();
  if (s <= 0) return std::nullopt;
  return UtcTime(std::chrono::seconds(s));
}

}  // namespace

Duration QueuedJob::run_time(UtcTime now) const {
  if (state == "PENDING" || !start) return Duration{0};
  if (state == "SUSPENDED") return pre_suspend;
  if (suspend_time) return pre_suspend + std::max(Duration{0}, now - *suspend_time);
  return std::max(Duration{0}, now - *start);
}

Result<std::vector<QueuedJob>> parse_squeue_json(std::string_view text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return make_error(ErrorKind::kFailure, std::string("squeue --json: not JSON: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array())
    return make_error(ErrorKind::kFailure, "squeue --json: $.jobs: expected an array of jobs");
  std::vector<QueuedJob> jobs;
  jobs.reserve(doc["jobs"].size());
  size_t i = 0;
  for (const auto& j : doc["jobs"]) {
    const std::string at = "squeue --json: $.jobs[" + std::to_string(i++) + "]";
    if (!j.is_object() || !j.contains("job_id") || !j["job_id"].is_number())
      return make_error(ErrorKind::kFailure, at + ".job_id: expected a number");
    QueuedJob q;
    q.id = std::to_string(j["job_id"].get<int64_t>());
    if (j.contains("job_state") && j["job_state"].is_string()) q.state = j["job_state"].get<std::string>();
    if (j.contains("state_reason") && j["state_reason"].is_string()) q.state_reason = j["state_reason"].get<std::string>();
    if (j.contains("comment") && j["comment"].is_string()) q.comment = j["comment"].get<std::string>();
    if (j.contains("nodes") && j["nodes"].is_string()) q.nodes = j["nodes"].get<std::string>();
    if (j.contains("restart_cnt") && j["restart_cnt"].is_number()) q.restarts = j["restart_cnt"].get<int64_t>();
    if (j.contains("requeue") && j["requeue"].is_boolean()) q.requeue = j["requeue"].get<bool>();
    q.start = time_of(j, "start_time");
    q.suspend_time = time_of(j, "suspend_time");
    q.deadline = time_of(j, "deadline");
    if (j.contains("pre_sus_time") && j["pre_sus_time"].is_number())
      q.pre_suspend = std::chrono::seconds(j["pre_sus_time"].get<int64_t>());
    // time_limit: minutes; 0 or a huge value (INFINITE) is no limit.
    if (j.contains("time_limit") && j["time_limit"].is_number()) {
      const int64_t m = j["time_limit"].get<int64_t>();
      if (m > 0 && m < 0xFFFFFFFELL) q.time_limit = std::chrono::minutes(m);
    }
    jobs.push_back(std::move(q));
  }
  return jobs;
}

}  // namespace greenrun::slurm
