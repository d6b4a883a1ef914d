// The HTML report: self-contained (Chart.js embedded, nothing fetched), the
// escaping of everything a run records, the display downsampling, and bad
// timeline files reported in words while the rest still renders.
#include "report/html_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "greenrun/base/time_format.h"
#include "report/downsample.h"
#include "report/html_escape.h"
#include "testing/paths.h"
#include "testing/schedule_section.h"
#include "testing/seed.h"

namespace greenrun::report {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The text of the JSON data island.
std::string data_island(const std::string& html) {
  const std::string open =
      "<script type=\"application/json\" id=\"greenrun-data\">";
  const auto a = html.find(open);
  if (a == std::string::npos) return "";
  const auto b = html.find("</script>", a);
  return html.substr(a + open.size(), b - a - open.size());
}

runner::RunRecord hostile_run(const fs::path& out_dir) {
  runner::RunRecord r;
  r.id = "20261207T000000Z-abcdef";
  r.project = "<!--proj</script><script>alert(1)</script>";
  r.phase =
      "ph\xE2\x80\xA8"
      "ase & \"quoted\" 'x'";
  r.command = {"sh", "-c", "echo </script><img src=x onerror=alert(2)>",
               "<!-- -->"};
  r.started = *parse_utc("2026-12-07T00:00:00Z");
  r.duration = 10s;
  r.ended = r.started + r.duration;
  r.zone = "";
  r.zone_source = "world average";
  r.sensors = "fake";
  r.out_dir = out_dir.string();
  r.intervals = 10;
  r.warnings = {"</script><b>bold</b>"};
  r.components.push_back({sensors::Component::kCpu,
                          Energy::joules(100),
                          Energy::joules(50),
                          sensors::Method::kSimulated,
                          {}});
  return r;
}

TEST(HtmlEscape, EscapesMarkupAndReplacesBadBytes) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("ok\xff"), "ok\xEF\xBF\xBD");
  EXPECT_EQ(html_escape("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(HtmlEscape, ScriptSafeJsonParsesToTheSameValue) {
  const nlohmann::json v = {
      {"s", "</script><!-- & \xE2\x80\xA8 \xE2\x80\xA9 >"}};
  const std::string safe = json_for_script(v.dump());
  EXPECT_EQ(safe.find("</"), std::string::npos) << safe;
  EXPECT_EQ(safe.find("<!--"), std::string::npos) << safe;
  EXPECT_EQ(safe.find("\xE2\x80\xA8"), std::string::npos) << safe;
  EXPECT_EQ(safe.find("\xE2\x80\xA9"), std::string::npos) << safe;
  EXPECT_EQ(nlohmann::json::parse(safe), v);
}

class HtmlReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-html-report");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string report(const std::vector<runner::RunRecord>& runs) {
    return html_report(
        load_report_data((dir_ / "greenrun.db").string(), runs, "test"));
  }
  fs::path dir_;
};

TEST_F(HtmlReportTest, NothingARunRecordsCanInjectMarkup) {
  std::string lines;
  for (int i = 0; i < 10; ++i)
    lines += "{\"start\":\"2026-12-07T00:00:" + std::string(i < 10 ? "0" : "") +
             std::to_string(i) +
             "Z\",\"duration_s\":1,\"joules\":{\"cpu\":10},\"method\":{\"cpu\":"
             "\"simulated\"},\"job_joules\":{\"cpu\":5}}\n";
  write("timeline.jsonl", lines);
  const std::string html = report({hostile_run(dir_)});
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_EQ(html.find("<!--proj"), std::string::npos);
  EXPECT_EQ(data_island(html).find("\xE2\x80\xA8"), std::string::npos)
      << "U+2028 escaped inside the script";
  EXPECT_NE(data_island(html).find("\\u2028"), std::string::npos);
  // Exactly the four script elements greenrun writes.
  size_t scripts = 0;
  for (size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1))
    ++scripts;
  EXPECT_EQ(scripts, 4u);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;img src=x"), std::string::npos)
      << "the command is shown, escaped";
  const auto specs = nlohmann::json::parse(data_island(html));
  ASSERT_TRUE(specs.is_array());
  // Every figure marks the simulated energy, the chart specs too.
  for (const auto& s : specs) {
    if (s["id"] == "intensity-0") continue;  // intensity is not energy
    EXPECT_FALSE(s["estimate"].get<std::string>().empty()) << s["id"];
  }
}

