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

std::optional<Component> component_from(std::string_view s) {
  for (Component c : {Component::kCpu, Component::kDram, Component::kGpu, Component::kPlatform})
    if (sensors::to_string(c) == s) return c;
  return std::nullopt;
}

std::optional<Method> method_from(std::string_view s) {
  for (Method m : {Method::kMeasured, Method::kIntegrated, Method::kEstimated, Method::kSimulated})
    if (sensors::to_string(m) == s) return m;
  return std::nullopt;
}

}  // namespace

std::string to_json_line(const IntervalRecord& r) {
  nlohmann::ordered_json j;
  j["start"] = format_utc(r.start);
  j["end"] = format_utc(r.end);
  j["seconds"] = to_seconds(r.end - r.start);
  auto& comps = j["components"] = nlohmann::ordered_json::object();
  for (const auto& [c, v] : r.components) {
    comps[std::string(sensors::to_string(c))] = {{"energy_j", v.machine.joules()},
                                                 {"job_energy_j", v.job.joules()},
                                                 {"method", std::string(sensors::to_string(v.method))}};
  }
  j["cpu_utilisation"] = r.cpu_utilisation;
  j["job_cpu_share"] = r.job_cpu_share;
  if (!r.warnings.empty()) j["warnings"] = r.warnings;
  return j.dump();
}

Result<IntervalRecord> parse_json_line(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("expected a JSON object");
  IntervalRecord r;
  for (const char* key : {"start", "end"}) {
    if (!j.contains(key) || !j[key].is_string()) return make_error(std::string("$.") + key + ": expected a UTC time");
    auto t = parse_utc(j[key].get<std::string>());
    if (!t) return make_error(std::string("$.") + key + ": " + t.error().message);
    (key[0] == 's' ? r.start : r.end) = *t;
  }
  if (j.contains("components") && j["components"].is_object()) {
    for (const auto& [name, v] : j["components"].items()) {
      const auto c = component_from(name);
      if (!v.is_object()) return make_error("$.components." + name + ": expected an object");
      if (!c) return make_error("$.components." + name + ": unknown component");
      const auto m = method_from(v.contains("method") && v["method"].is_string() ? v["method"].get<std::string>() : "");
      if (!m || !v.contains("energy_j") || !v["energy_j"].is_number())
        return make_error("$.components." + name + ": expected energy_j and method");
      r.components[*c] = ComponentInterval{Energy::joules(v["energy_j"].get<double>()),
                                           Energy::joules(v.contains("job_energy_j") && v["job_energy_j"].is_number()
                                                              ? v["job_energy_j"].get<double>()
                                                              : 0.0),
                                           *m};
    }
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
