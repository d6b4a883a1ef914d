// EnergyTimeline: the energy a job used, as ordered UTC intervals
// [start, start + duration) with joules per component ("cpu", "dram", "gpu0",
// "psys", ...) and, per component, how the figure was obtained (measured from
// a hardware counter, integrated from power samples, or estimated from a
// model). It is what sensors produce and what accounting multiplies by a
// carbon-intensity series.
//
// Invariants (append() enforces them): every interval has a positive
// duration (1 ms resolution) and at least one component; energies are finite
// and non-negative; an interval starts at or after the end of the previous
// one (gaps are allowed: a paused job uses no energy; overlaps are not).
// Components are an open set of names `[a-z0-9][a-z0-9_.-]*` (at most 64
// characters); they must be disjoint parts of the machine, because the total
// is their sum (RAPL's psys already contains package and dram: log one or the
// others, never both).
//
// File formats (docs/formats.md, "Energy timelines"): JSON Lines, one object
// per interval, which `greenrun run` writes as timeline.jsonl, and a CSV with
// `start,duration_s,<component>_j...` columns.
//
// Thread-safety: a value; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/sensors/energy_sensor.h"

namespace greenrun::accounting {

// How an energy figure was obtained: greenrun's one Method
// (greenrun/sensors/energy_sensor.h), measured < integrated < estimated < simulated.
// to_string and weaker (what a sum of figures obtained by both can honestly
// claim) are the sensors' own.
using Method = sensors::Method;
using sensors::to_string;
using sensors::weaker;

// Reads a method as files write it, trimmed and case-insensitive. Error:
// `expected a method: measured, integrated, estimated or simulated, got "x"`.
[[nodiscard]] Result<Method> parse_method(std::string_view text);

// True when `name` is a valid component name (see the header comment).
bool is_valid_component_name(std::string_view name);

struct ComponentReading {
  uint16_t component = 0;  // index into EnergyTimeline::components()
  Energy energy;
  Method method = Method::kMeasured;
};

struct EnergyInterval {
  UtcTime start{};
  Duration duration{0};
  std::vector<ComponentReading> readings;  // at most one per component

  UtcTime end() const { return start + duration; }
  Energy total() const;
};

class EnergyTimeline {
 public:
  // The id of a component, adding it when new. Error when the name is not
  // valid or more than 65535 components exist.
  [[nodiscard]] Result<uint16_t> component_id(std::string_view name);
  std::optional<uint16_t> find_component(std::string_view name) const;
  const std::vector<std::string>& components() const { return components_; }
  const std::string& component_name(uint16_t id) const { return components_[id]; }

  // Appends an interval after the last one. Errors (the caller adds
  // file:line): duration <= 0; no readings; an unknown or repeated component
  // id; energy negative or not finite; start before the previous end.
  [[nodiscard]] Status append(EnergyInterval interval);

  // Convenience for tests and sensors: readings by component name.
  struct NamedReading {
    std::string_view component;
    Energy energy;
    Method method = Method::kMeasured;
  };
  [[nodiscard]] Status append(UtcTime start, Duration duration,
                              std::initializer_list<NamedReading> readings);

  const std::vector<EnergyInterval>& intervals() const { return intervals_; }
  size_t size() const { return intervals_.size(); }
  bool empty() const { return intervals_.empty(); }

  // REQUIRES: !empty(). The span from the first start to the last end.
  UtcTime start() const { return intervals_.front().start; }
  UtcTime end() const { return intervals_.back().end(); }
  // Sum of interval durations (the span minus gaps).
  Duration active_time() const;

  Energy total() const;
  Energy total(uint16_t component) const;
  // The weakest method any interval reports for the component; nullopt when
  // the component never appears.
  std::optional<Method> method(uint16_t component) const;

