#include "runner/timeline_writer.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/text_reader.h"
#include "base/time_format.h"

namespace greenrun::runner {
namespace {

using sensors::Component;
using sensors::Method;


}  // namespace

std::string to_json_line(const IntervalRecord& r) {
  // The accounting schema first (start, duration_s, joules, method: what
  // `greenrun emissions --energy` reads), then greenrun run's own keys, which
  // accounting ignores. psys/platform overlaps cpu and dram, so it stays out
  // of `joules`; the accounting methods have no "simulated", so simulated
  // figures are written as "estimated" with "simulated": true.
  nlohmann::ordered_json j;
  j["start"] = format_utc(r.start);
  j["duration_s"] = static_cast<double>((r.end - r.start).count()) / 1000.0;
  // Built apart and moved in: references into an ordered_json (a vector)
  // dangle when a later key is added.
  nlohmann::ordered_json joules = nlohmann::ordered_json::object();
  nlohmann::ordered_json method = nlohmann::ordered_json::object();
  nlohmann::ordered_json job = nlohmann::ordered_json::object();
  bool simulated = false;
  for (const auto& [c, v] : r.components) {
    if (c == Component::kPlatform) continue;
    const std::string name(sensors::to_string(c));
    joules[name] = v.machine.joules();
    simulated = simulated || v.method == Method::kSimulated;
    method[name] = v.method == Method::kSimulated ? "estimated" : std::string(sensors::to_string(v.method));
    job[name] = v.job.joules();
  }
  j["joules"] = std::move(joules);
  j["method"] = std::move(method);
  j["job_joules"] = std::move(job);
  if (auto p = r.components.find(Component::kPlatform); p != r.components.end()) {
    j["platform_joules"] = p->second.machine.joules();
    j["platform_method"] = std::string(sensors::to_string(p->second.method));
  }
  if (simulated) j["simulated"] = true;
  j["cpu_utilisation"] = r.cpu_utilisation;
  j["job_cpu_share"] = r.job_cpu_share;
  if (!r.warnings.empty()) j["warnings"] = r.warnings;
  return j.dump();
}

Result<IntervalRecord> parse_json_line(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("expected a JSON object");
  IntervalRecord r;
  if (!j.contains("start") || !j["start"].is_string()) return make_error("$.start: expected a UTC time");
  auto t = parse_utc(j["start"].get<std::string>());
  if (!t) return make_error("$.start: " + t.error().message);
  r.start = *t;
  if (!j.contains("duration_s") || !j["duration_s"].is_number() || j["duration_s"].get<double>() < 0)
    return make_error("$.duration_s: expected a non-negative number of seconds");
  r.end = r.start + Duration(static_cast<int64_t>(j["duration_s"].get<double>() * 1000.0 + 0.5));
  const bool simulated = j.contains("simulated") && j["simulated"].is_boolean() && j["simulated"].get<bool>();
  if (!j.contains("joules") || !j["joules"].is_object() || !j.contains("method") || !j["method"].is_object())
    return make_error("$.joules, $.method: expected objects");
  for (const auto& [name, v] : j["joules"].items()) {
    const auto c = sensors::parse_component(name);
    if (!c) return make_error("$.joules." + name + ": unknown component");
    const auto& m = j["method"];
    auto method = m.contains(name) && m[name].is_string() ? sensors::parse_method(m[name].get<std::string>()) : std::nullopt;
    if (!v.is_number() || !method) return make_error("$.joules." + name + ": expected joules and a method");
    if (simulated && *method == Method::kEstimated) method = Method::kSimulated;
    double job = 0;
    if (j.contains("job_joules") && j["job_joules"].is_object() && j["job_joules"].contains(name) &&
        j["job_joules"][name].is_number())
      job = j["job_joules"][name].get<double>();
    r.components[*c] = ComponentInterval{Energy::joules(v.get<double>()), Energy::joules(job), *method};
  }
  if (j.contains("platform_joules") && j["platform_joules"].is_number()) {
    const auto m = sensors::parse_method(j.contains("platform_method") && j["platform_method"].is_string()
                                   ? j["platform_method"].get<std::string>()
                                   : "measured");
    r.components[Component::kPlatform] =
        ComponentInterval{Energy::joules(j["platform_joules"].get<double>()), {}, m.value_or(Method::kMeasured)};
  }
  if (j.contains("cpu_utilisation") && j["cpu_utilisation"].is_number())
    r.cpu_utilisation = j["cpu_utilisation"].get<double>();
  if (j.contains("job_cpu_share") && j["job_cpu_share"].is_number()) r.job_cpu_share = j["job_cpu_share"].get<double>();
  if (j.contains("warnings") && j["warnings"].is_array())
    for (const auto& w : j["warnings"])
      if (w.is_string()) r.warnings.push_back(w.get<std::string>());
  return r;
}

Result<TimelineWriter> TimelineWriter::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0644);
  if (fd < 0) return make_error(path + ": cannot create: " + std::strerror(errno));
  return TimelineWriter(path, fd);
}

TimelineWriter::TimelineWriter(TimelineWriter&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }

TimelineWriter& TimelineWriter::operator=(TimelineWriter&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

TimelineWriter::~TimelineWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status TimelineWriter::append(const IntervalRecord& r) {
  // The accounting schema needs a positive duration and at least one
  // component; a zero-length final interval carries no energy.
  if (r.end <= r.start || r.components.empty()) return {};
  std::string line = to_json_line(r);
  line.push_back('\n');
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(path_ + ": write failed: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<TimelineFile> read_timeline(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  TimelineFile out;
  LineReader lines(*text);
  std::string_view line;
  const bool ends_with_newline = !text->empty() && text->back() == '\n';
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    auto r = parse_json_line(std::string(line));
    if (!r) {
      // Only the final line may be torn by a kill mid-write.
      const bool last = !ends_with_newline && line.data() + line.size() == text->data() + text->size();
      if (last) {
        ++out.torn_lines;
        continue;
      }
      return make_error(path + ":" + std::to_string(lines.line_number()) + ": " + r.error().message);
    }
    out.intervals.push_back(std::move(*r));
  }
  return out;
}

}  // namespace greenrun::runner