TEST_F(HtmlReportTest, IsSelfContained) {
  const std::string html = report({hostile_run(dir_)});
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  if (!chart_library_available())
    GTEST_SKIP()
        << "built without Chart.js (libjs-chart.js); install it to embed it";
  EXPECT_NE(html.find("Chart.js v3"), std::string::npos)
      << "Chart.js is embedded";
  EXPECT_NE(html.find("GreenrunCharts"), std::string::npos);
}

TEST_F(HtmlReportTest, MissingAndTruncatedTimelinesAreSaidInWords) {
  // Missing.
  std::string html = report({hostile_run(dir_)});
  EXPECT_NE(html.find("cannot be read"), std::string::npos);
  // A torn last line: the complete lines are drawn, the torn one named.
  write("timeline.jsonl",
        "{\"start\":\"2026-12-07T00:00:00Z\",\"duration_s\":1,\"joules\":{"
        "\"cpu\":10},\"method\":{\"cpu\":\"simulated\"}}\n"
        "{\"start\":\"2026-12-07T00:00:01Z\",\"duration_s\":1,\"jou");
  const auto t = read_trace(hostile_run(dir_));
  EXPECT_EQ(t.samples, 1u);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].find("torn line (line 2)"), std::string::npos)
      << t.problems[0];
  html = report({hostile_run(dir_)});
  EXPECT_NE(html.find("torn line"), std::string::npos);
  // A bad line in the middle: what came before is kept.
  write("timeline.jsonl",
        "{\"start\":\"2026-12-07T00:00:00Z\",\"duration_s\":1,\"joules\":{"
        "\"cpu\":10},\"method\":{\"cpu\":\"simulated\"}}\n"
        "not json\n"
        "{\"start\":\"2026-12-07T00:00:02Z\",\"duration_s\":1,\"joules\":{"
        "\"cpu\":10},\"method\":{\"cpu\":\"simulated\"}}\n");
  const auto bad = read_trace(hostile_run(dir_));
  EXPECT_EQ(bad.samples, 1u);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].find("timeline.jsonl:2:"), std::string::npos)
      << bad.problems[0];
}

