#include "greenrun/accounting/energy_timeline.h"

#include <gtest/gtest.h>

#include <random>
#include <type_traits>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "testing/paths.h"
#include "testing/seed.h"

namespace greenrun::accounting {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

UtcTime at(const char* s) { return *parse_utc(s); }
Energy J(double j) { return Energy::joules(j); }

std::string fixture(const std::string& name) {
  return (testing::source_dir() / "tests" / "accounting" / "fixtures" / name).string();
}

// The error message of reading a fixture, which must fail.
std::string read_error(const std::string& name, const ReadOptions& options = {}) {
  auto r = read_timeline_file(fixture(name), TimelineFormat::kAuto, options);
  EXPECT_FALSE(r) << name << " should not parse";
  return r ? std::string() : r.error().message;
}

TEST(Method, NamesRoundTripAndWeakestWins) {
  // accounting's Method is the sensors' one: no lossy mapping of kSimulated.
  static_assert(std::is_same_v<Method, sensors::Method>);
  for (Method m : {Method::kMeasured, Method::kIntegrated, Method::kEstimated, Method::kSimulated})
    EXPECT_EQ(*parse_method(to_string(m)), m);
  EXPECT_EQ(*parse_method(" Measured "), Method::kMeasured);
  EXPECT_FALSE(parse_method("guessed"));
  EXPECT_EQ(weaker(Method::kMeasured, Method::kEstimated), Method::kEstimated);
  EXPECT_EQ(weaker(Method::kIntegrated, Method::kMeasured), Method::kIntegrated);
  EXPECT_EQ(weaker(Method::kEstimated, Method::kSimulated), Method::kSimulated);
}

TEST(EnergyTimeline, ComponentNamesAreValidated) {
  EXPECT_TRUE(is_valid_component_name("gpu0"));
  EXPECT_TRUE(is_valid_component_name("cpu.package-1"));
  EXPECT_FALSE(is_valid_component_name(""));
  EXPECT_FALSE(is_valid_component_name("GPU"));
  EXPECT_FALSE(is_valid_component_name("_gpu"));
  EXPECT_FALSE(is_valid_component_name("gpu 0"));
  EXPECT_FALSE(is_valid_component_name(std::string(65, 'a')));
}

TEST(EnergyTimeline, AppendRejectsOverlapsNegativesAndNaN) {
  EnergyTimeline t;
  ASSERT_TRUE(t.append(at("2023-01-01T00:00Z"), seconds(10), {{"gpu", J(5)}}));
  // A gap is fine.
  ASSERT_TRUE(t.append(at("2023-01-01T00:00:20Z"), seconds(10), {{"gpu", J(5)}, {"cpu", J(1), Method::kEstimated}}));
  auto overlap = t.append(at("2023-01-01T00:00:25Z"), seconds(10), {{"gpu", J(5)}});
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("overlaps"), std::string::npos) << overlap.error().message;
  auto before = t.append(at("2023-01-01T00:00:00Z"), seconds(1), {{"gpu", J(5)}});
  ASSERT_FALSE(before);
  EXPECT_NE(before.error().message.find("comes before"), std::string::npos) << before.error().message;
  EXPECT_FALSE(t.append(at("2023-01-01T00:01Z"), seconds(1), {{"gpu", J(-1)}}));
  EXPECT_FALSE(t.append(at("2023-01-01T00:01Z"), seconds(1), {{"gpu", J(std::nan(""))}}));
  EXPECT_FALSE(t.append(at("2023-01-01T00:01Z"), seconds(0), {{"gpu", J(1)}}));
  EXPECT_FALSE(t.append(at("2023-01-01T00:01Z"), seconds(1), {}));
  EXPECT_FALSE(t.append(at("2023-01-01T00:01Z"), seconds(1), {{"gpu", J(1)}, {"gpu", J(1)}}));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.total().joules(), 11);
  EXPECT_EQ(t.total(*t.find_component("gpu")).joules(), 10);
  EXPECT_EQ(t.active_time(), seconds(20));
  EXPECT_EQ(t.end() - t.start(), seconds(30));
  EXPECT_EQ(*t.method(*t.find_component("cpu")), Method::kEstimated);
  EXPECT_EQ(*t.method(*t.find_component("gpu")), Method::kMeasured);
}

TEST(EnergyTimelineJsonl, ReadsTheGoodFixture) {
  auto r = read_timeline_file(fixture("good.jsonl"));
  ASSERT_TRUE(r) << r.error().message;
  const EnergyTimeline& t = r->timeline;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.components(), (std::vector<std::string>{"gpu", "cpu", "dram"}));
  EXPECT_EQ(t.total(*t.find_component("cpu")).joules(), 1200.5 + 1190.25);
  EXPECT_EQ(t.intervals()[2].start, at("2023-06-01T12:05:00.500Z"));
  EXPECT_EQ(t.intervals()[2].duration, milliseconds(250));
  EXPECT_EQ(*t.method(*t.find_component("gpu")), Method::kIntegrated);  // weakest over intervals
  EXPECT_EQ(*t.method(*t.find_component("dram")), Method::kEstimated);
}

