#include "runner/timeline_writer.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <fstream>

#include "greenrun/accounting/energy_timeline.h"
#include "greenrun/base/time_format.h"
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
  EXPECT_EQ(line.rfind("{\"start\":\"2026-01-01T00:00:00Z\",\"duration_s\":1,\"joules\":{\"cpu\":12.5,\"gpu\":200}", 0), 0u)
      << line;
  auto back = parse_json_line(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->start, r.start);
  EXPECT_EQ(back->end, r.end);
  EXPECT_DOUBLE_EQ(back->components.at(Component::kCpu).job.joules(), 3.25);
  EXPECT_EQ(back->components.at(Component::kGpu).method, Method::kMeasured);
  EXPECT_EQ(back->warnings, r.warnings);
}

TEST(TimelineWriter, BadLinesSayWhatWasExpected) {
  EXPECT_EQ(parse_json_line("[1]").error().message, "expected a JSON object per line");
  EXPECT_EQ(parse_json_line(R"({"start":"x","duration_s":1})").error().message.substr(0, 9), "$.start: ");
  auto bad = parse_json_line(
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"guessed"}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "$.method.cpu: expected a method: measured, integrated, estimated or simulated, got \"guessed\"");
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
  std::ofstream(path, std::ios::app) << R"({"start":"2026-01-01T00:00:02Z","duration_s":)";  // killed mid-write
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

TEST(TimelineWriter, ReadsALegacySimulatedLine) {
  // Written by greenrun before "simulated" was a method.
  auto r = parse_json_line(
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1.0,"joules":{"cpu":2.0},"method":{"cpu":"estimated"},)"
      R"("job_joules":{"cpu":1.0},"simulated":true,"cpu_utilisation":0.5,"job_cpu_share":0.5})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->components.at(Component::kCpu).method, Method::kSimulated);
  EXPECT_DOUBLE_EQ(r->components.at(Component::kCpu).job.joules(), 1.0);
}

TEST(TimelineWriter, AWarningThatIsNotUtf8DoesNotThrow) {
  auto r = record(0);
  r.warnings.push_back("cannot read /tmp/\xff");
  std::string line;
  ASSERT_NO_THROW(line = to_json_line(r));
  auto back = parse_json_line(line);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->warnings.size(), 1u);
}

TEST(TimelineWriter, AccountingReadsTheTimeline) {
  const auto dir = greenrun::testing::make_temp_dir("greenrun-timeline");
  const std::string path = (dir / "timeline.jsonl").string();
  {
    auto w = TimelineWriter::create(path);
    ASSERT_TRUE(w);
    auto r0 = record(0);
    r0.components[Component::kPlatform] = {Energy::joules(500), Energy::joules(100), Method::kMeasured};
    ASSERT_TRUE(w->append(r0));
    auto r1 = record(1);
    r1.components[Component::kDram] = {Energy::joules(2), Energy::joules(1), Method::kSimulated};
    ASSERT_TRUE(w->append(r1));
    auto empty = record(2);
    empty.end = empty.start;  // zero length: skipped
    ASSERT_TRUE(w->append(empty));
  }
  auto report = accounting::read_timeline_file(path);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->timeline.size(), 2u);
  // psys is not in the accounting total: 12.5 + 200, then 12.5 + 200 + 2.
  EXPECT_DOUBLE_EQ(report->timeline.total().joules(), 427.0);
  auto mine = read_timeline(path);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->intervals[1].components.at(Component::kDram).method, Method::kSimulated);
  EXPECT_DOUBLE_EQ(mine->intervals[0].components.at(Component::kPlatform).machine.joules(), 500);
  // One codec: accounting reads the simulated figure as simulated, not as a
  // lossy "estimated".
  const auto dram = report->timeline.find_component("dram");
  ASSERT_TRUE(dram);
  EXPECT_EQ(report->timeline.method(*dram), Method::kSimulated);
  std::filesystem::remove_all(dir);
}

TEST(TimelineWriter, UnwritablePathIsAnError) {
  auto w = TimelineWriter::create("/nonexistent-dir/timeline.jsonl");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("/nonexistent-dir/timeline.jsonl: cannot create"), std::string::npos);
}

TEST(TimelineWriter, AFullDiskKeepsTheIntervalsInMemoryAndWarnsOnce) {
  // /dev/full refuses every write with ENOSPC, like a disk full from the start.
  auto w = TimelineWriter::create("/dev/full");
  ASSERT_TRUE(w) << w.error().message;
  auto first = w->append(record(0));
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().message.find("No space left on device"), std::string::npos) << first.error().message;
  EXPECT_NE(first.error().message.find("kept in memory"), std::string::npos) << first.error().message;
  EXPECT_TRUE(w->append(record(1))) << "a second warning for the same failure";
  EXPECT_TRUE(w->append(record(2)));
  ASSERT_EQ(w->unwritten().size(), 3u);
  EXPECT_EQ(w->unwritten()[2].start, record(2).start);
}

TEST(TimelineWriter, AWriteThatFailsMidLineIsCutBackToTheLastCompleteLine) {
  // A file-size limit makes the kernel accept part of a line and refuse the
  // rest (EFBIG), as a disk filling up mid-write does.
  const auto dir = greenrun::testing::make_temp_dir("greenrun-timeline-full");
  const std::string path = (dir / "timeline.jsonl").string();
  const size_t line_bytes = to_json_line(record(0)).size() + 1;
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = static_cast<rlim_t>(2 * line_bytes + line_bytes / 2);  // two and a half lines
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::vector<Status> results;
  {
    auto w = TimelineWriter::create(path);
    ASSERT_TRUE(w);
    for (int i = 0; i < 5; ++i) results.push_back(w->append(record(i)));
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(w->unwritten().size(), 3u);
  }
  EXPECT_TRUE(results[0] && results[1]);
  EXPECT_FALSE(results[2]);
  EXPECT_TRUE(results[3] && results[4]) << "one warning per run, not per interval";
  EXPECT_EQ(std::filesystem::file_size(path), 2 * line_bytes) << "the torn third line was not cut off";
  auto back = read_timeline(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->intervals.size(), 2u);
  EXPECT_EQ(back->torn_lines, 0u);
  std::filesystem::remove_all(dir);
}

TEST(TimelineWriter, OverlappingIntervalsAreRefusedWithTheirLine) {
  // Two runs writing one file interleave their intervals: pricing both would
  // count each job's energy twice.
  const auto dir = greenrun::testing::make_temp_dir("greenrun-timeline-overlap");
  const std::string path = (dir / "timeline.jsonl").string();
  {
    std::ofstream f(path);
    auto other = record(0);
    other.start += std::chrono::milliseconds(500);
    other.end += std::chrono::milliseconds(500);
    f << to_json_line(record(0)) << "\n" << to_json_line(other) << "\n" << to_json_line(record(1)) << "\n";
  }
  auto back = read_timeline(path);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find(path + ":2: an interval starting 2026-01-01T00:00:00.500Z overlaps"),
            std::string::npos)
      << back.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::runner