TEST_F(HtmlReportTest, ALargeTimelineReadsInChunksAsOneSequentialRead) {
  // 20,000 lines (over 1 MB: read on several threads where there are cores),
  // the 15,001st bad: the 15,000 before it count, in order, and the line is
  // named.
  std::string lines;
  const UtcTime t0 = *parse_utc("2026-12-07T00:00:00Z");
  for (int i = 0; i < 20'000; ++i) {
    if (i == 15'000) {
      lines += "{\"start\": oops}\n";
      continue;
    }
    lines +=
        "{\"start\":\"" + format_utc(t0 + std::chrono::seconds(i)) +
        "\",\"duration_s\":1,\"joules\":{\"cpu\":" + std::to_string(i % 7) +
        ",\"gpu\":100},\"method\":{\"cpu\":\"measured\",\"gpu\":\"measured\"},"
        "\"padding\":\"" +
        std::string(40, 'x') + "\"}\n";
  }
  ASSERT_GT(lines.size(), 1u << 20);
  write("timeline.jsonl", lines);
  const auto t = read_trace(hostile_run(dir_), 100'000);
  EXPECT_EQ(t.samples, 15'000u);
  double cpu = 0;
  for (int i = 0; i < 15'000; ++i) cpu += i % 7;
  EXPECT_DOUBLE_EQ(t.job_energy.joules(), cpu + 100.0 * 15'000);
  ASSERT_EQ(t.series.size(), 2u);
  ASSERT_EQ(t.series[0].points.size(), 15'000u);
  for (size_t i = 1; i < t.series[0].points.size(); ++i)
    ASSERT_EQ(t.series[0].points[i].t_ms - t.series[0].points[i - 1].t_ms, 1000)
        << i;
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].find("timeline.jsonl:15001:"), std::string::npos)
      << t.problems[0];
}

TEST_F(HtmlReportTest, TheExecutedScheduleIsDrawnAsSpans) {
  auto r = hostile_run(dir_);
  r.started = *parse_utc("2023-01-01T00:00:00Z");
  r.ended = *parse_utc("2023-01-01T04:00:00Z");
  r.duration = 4h;
  auto s =
      runner::schedule_summary_from_json(greenrun::testing::kScheduleSection);
  ASSERT_TRUE(s) << s.error().message;
  r.schedule = *s;
  const auto d = load_report_data((dir_ / "greenrun.db").string(), {r}, "test");
  ASSERT_EQ(d.runs.size(), 1u);
  std::vector<std::string> got;
  for (const auto& span : d.runs[0].spans)
    got.push_back(span.kind + " " +
                  format_utc(UtcTime(Duration(span.start_ms))) + " " +
                  format_utc(UtcTime(Duration(span.end_ms))));
  const std::vector<std::string> want = {
      "wait 2023-01-01T00:00:00Z 2023-01-01T01:00:00Z",
      "run 2023-01-01T01:00:00Z 2023-01-01T02:00:00Z",
      "pause 2023-01-01T02:00:00Z 2023-01-01T03:00:00Z",
      "run 2023-01-01T03:00:00Z 2023-01-01T04:00:00Z",
      "at-once 2023-01-01T00:00:00Z 2023-01-01T02:00:00Z"};
  EXPECT_EQ(got, want);
  // The statement counts its saving: 180 g at once against 66 g.
  EXPECT_DOUBLE_EQ(d.statement.scheduling_avoided().grams(), 114);
}

TEST(Downsample, KeepsEverySampleWhenFew) {
  std::vector<Sample> s = {{0, 1000, 5}, {1000, 1000, 7}};
  const auto d = downsample(s, 10);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].t_ms, 1000);
  EXPECT_EQ(d[1].mean, 7);
}

TEST(Downsample, TheEnvelopeHoldsEveryExtremeAndTheMeanIsTimeWeighted) {
  const auto seed = greenrun::testing::property_seed();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> power(0, 300);
  std::vector<Sample> s;
  double lo = 1e9, hi = -1, weighted = 0;
  for (int64_t i = 0; i < 100'000; ++i) {
    s.push_back({i * 1000, 1000, power(rng)});
    lo = std::min(lo, s.back().value);
    hi = std::max(hi, s.back().value);
    weighted += s.back().value;
  }
  const auto d = downsample(s, 1500);
  ASSERT_LE(d.size(), 1500u) << "seed " << seed;
  double dlo = 1e9, dhi = -1, mean_sum = 0;
  for (const auto& p : d) {
    EXPECT_LE(p.min, p.mean);
    EXPECT_LE(p.mean, p.max);
    dlo = std::min(dlo, p.min);
    dhi = std::max(dhi, p.max);
    mean_sum += p.mean;
  }
  EXPECT_EQ(dlo, lo) << "seed " << seed;
  EXPECT_EQ(dhi, hi) << "seed " << seed;
  // Equal buckets of equal samples: the mean of means is the overall mean.
  EXPECT_NEAR(mean_sum / static_cast<double>(d.size()), weighted / 100'000.0,
              1.0)
      << "seed " << seed;
}

}  // namespace
}  // namespace greenrun::report