TEST(EnergyTimelineCsv, ReadsTheGoodFixtureWithUnitsAndMethods) {
  auto r = read_timeline_file(fixture("good.csv"));
  ASSERT_TRUE(r) << r.error().message;
  const EnergyTimeline& t = r->timeline;
  ASSERT_EQ(t.size(), 3u);
  const uint16_t gpu = *t.find_component("gpu");
  const uint16_t cpu = *t.find_component("cpu");
  EXPECT_DOUBLE_EQ(t.total(cpu).joules(), 0.75 * 3600);  // cpu_wh
  EXPECT_EQ(t.total(gpu).joules(), 15000 + 14800 + 7000);
  EXPECT_EQ(t.intervals()[1].readings.size(), 1u);  // empty cpu cell: absent
  EXPECT_EQ(t.intervals()[2].start, at("2023-06-01T12:02:00Z"));  // offset converted
  // Per-component method column wins over the catch-all one.
  EXPECT_EQ(t.intervals()[0].readings[0].method, Method::kMeasured);
  EXPECT_EQ(t.intervals()[0].readings[1].method, Method::kEstimated);
  EXPECT_EQ(t.intervals()[2].readings[0].method, Method::kIntegrated);
}

TEST(EnergyTimelineCsv, WithoutMethodColumnsNothingClaimsToBeMeasured) {
  auto r = parse_timeline_csv("start,duration_s,cpu_j\n2023-01-01T00:00Z,1,5\n", "x.csv");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->timeline.intervals()[0].readings[0].method, Method::kEstimated);
}

TEST(EnergyTimelineReaders, BrokenFixturesNameFileLineAndWhatWasExpected) {
  struct Case {
    const char* file;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {"empty.jsonl", "empty.jsonl:1:", "empty file"},
      {"blank.csv", "blank.csv:1:", "empty file"},
      {"negative.jsonl", "negative.jsonl:2:", "$.joules.gpu: expected a non-negative number of joules"},
      {"nan.csv", "nan.csv:3: column 3:", "finite"},
      {"overlap.csv", "overlap.csv:3:", "overlaps the previous interval"},
      {"nonmonotonic.jsonl", "nonmonotonic.jsonl:2:", "comes before the previous interval"},
      {"bad_time.csv", "bad_time.csv:3: column 1:", "month"},
      {"truncated.jsonl", "truncated.jsonl:2:", "truncated last line"},
      {"truncated.csv", "truncated.csv:3:", "expected 4 columns as in the header, got 2 (truncated line?)"},
      {"missing_method.jsonl", "missing_method.jsonl:1:", "$.method.cpu: expected measured, integrated, estimated or simulated"},
      {"zero_duration.jsonl", "zero_duration.jsonl:1:", "$.duration_s: expected a positive number of seconds"},
      {"unknown_column.csv", "unknown_column.csv:1: column 3:", "expected start, duration_s, <component>_j"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string msg = read_error(c.file);
    EXPECT_NE(msg.find(c.where), std::string::npos) << msg;
    EXPECT_NE(to_lower(msg).find(to_lower(c.what)), std::string::npos) << msg;
  }
}

TEST(EnergyTimelineJsonl, ATruncatedTailCanBeDroppedAndIsCounted) {
  ReadOptions lenient;
  lenient.tolerate_truncated_tail = true;
  auto r = read_timeline_file(fixture("truncated.jsonl"), TimelineFormat::kAuto, lenient);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->timeline.size(), 1u);
  EXPECT_EQ(r->dropped_tail_lines, 1u);
  // A broken line in the middle is never dropped.
  const std::string mid =
      "{\"start\":\"2023-01-01T00:00Z\",\"duration_s\":1,\"joules\":{\"a\":1},\"method\":{\"a\":\"measured\"}}\n{\"sta\n"
      "{\"start\":\"2023-01-01T00:00:01Z\",\"duration_s\":1,\"joules\":{\"a\":1},\"method\":{\"a\":\"measured\"}}\n";
  auto m = parse_timeline_jsonl(mid, "mid.jsonl", lenient);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("mid.jsonl:2:"), std::string::npos) << m.error().message;
}

