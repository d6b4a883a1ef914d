// The fast path of the timeline.jsonl line reader agrees with the DOM reader
// on every line it accepts, and leaves every malformed line to it (so errors
// keep naming their JSON path).
#include "accounting/timeline_line_scan.h"

#include <gtest/gtest.h>

#include <random>

#include "greenrun/base/time_format.h"
#include "testing/seed.h"

namespace greenrun::accounting {
namespace {

void expect_same(const TimelineLine& a, const TimelineLine& b,
                 const std::string& text) {
  EXPECT_EQ(a.start, b.start) << text;
  EXPECT_EQ(a.duration, b.duration) << text;
  ASSERT_EQ(a.entries.size(), b.entries.size()) << text;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].component, b.entries[i].component) << text;
    EXPECT_EQ(a.entries[i].energy.joules(), b.entries[i].energy.joules())
        << text;
    EXPECT_EQ(a.entries[i].job.has_value(), b.entries[i].job.has_value())
        << text;
    if (a.entries[i].job && b.entries[i].job) {
      EXPECT_EQ(a.entries[i].job->joules(), b.entries[i].job->joules()) << text;
    }
    EXPECT_EQ(a.entries[i].method, b.entries[i].method) << text;
  }
  EXPECT_EQ(a.platform.has_value(), b.platform.has_value()) << text;
  if (a.platform && b.platform) {
    EXPECT_EQ(a.platform->joules(), b.platform->joules()) << text;
  }
  EXPECT_EQ(a.platform_method, b.platform_method) << text;
  EXPECT_EQ(a.cpu_utilisation, b.cpu_utilisation) << text;
  EXPECT_EQ(a.job_cpu_share, b.job_cpu_share) << text;
  EXPECT_EQ(a.warnings, b.warnings) << text;
}

TEST(TimelineLineScan, AgreesWithTheDomReaderOnWrittenLines) {
  const auto seed = greenrun::testing::property_seed();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> energy(0, 500);
  std::uniform_int_distribution<int> pick(0, 3);
  const char* names[] = {"cpu", "dram", "gpu0", "gpu1"};
  const Method methods[] = {Method::kMeasured, Method::kIntegrated,
                            Method::kEstimated, Method::kSimulated};
  const UtcTime t0 = *parse_utc("2026-01-05T00:00:00Z");
  for (int i = 0; i < 2000; ++i) {
    TimelineLine line;
    line.start = t0 + std::chrono::milliseconds(
                          static_cast<int64_t>(rng() % 1'000'000'000));
    line.duration = Duration(1 + static_cast<int64_t>(rng() % 100'000));
    const int n = 1 + pick(rng);
    for (int c = 0; c < n; ++c) {
      TimelineLine::Entry e{
          names[c], Energy::joules(c == 1 && i % 7 == 0 ? 0.0 : energy(rng)),
          std::nullopt, methods[pick(rng)]};
      if (rng() % 2) e.job = Energy::joules(e.energy.joules() * 0.5);
      line.entries.push_back(e);
    }
    if (rng() % 3 == 0) {
      line.platform = Energy::joules(energy(rng));
      line.platform_method = methods[pick(rng)];
    }
    if (rng() % 2) line.cpu_utilisation = energy(rng) / 500;
    if (rng() % 2) line.job_cpu_share = energy(rng) / 500;
    if (rng() % 5 == 0) line.warnings = {"gpu1 lost", "second warning"};
    const std::string text = to_jsonl_line(line);
    const auto fast = scan_timeline_line(text);
    ASSERT_TRUE(fast) << "seed " << seed
                      << ": the scan refused a line greenrun wrote: " << text;
    const auto dom = parse_timeline_line_dom(text);
    ASSERT_TRUE(dom) << dom.error().message;
    expect_same(*fast, *dom, text + " seed " + std::to_string(seed));
    expect_same(*fast, line, text);
  }
}

TEST(TimelineLineScan, AcceptsOnlyWhatTheDomReaderReadsTheSame) {
  const std::vector<std::string> lines = {
      // valid, unusual
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"estimated"},"simulated":true})",
      R"({"extra":{"nested":[1,{"a":null}]},"start":"2026-01-01T00:00:00Z","duration_s":0.5,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"},"platform_method":"bogus"})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"},"warnings":["a \"q\""]})",
      R"(  {"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{},"method":{}}  )",
      // malformed: the DOM reader's error must be the answer
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"}} x)",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":-1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured","gpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":0,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":0.0004,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1e10,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":[1],"method":{"cpu":"measured"}})",
      R"({"start":5,"duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"noon","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1,"cpu":2},"method":{"cpu":"measured"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"guessed"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"},"job_joules":{"cpu":"x"}})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"joules":{"cpu":1},"method":{"cpu":"measured"},"cpu_utilisation":"high"})",
      R"({"start":"2026-01-01T00:00:00Z","duration_s":1,"jou)",
      "[1]",
      "{}",
      "",
  };
  for (const auto& text : lines) {
    const auto fast = scan_timeline_line(text);
    const auto dom = parse_timeline_line_dom(text);
    if (fast) {
      ASSERT_TRUE(dom) << "the scan accepted a line the DOM reader refuses: "
                       << text << "\n"
                       << dom.error().message;
      expect_same(*fast, *dom, text);
    }
    // Through the public reader, the answer is always the DOM reader's.
    const auto pub = parse_timeline_line(text);
    EXPECT_EQ(pub.has_value(), dom.has_value()) << text;
    if (!pub && !dom) {
      EXPECT_EQ(pub.error().message, dom.error().message) << text;
    }
    if (pub && dom) expect_same(*pub, *dom, text);
  }
  // The legacy marker turns "estimated" into simulated on both paths.
  const auto legacy = scan_timeline_line(lines[0]);
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->entries[0].method, Method::kSimulated);
}

}  // namespace
}  // namespace greenrun::accounting
