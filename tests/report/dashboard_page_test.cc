// The dashboard page (report::dashboard_page): self-contained, nothing a run
// or a live run records can inject markup, estimates are marked, and empty
// sections say so in words.
#include "report/dashboard_page.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

namespace greenrun::report {
namespace {

using namespace std::chrono_literals;

const char* kHostile = "<!--x</script><script>alert(1)</script>";

std::string data_island(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"greenrun-data\">";
  const auto a = html.find(open);
  if (a == std::string::npos) return "";
  const auto b = html.find("</script>", a);
  return html.substr(a + open.size(), b - a - open.size());
}

engine::Dashboard hostile_dashboard() {
  engine::Dashboard d;
  d.now = *parse_utc("2026-12-07T10:15:00Z");
  runner::RunRecord r;
  r.id = "20261207T100000Z-abcdef";
  r.project = kHostile;
  r.phase = kHostile;
  r.command = {kHostile};
  r.started = *parse_utc("2026-12-07T10:00:00Z");
  r.duration = 5min;
  r.zone = "DE";
  r.components.push_back({sensors::Component::kCpu, Energy::joules(3600), Energy::joules(3600),
                          sensors::Method::kEstimated, {}});
  d.runs.push_back(r);
  runner::RunTotals t;
  t.key = kHostile;
  t.runs = 1;
  t.job_energy = Energy::joules(3600);
  t.emissions = Mass::grams(0.2);
  t.weakest_method = sensors::Method::kEstimated;
  d.projects.push_back(t);
  engine::LiveRun live;
  live.id = kHostile;
  live.project = kHostile;
  live.state = "paused";
  live.mode = "pause-resume";
  live.components.push_back({"cpu", "estimated", 100, 200, 25});
  d.live.push_back(live);
  engine::ZoneOutlook z;
  z.zone = "DE";
  z.series = intensity::IntensitySeries("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  for (int h = 0; h < 24; ++h)
    EXPECT_TRUE(z.series.append(*parse_utc("2026-12-07T10:00:00Z") + std::chrono::hours(h), 1h,
                                CarbonIntensity::grams_per_kwh(300 - 5 * h)));
  z.label = "typical profile, not a forecast (catalogue)";
  z.estimate = true;
  z.now_value = CarbonIntensity::grams_per_kwh(300);
  z.best_start = *parse_utc("2026-12-08T09:00:00Z");
  z.best_mean = CarbonIntensity::grams_per_kwh(185);
  d.zones.push_back(z);
  engine::ZoneOutlook bad;
  bad.zone = "XX";
  bad.problem = kHostile;
  d.zones.push_back(bad);
  d.problems.push_back(kHostile);
  return d;
}

TEST(DashboardPage, NothingRecordedInjectsMarkupAndEstimatesAreMarked) {
  const std::string html = dashboard_page(hostile_dashboard(), 30);
  EXPECT_EQ(html.find("<script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("<!--x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("http-equiv=\"refresh\" content=\"30\""), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos) << "nothing is fetched from the network";

  const auto specs = nlohmann::json::parse(data_island(html));
  ASSERT_EQ(specs.size(), 2u);  // the zone with a series, and the projects; XX has none
  EXPECT_EQ(specs[0]["id"], "zone-0");
  EXPECT_EQ(specs[0]["points"].size(), 24u);
  EXPECT_EQ(specs[0]["spans"][0]["kind"], "best-start");
  EXPECT_EQ(specs[0]["spans"][0]["end_ms"].get<long long>() - specs[0]["spans"][0]["start_ms"].get<long long>(),
            3'600'000);
  EXPECT_NE(specs[0]["estimate"].get<std::string>().find("typical profile"), std::string::npos);
  EXPECT_EQ(specs[1]["id"], "projects");
  EXPECT_NE(specs[1]["estimate"].get<std::string>(), "");
  EXPECT_EQ(specs[1]["labels"][0], kHostile);  // intact in the data, escaped for the script element
  EXPECT_NE(html.find("38 % below now"), std::string::npos);  // 185 against 300
  EXPECT_NE(html.find("class=\"state\">paused"), std::string::npos);
  EXPECT_NE(html.find("XX: no outlook"), std::string::npos);
}

TEST(DashboardPage, AnEmptyStoreSaysSoInWords) {
  engine::Dashboard d;
  d.now = *parse_utc("2026-12-07T10:15:00Z");
  const std::string html = dashboard_page(d, 0);
  EXPECT_NE(html.find("No run in progress."), std::string::npos);
  EXPECT_NE(html.find("No runs recorded yet."), std::string::npos);
  EXPECT_NE(html.find("No zone has stored data reaching past now"), std::string::npos);
  EXPECT_EQ(html.find("http-equiv=\"refresh\""), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(data_island(html)).size(), 0u);
}

}  // namespace
}  // namespace greenrun::report