 private:
  std::vector<std::string> components_;
  std::vector<EnergyInterval> intervals_;
};

// ---- Reading and writing -------------------------------------------------

struct ReadOptions {
  // A sampler killed mid-write may leave a last line without its newline
  // that does not parse. When true (JSON Lines only) that line is dropped and
  // counted in ReadReport::dropped_tail_lines instead of failing the read.
  bool tolerate_truncated_tail = false;
};

struct ReadReport {
  EnergyTimeline timeline;
  size_t dropped_tail_lines = 0;  // see ReadOptions; never silent
};

enum class TimelineFormat { kAuto, kJsonLines, kCsv };

// Parses JSON Lines (see the header comment). `name` names the input in
// errors: "<name>:<line>: <json path>: <what was expected>".
[[nodiscard]] Result<ReadReport> parse_timeline_jsonl(std::string_view text,
                                                      const std::string& name,
                                                      const ReadOptions& options = {});
// Parses the CSV form. Errors: "<name>:<line>: column <n>: <what was expected>".
[[nodiscard]] Result<ReadReport> parse_timeline_csv(std::string_view text,
                                                    const std::string& name);
// Detects the format (first non-blank character '{' means JSON Lines) unless
// told, then parses. Errors name the file.
[[nodiscard]] Result<ReadReport> parse_timeline(std::string_view text, const std::string& name,
                                                TimelineFormat format = TimelineFormat::kAuto,
                                                const ReadOptions& options = {});
[[nodiscard]] Result<ReadReport> read_timeline_file(const std::string& path,
                                                    TimelineFormat format = TimelineFormat::kAuto,
                                                    const ReadOptions& options = {});

// ---- The timeline.jsonl line codec ---------------------------------------
//
// The one reader and writer of a timeline.jsonl line, shared by accounting
// (EnergyTimeline, below) and the runner (runner/timeline_writer.h, which
// appends what the sampler measured). A line is the accounting schema
// (start, duration_s, joules, method) plus the keys `greenrun run` adds and
// accounting ignores: job_joules, platform_joules/platform_method (psys,
// which overlaps cpu and dram and so is never in `joules`), cpu_utilisation,
// job_cpu_share, warnings. docs/formats.md, "Energy timelines".
struct TimelineLine {
  struct Entry {
    std::string component;       // "cpu", "gpu0", ...
    Energy energy;               // `joules`: the whole machine's (or device's)
    std::optional<Energy> job;   // `job_joules`: the job's share, when known
    Method method = Method::kMeasured;
  };
  UtcTime start{};
  Duration duration{0};
  std::vector<Entry> entries;  // file order
  std::optional<Energy> platform;
  Method platform_method = Method::kMeasured;
  std::optional<double> cpu_utilisation;  // machine, 0..1
  std::optional<double> job_cpu_share;    // the job's share of busy CPU time, 0..1
  std::vector<std::string> warnings;
};

// Writes one line with its trailing '\n'. Numbers are written in the
// shortest form that parses back to the same double. Strings that are not
// valid UTF-8 (warnings) have their bad bytes replaced by U+FFFD; never throws.
// REQUIRES: component names are valid (is_valid_component_name).
std::string to_jsonl_line(const TimelineLine& line);
// Parses one line. Errors name the JSON path and what was expected:
// `$.joules.cpu: expected a number of joules`. Checks types, finiteness and
// signs, and that every entry has a method; not the timeline's invariants
// (ordering, at least one entry), which EnergyTimeline::append enforces.
// A legacy line marked `"simulated": true` reads its "estimated" figures as
// simulated.
[[nodiscard]] Result<TimelineLine> parse_timeline_line(std::string_view text);

// One JSON Lines record for an interval, with its trailing '\n'. Numbers are
// written in the shortest form that parses back to the same double, so
// parse(write(x)) == x exactly.
// REQUIRES: `interval` belongs to `timeline` (its component ids).
std::string to_jsonl_line(const EnergyTimeline& timeline, const EnergyInterval& interval);
// The whole timeline, one line per interval.
std::string to_jsonl(const EnergyTimeline& timeline);

}  // namespace greenrun::accounting