TEST(EnergyTimelineJsonl, RejectsMethodsWithoutEnergyAndWrongTypes) {
  auto extra = parse_timeline_jsonl(
      R"({"start":"2023-01-01T00:00Z","duration_s":1,"joules":{"a":1},"method":{"a":"measured","b":"measured"}})", "x");
  ASSERT_FALSE(extra);
  EXPECT_NE(extra.error().message.find("$.method.b"), std::string::npos);
  auto str = parse_timeline_jsonl(
      R"({"start":"2023-01-01T00:00Z","duration_s":"1","joules":{"a":1},"method":{"a":"measured"}})", "x");
  ASSERT_FALSE(str);
  EXPECT_NE(str.error().message.find("x:1: $.duration_s"), std::string::npos);
  auto arr = parse_timeline_jsonl("[1,2]\n", "x");
  ASSERT_FALSE(arr);
  auto upper = parse_timeline_jsonl(
      R"({"start":"2023-01-01T00:00Z","duration_s":1,"joules":{"GPU":1},"method":{"GPU":"measured"}})", "x");
  ASSERT_FALSE(upper);
  EXPECT_NE(upper.error().message.find("component name"), std::string::npos);
}

// Property: write then read gives back exactly the same timeline.
TEST(EnergyTimelineJsonl, WriteThenReadRoundTripsExactly) {
  const uint64_t seed = static_cast<unsigned>(greenrun::testing::property_seed());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> joules(0, 1e7);
  std::uniform_int_distribution<int> ms(1, 120'000), gap(0, 3), comps(1, 4), method(0, 2);
  const char* names[] = {"psys", "gpu1", "cpu", "dram", "gpu0"};  // not alphabetical
  for (int round = 0; round < 20; ++round) {
    EnergyTimeline t;
    UtcTime cur = at("2024-02-29T23:59:59.999Z") + milliseconds(ms(rng));
    for (int i = 0; i < 50; ++i) {
      EnergyInterval iv{cur, milliseconds(ms(rng)), {}};
      const int n = comps(rng);
      for (int c = 0; c < n; ++c) {
        // Awkward values: tiny, huge, many digits.
        double e = joules(rng) * std::pow(10.0, static_cast<double>(c) - 2.0) / 3.0;
        if (c == 3) e = 0;
        iv.readings.push_back(ComponentReading{*t.component_id(names[(c + i) % 5]), J(e), static_cast<Method>(method(rng))});
      }
      // Keep one reading per component.
      std::sort(iv.readings.begin(), iv.readings.end(), [](auto& a, auto& b) { return a.component < b.component; });
      iv.readings.erase(std::unique(iv.readings.begin(), iv.readings.end(),
                                    [](auto& a, auto& b) { return a.component == b.component; }),
                        iv.readings.end());
      cur = iv.end() + milliseconds(gap(rng) * 1000);
      ASSERT_TRUE(t.append(std::move(iv)));
    }
    const std::string text = to_jsonl(t);
    auto back = parse_timeline_jsonl(text, "roundtrip.jsonl");
    ASSERT_TRUE(back) << back.error().message;
    const EnergyTimeline& u = back->timeline;
    ASSERT_EQ(u.size(), t.size());
    for (size_t i = 0; i < t.size(); ++i) {
      const EnergyInterval& a = t.intervals()[i];
      const EnergyInterval& b = u.intervals()[i];
      EXPECT_EQ(a.start, b.start);
      EXPECT_EQ(a.duration, b.duration);
      ASSERT_EQ(a.readings.size(), b.readings.size());
      for (size_t k = 0; k < a.readings.size(); ++k) {
        EXPECT_EQ(t.component_name(a.readings[k].component), u.component_name(b.readings[k].component));
        EXPECT_EQ(a.readings[k].energy.joules(), b.readings[k].energy.joules());  // bit-exact
        EXPECT_EQ(a.readings[k].method, b.readings[k].method);
      }
    }
    // And writing again gives the same bytes.
    EXPECT_EQ(to_jsonl(u), text);
  }
}

TEST(EnergyTimelineJsonl, WriterShapeIsStable) {
  EnergyTimeline t;
  ASSERT_TRUE(t.append(at("2023-06-01T12:00:00Z"), milliseconds(1500),
                       {{"gpu", J(250.5)}, {"cpu", J(12), Method::kEstimated}}));
  EXPECT_EQ(to_jsonl(t),
            "{\"start\":\"2023-06-01T12:00:00Z\",\"duration_s\":1.5,\"joules\":{\"gpu\":250.5,\"cpu\":12},"
            "\"method\":{\"gpu\":\"measured\",\"cpu\":\"estimated\"}}\n");
}

TEST(EnergyTimelineReaders, DetectsTheFormat) {
  auto j = parse_timeline("  {\"start\":\"2023-01-01T00:00Z\",\"duration_s\":1,\"joules\":{\"a\":1},\"method\":{\"a\":\"measured\"}}",
                          "no-extension");
  ASSERT_TRUE(j) << j.error().message;
  auto c = parse_timeline("start,duration_s,a_kwh\n2023-01-01T00:00Z,3600,1\n", "no-extension");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->timeline.total().kilowatt_hours(), 1.0);
  EXPECT_FALSE(parse_timeline(" \n ", "blank"));
}

}  // namespace
}  // namespace greenrun::accounting
