// The energy timeline of a run as JSON Lines (timeline.jsonl): one object per
// sampling interval, appended with write(2) and so on disk (in the page cache)
// as soon as the interval ends — a SIGKILL of greenrun loses at most the
// interval in progress. Schema: docs/formats.md, "timeline.jsonl".
//
// The line is written and read by accounting's timeline codec
// (accounting::to_jsonl_line / parse_timeline_line, the only reader and
// writer of the format), so `greenrun emissions --energy timeline.jsonl`
// reads it: start, duration_s, joules, method, and the keys of greenrun run's
// own that accounting ignores (job_joules, platform_joules/platform_method,
// cpu_utilisation, job_cpu_share, warnings). `joules` is whole-machine
// energy; `job_joules` the job's share. This file maps the runner's
// per-component view (IntervalRecord) onto it and appends lines.
//
// Thread-safety: one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::runner {

struct ComponentInterval {
  Energy machine;
  Energy job;
  sensors::Method method = sensors::Method::kMeasured;
};

struct IntervalRecord {
  UtcTime start{};
  UtcTime end{};
  std::map<sensors::Component, ComponentInterval> components;  // cpu, dram, gpu; platform apart
  double cpu_utilisation = 0;  // machine, 0..1
  double job_cpu_share = 0;    // the job's share of busy CPU time, 0..1
  std::vector<std::string> warnings;
  // More members for this line, written after the codec's and ignored on
  // reading: a Tracker's marks and open phases (`"marks":[...]`), without
  // the braces. Empty for `greenrun run`.
  std::string extra_json;
};

std::string to_json_line(const IntervalRecord& r);  // no trailing newline
// Parses one line written by to_json_line. Error says what was expected.
[[nodiscard]] Result<IntervalRecord> parse_json_line(const std::string& line);

class TimelineWriter {
 public:
  // Creates (truncates) `path`. Error names the path.
  [[nodiscard]] static Result<TimelineWriter> create(const std::string& path);
  TimelineWriter(TimelineWriter&& o) noexcept;
  TimelineWriter& operator=(TimelineWriter&& o) noexcept;
  TimelineWriter(const TimelineWriter&) = delete;
  ~TimelineWriter();

  // One write(2) per record. Intervals of zero length or without any
  // component are skipped (the accounting schema has no room for them).
  //
  // A write that fails (a full disk, a quota, an I/O error) never loses the
  // interval or tears the file: the file is cut back to its last complete
  // line, and this record and every later one are kept in memory
  // (unwritten()) so the run is still priced in full. Only that first
  // failure is returned as an error — one warning per run, not per interval.
  [[nodiscard]] Status append(const IntervalRecord& r);
  const std::string& path() const { return path_; }
  // The intervals that could not be written, in order, after the file's.
  const std::vector<IntervalRecord>& unwritten() const { return unwritten_; }

 private:
  TimelineWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
  long long committed_ = 0;  // bytes of complete lines in the file
  bool failed_ = false;
  std::vector<IntervalRecord> unwritten_;
};

// Reads a whole timeline back. A torn last line (greenrun killed mid-write)
// is skipped and counted in `torn_lines`; any other bad line is an error
// naming path:line, and so is an interval that starts before the previous
// one ended (two runs writing one file would otherwise be priced twice).
struct TimelineFile {
  std::vector<IntervalRecord> intervals;
  size_t torn_lines = 0;
};
[[nodiscard]] Result<TimelineFile> read_timeline(const std::string& path);

}  // namespace greenrun::runner
