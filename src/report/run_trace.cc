// read_trace: one pass over timeline.jsonl, keeping per component a compact
// sample list (for the display envelope) and the full-data sums.
#include <fmt/format.h>

#include <filesystem>
#include <algorithm>

#include "accounting/energy_timeline.h"
#include "base/text_reader.h"
#include "report/report_data.h"

namespace greenrun::report {
namespace {

int64_t ms_of(UtcTime t) { return t.time_since_epoch().count(); }

}  // namespace

RunTrace read_trace(const runner::RunRecord& record, size_t buckets) {
  RunTrace t;
  if (record.out_dir.empty()) {
    t.problems.push_back(fmt::format("Run {} records no output folder, so its power over time cannot be drawn.",
                                     record.id));
    return t;
  }
  const std::string path = (std::filesystem::path(record.out_dir) / "timeline.jsonl").string();
  auto text = read_file(path);
  if (!text) {
    t.problems.push_back(fmt::format("Run {}: {} cannot be read ({}), so its power over time is not drawn; the "
                                     "totals come from its record.",
                                     record.id, path, text.error().message));
    return t;
  }
  t.found = true;
  struct Component {
    std::vector<Sample> samples;
    sensors::Method method = sensors::Method::kMeasured;
  };
  // Few components (cpu, dram, gpu0 ...): a vector searched from the last hit beats a map.
  std::vector<std::pair<std::string, Component>> comps;
  const size_t lines_expected = static_cast<size_t>(std::count(text->begin(), text->end(), '\n')) + 1;
  size_t last = 0;
  std::string_view rest = *text;
  size_t line_no = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const bool has_newline = nl != std::string_view::npos;
    const std::string_view line = rest.substr(0, has_newline ? nl : rest.size());
    rest = has_newline ? rest.substr(nl + 1) : std::string_view();
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto parsed = accounting::parse_timeline_line(line);
    if (!parsed) {
      if (!has_newline)
        t.problems.push_back(fmt::format("Run {}: {} ends in a torn line (line {}), dropped; the run was probably "
                                         "interrupted while writing.",
                                         record.id, path, line_no));
      else
        t.problems.push_back(fmt::format("Run {}: {}:{}: {}; the lines after it are not drawn.", record.id, path,
                                         line_no, parsed.error().message));
      break;
    }
    ++t.samples;
    const int64_t start = ms_of(parsed->start);
    const int64_t dur = parsed->duration.count();
    if (t.samples == 1) t.first_ms = start;
    double line_j = 0;
    for (const auto& e : parsed->entries) {
      const Energy job = e.job ? *e.job : e.energy;
      line_j += job.joules();
      if (last >= comps.size() || comps[last].first != e.component) {
        last = 0;
        while (last < comps.size() && comps[last].first != e.component) ++last;
        if (last == comps.size()) {
          comps.emplace_back(e.component, Component{});
          comps.back().second.samples.reserve(lines_expected);
        }
      }
      auto& c = comps[last].second;
      c.method = sensors::weaker(c.method, e.method);
      const double watts = dur > 0 ? job.joules() / (static_cast<double>(dur) / 1000.0) : 0.0;
      c.samples.push_back({start, dur, watts});
      ++last;
    }
    t.job_energy += Energy::joules(line_j);
    if (start >= t.first_ms) {
      const auto hour = static_cast<size_t>((start - t.first_ms) / 3'600'000);
      if (hour < 24 * 366) {
        if (t.hourly_j.size() <= hour) t.hourly_j.resize(hour + 1, 0.0);
        t.hourly_j[hour] += line_j;
      }
    }
  }
  if (t.samples == 0 && t.problems.empty())
    t.problems.push_back(fmt::format("Run {}: {} holds no sampling interval.", record.id, path));
  std::sort(comps.begin(), comps.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, c] : comps) {
    if (c.samples.size() > buckets) t.downsampled = true;
    t.series.push_back({name, std::string(sensors::to_string(c.method)), downsample(c.samples, buckets)});
  }
  return t;
}

}  // namespace greenrun::report
