#include "runner/timeline_writer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/time_format.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

using sensors::Component;
using sensors::Method;

IntervalRecord record(int second) {
  IntervalRecord r;
  r.start = *parse_utc("2026-01-01T00:00:00Z") + std::chrono::seconds(second);
  r.end = r.start + std::chrono::seconds(1);
  r.components[Component::kCpu] = {Energy::joules(12.5), Energy::joules(3.25), Method::kEstimated};
  r.components[Component::kGpu] = {Energy::joules(200), Energy::joules(200), Method::kMeasured};
  r.cpu_utilisation = 0.5;
  r.job_cpu_share = 0.26;
  return r;
}

TEST(TimelineWriter, LinesRoundTrip) {
  auto r = record(0);
  r.warnings.push_back("gpu1 lost");
  const std::string line = to_json_line(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"2026-01-01T00:00:01Z\"", 0), 0u) << line;
  auto back = parse_json_line(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->start, r.start);
  EXPECT_EQ(back->end, r.end);
  EXPECT_DOUBLE_EQ(back->components.at(Component::kCpu).job.joules(), 3.25);
  EXPECT_EQ(back->components.at(Component::kGpu).method, Method::kMeasured);
  EXPECT_EQ(back->warnings, r.warnings);
}

TEST(TimelineWriter, BadLinesSayWhatWasExpected) {
  EXPECT_EQ(parse_json_line("[1]").error().message, "expected a JSON object");
  EXPECT_EQ(parse_json_line(R"({"start":"x","end":"2026-01-01T00:00:00Z"})").error().message.substr(0, 9), "$.start: ");
  auto bad = parse_json_line(
      R"({"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:00:01Z","components":{"cpu":{"energy_j":1,"method":"guessed"}}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "$.components.cpu: expected energy_j and method");
}

TEST(TimelineWriter, AppendsAndReadsBackSkippingATornLastLine) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-timeline");
  const std::string path = (dir / "timeline.jsonl").string();
  {
    auto w = TimelineWriter::create(path);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append(record(0)));
    ASSERT_TRUE(w->append(record(1)));
  }
  std::ofstream(path, std::ios::app) << R"({"start":"2026-01-01T00:00:02Z","end":)";  // killed mid-write
  auto file = read_timeline(path);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->intervals.size(), 2u);
  EXPECT_EQ(file->torn_lines, 1u);
  // A bad line in the middle is an error with file:line.
  std::ofstream(path, std::ios::app) << "\n" << to_json_line(record(3)) << "\n";
  auto broken = read_timeline(path);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("timeline.jsonl:3: "), std::string::npos) << broken.error().message;
  std::filesystem::remove_all(dir);
}

TEST(TimelineWriter, UnwritablePathIsAnError) {
  auto w = TimelineWriter::create("/nonexistent-dir/timeline.jsonl");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("/nonexistent-dir/timeline.jsonl: cannot create"), std::string::npos);
}

}  // namespace
}  // namespace greenrun::runner
