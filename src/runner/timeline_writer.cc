#include "runner/timeline_writer.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::runner {

using sensors::Component;

// The line itself is accounting's codec (greenrun/accounting/energy_timeline.h):
// these two only map the runner's per-component view onto it.
std::string to_json_line(const IntervalRecord& r) {
  accounting::TimelineLine line;
  line.start = r.start;
  line.duration = r.end - r.start;
  for (const auto& [c, v] : r.components) {
    if (c == Component::kPlatform) {
      line.platform = v.machine;
      line.platform_method = v.method;
      continue;
    }
    line.entries.push_back({std::string(sensors::to_string(c)), v.machine, v.job, v.method});
  }
  line.cpu_utilisation = r.cpu_utilisation;
  line.job_cpu_share = r.job_cpu_share;
  line.warnings = r.warnings;
  std::string text = accounting::to_jsonl_line(line);
  text.pop_back();  // the newline
  if (!r.extra_json.empty() && !text.empty() && text.back() == '}') {
    text.pop_back();
    text += "," + r.extra_json + "}";
  }
  return text;
}

Result<IntervalRecord> parse_json_line(const std::string& text) {
  auto line = accounting::parse_timeline_line(text);
  if (!line) return std::unexpected(line.error());
  IntervalRecord r;
  r.start = line->start;
  r.end = line->start + line->duration;
  for (const auto& e : line->entries) {
    const auto c = sensors::parse_component(e.component);
    if (!c || *c == Component::kPlatform)
      return make_error("$.joules." + e.component + ": expected a component cpu, dram or gpu");
    r.components[*c] = ComponentInterval{e.energy, e.job.value_or(Energy()), e.method};
  }
  if (line->platform) r.components[Component::kPlatform] = ComponentInterval{*line->platform, {}, line->platform_method};
  r.cpu_utilisation = line->cpu_utilisation.value_or(0);
  r.job_cpu_share = line->job_cpu_share.value_or(0);
  r.warnings = std::move(line->warnings);
  return r;
}

Result<TimelineWriter> TimelineWriter::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0644);
  if (fd < 0) return make_error(path + ": cannot create: " + std::strerror(errno));
  return TimelineWriter(path, fd);
}

TimelineWriter::TimelineWriter(TimelineWriter&& o) noexcept
    : path_(std::move(o.path_)),
      fd_(o.fd_),
      committed_(o.committed_),
      failed_(o.failed_),
      unwritten_(std::move(o.unwritten_)) {
  o.fd_ = -1;
}

TimelineWriter& TimelineWriter::operator=(TimelineWriter&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    committed_ = o.committed_;
    failed_ = o.failed_;
    unwritten_ = std::move(o.unwritten_);
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
  if (failed_) {
    unwritten_.push_back(r);
    return {};
  }
  std::string line = to_json_line(r);
  line.push_back('\n');
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      // Cut a partly written line off so the file ends on a complete one.
      const bool repaired = done == 0 || ::ftruncate(fd_, static_cast<off_t>(committed_)) == 0;
      failed_ = true;
      unwritten_.push_back(r);
      return make_error(ErrorKind::kIo, path_ + ": write failed (" + std::strerror(err) + "); " +
                                            (repaired ? "the file ends at its last complete interval"
                                                      : "a partial last line could not be cut off") +
                                            ", and the run's later intervals are kept in memory and priced");
    }
    done += static_cast<size_t>(n);
  }
  committed_ += static_cast<long long>(line.size());
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
    if (!out.intervals.empty() && r->start < out.intervals.back().end)
      return make_error(ErrorKind::kBadData,
                        path + ":" + std::to_string(lines.line_number()) + ": an interval starting " +
                            format_utc(r->start) + " overlaps the previous one (ending " +
                            format_utc(out.intervals.back().end) +
                            "); expected ordered, non-overlapping intervals (did two runs write one timeline?)");
    out.intervals.push_back(std::move(*r));
  }
  return out;
}

}  // namespace greenrun::runner
