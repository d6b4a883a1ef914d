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

#include "base/result.h"
#include "base/units.h"

namespace greenrun::accounting {

// How an energy figure was obtained, from strongest to weakest evidence.
enum class Method : uint8_t {
  kMeasured,    // an energy counter (RAPL, NVML total-energy)
  kIntegrated,  // power samples integrated over time
  kEstimated,   // a model (TDP x utilisation, per-GB DRAM, ...)
};

std::string_view to_string(Method m);  // "measured", "integrated", "estimated"
[[nodiscard]] Result<Method> parse_method(std::string_view text);

// The weaker of two methods (estimated > integrated > measured): what a sum
// of figures obtained by both can honestly claim.
constexpr Method weakest(Method a, Method b) { return a > b ? a : b; }

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

// One JSON Lines record for an interval, with its trailing '\n'. Numbers are
// written in the shortest form that parses back to the same double, so
// parse(write(x)) == x exactly.
// REQUIRES: `interval` belongs to `timeline` (its component ids).
std::string to_jsonl_line(const EnergyTimeline& timeline, const EnergyInterval& interval);
// The whole timeline, one line per interval.
std::string to_jsonl(const EnergyTimeline& timeline);

}  // namespace greenrun::accounting
