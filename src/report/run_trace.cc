// read_trace: parses timeline.jsonl in a few chunks on as many threads
// (lines are independent; a 7-day run sampled every second has 604,800 of
// them), then merges the chunks in file order: per component a compact sample
// list (for the display envelope) and the full-data sums. The first bad line
// in file order ends the trace, as a sequential read would.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/text_reader.h"
#include "report/report_data.h"

namespace greenrun::report {
namespace {

// One component reading of one line, in a chunk's own component numbering.
struct Reading {
  int64_t start_ms = 0;
  int64_t duration_ms = 0;
  double job_j = 0;
  uint16_t component = 0;
  sensors::Method method = sensors::Method::kMeasured;
  bool first_of_line = false;
};

struct Chunk {
  std::string_view text;
  bool ends_file = false;
  std::vector<std::string> names;
  std::vector<Reading> readings;
  size_t lines =
      0;  // lines seen, blank ones included, up to and including a bad one
  std::optional<std::string> error;
  bool torn = false;
};

void parse_chunk(Chunk& c) {
  std::string_view rest = c.text;
  c.readings.reserve(
      static_cast<size_t>(std::count(rest.begin(), rest.end(), '\n')) * 3 + 3);
  uint16_t last = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const bool has_newline = nl != std::string_view::npos;
    const std::string_view line =
        rest.substr(0, has_newline ? nl : rest.size());
    rest = has_newline ? rest.substr(nl + 1) : std::string_view();
    ++c.lines;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto parsed = accounting::parse_timeline_line(line);
    if (!parsed) {
      c.torn = !has_newline && c.ends_file;
      c.error = parsed.error().message;
      return;
    }
    const int64_t start = ms_of(parsed->start), dur = parsed->duration.count();
    bool first = true;
    for (const auto& e : parsed->entries) {
      if (last >= c.names.size() || c.names[last] != e.component) {
        last = 0;
        while (last < c.names.size() && c.names[last] != e.component) ++last;
        if (last == c.names.size()) c.names.push_back(e.component);
      }
      c.readings.push_back({start, dur, (e.job ? *e.job : e.energy).joules(),
                            last, e.method, first});
      first = false;
      ++last;
    }
  }
}

// Cuts `text` into about `n` pieces at line ends.
std::vector<Chunk> chunks_of(std::string_view text, size_t n) {
  std::vector<Chunk> out;
  size_t from = 0;
  for (size_t i = 1; i <= n && from < text.size(); ++i) {
    size_t to = i == n ? text.size() : std::max(from, text.size() * i / n);
    if (to < text.size()) {
      const size_t nl = text.find('\n', to);
      to = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    if (to <= from) continue;
    Chunk c;
    c.text = text.substr(from, to - from);
    c.ends_file = to == text.size();
    out.push_back(std::move(c));
    from = to;
  }
  return out;
}

}  // namespace

RunTrace read_trace(const runner::RunRecord& record, size_t buckets) {
  RunTrace t;
  if (record.out_dir.empty()) {
    t.problems.push_back(
        fmt::format("Run {} records no output folder, so its power over time "
                    "cannot be drawn.",
                    record.id));
    return t;
  }
  const std::string path =
      (std::filesystem::path(record.out_dir) / "timeline.jsonl").string();
  auto text = read_file(path);
  if (!text) {
    t.problems.push_back(
        fmt::format("Run {}: {} cannot be read ({}), so its power over time is "
                    "not drawn; the "
                    "totals come from its record.",
                    record.id, path, text.error().message));
    return t;
  }
  t.found = true;

  // Small files in one piece; large ones on up to 8 threads.
  const size_t threads =
      text->size() < (1u << 20)
          ? 1
          : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<Chunk> chunks = chunks_of(*text, threads);
  {
    std::vector<std::jthread> workers;
    for (size_t i = 1; i < chunks.size(); ++i)
      workers.emplace_back([&c = chunks[i]] { parse_chunk(c); });
    if (!chunks.empty()) parse_chunk(chunks[0]);
  }  // joined

  struct Component {
    std::string name;
    std::vector<Sample> samples;
    sensors::Method method = sensors::Method::kMeasured;
  };
  std::vector<Component> comps;
  size_t total_readings = 0;
  for (const auto& c : chunks) total_readings += c.readings.size();
  size_t line_base = 0;
  for (const auto& c : chunks) {
    // This chunk's component numbers to the trace's.
    std::vector<size_t> to_global;
    for (const auto& name : c.names) {
      auto it =
          std::find_if(comps.begin(), comps.end(),
                       [&](const Component& x) { return x.name == name; });
      if (it == comps.end()) {
        comps.push_back({name, {}, sensors::Method::kMeasured});
        comps.back().samples.reserve(
            total_readings / std::max<size_t>(1, c.names.size()) + 1);
        it = comps.end() - 1;
      }
      to_global.push_back(static_cast<size_t>(it - comps.begin()));
    }
    double line_j = 0;
    int64_t line_start = 0;
    const auto close_line = [&] {
      if (t.samples == 0) return;
      t.job_energy += Energy::joules(line_j);
      if (line_start >= t.first_ms) {
        const auto hour =
            static_cast<size_t>((line_start - t.first_ms) / 3'600'000);
        if (hour < 24 * 366) {
          if (t.hourly_j.size() <= hour) t.hourly_j.resize(hour + 1, 0.0);
          t.hourly_j[hour] += line_j;
        }
      }
    };
    for (const auto& r : c.readings) {
      if (r.first_of_line) {
        close_line();
        ++t.samples;
        if (t.samples == 1) t.first_ms = r.start_ms;
        line_j = 0;
        line_start = r.start_ms;
      }
      line_j += r.job_j;
      auto& comp = comps[to_global[r.component]];
      comp.method = sensors::weaker(comp.method, r.method);
      const double watts =
          r.duration_ms > 0
              ? r.job_j / (static_cast<double>(r.duration_ms) / 1000.0)
              : 0.0;
      comp.samples.push_back({r.start_ms, r.duration_ms, watts});
    }
    close_line();
    if (c.error) {
      const size_t line_no = line_base + c.lines;
      if (c.torn)
        t.problems.push_back(
            fmt::format("Run {}: {} ends in a torn line (line {}), dropped; "
                        "the run was probably "
                        "interrupted while writing.",
                        record.id, path, line_no));
      else
        t.problems.push_back(
            fmt::format("Run {}: {}:{}: {}; the lines after it are not drawn.",
                        record.id, path, line_no, *c.error));
      break;
    }
    line_base += c.lines;
  }
  if (t.samples == 0 && t.problems.empty())
    t.problems.push_back(
        fmt::format("Run {}: {} holds no sampling interval.", record.id, path));
  std::sort(
      comps.begin(), comps.end(),
      [](const Component& a, const Component& b) { return a.name < b.name; });
  for (auto& c : comps) {
    if (c.samples.size() > buckets) t.downsampled = true;
    t.series.push_back({c.name, std::string(sensors::to_string(c.method)),
                        downsample(c.samples, buckets)});
  }
  return t;
}

}  // namespace greenrun::report
