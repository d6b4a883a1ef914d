#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "fixtures.h"
#include "greenrun/base/text_reader.h"
#include "intensity/importers/importer.h"
#include "intensity/importers/json_walk.h"
#include "intensity/importers/raw_points.h"
#include "testing/seed.h"

namespace greenrun::intensity {
namespace {

using testing::fixture;

Format detect(const std::string& file) {
  auto text = read_file(fixture(file).string());
  EXPECT_TRUE(text.has_value());
  auto f = detect_format(*text, file);
  EXPECT_TRUE(f.has_value()) << file << ": " << (f ? "" : f.error().message);
  return f.value_or(Format::kAuto);
}

TEST(DetectFormat, EveryFormatByContent) {
  EXPECT_EQ(detect("electricitymaps_v2.csv"), Format::kElectricityMapsCsv);
  EXPECT_EQ(detect("watttime_historical.json"), Format::kWattTimeJson);
  EXPECT_EQ(detect("watttime_forecast.json"), Format::kWattTimeJson);
  EXPECT_EQ(detect("watttime_forecast_historical.json"), Format::kWattTimeJson);
  EXPECT_EQ(detect("watttime_historical.csv"), Format::kWattTimeCsv);
  EXPECT_EQ(detect("uk_national.json"), Format::kUkJson);
  EXPECT_EQ(detect("uk_regional.json"), Format::kUkJson);
  EXPECT_EQ(detect("uk_postcode.json"), Format::kUkJson);
  EXPECT_EQ(detect("uk_all_regions.json"), Format::kUkJson);
  EXPECT_EQ(detect("carbon_aware_emissions.json"), Format::kCarbonAwareJson);
  EXPECT_EQ(detect("carbon_aware_forecast.json"), Format::kCarbonAwareJson);
  EXPECT_EQ(detect("generic.csv"), Format::kGenericCsv);
  EXPECT_EQ(detect("generic_noheader_kgkwh.csv"), Format::kGenericCsv);
  // The name does not matter.
  auto text = read_file(fixture("uk_national.json").string());
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(detect_format(*text, "DE_2022_hourly.csv").value_or(Format::kAuto), Format::kUkJson);
  // A BOM and the data file shape.
  EXPECT_EQ(detect_format("\xEF\xBB\xBF{\"Emissions\":[]}", "b.json").value_or(Format::kAuto), Format::kCarbonAwareJson);
}

TEST(DetectFormat, UnknownAndEmptyInputsAreErrors) {
  auto e = detect_format("", "e.csv");
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("e.csv: expected carbon-intensity data, got an empty file"), std::string::npos);
  auto j = detect_format(R"({"hello":1})", "h.json");
  ASSERT_FALSE(j.has_value());
  EXPECT_NE(j.error().message.find("name it with --format"), std::string::npos);
  auto c = detect_format("a,b,c\n1,2,3\n", "c.csv");
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message.find("c.csv:1: cannot tell the format"), std::string::npos);
}

TEST(ImportText, DispatchesOnTheNamedFormatAndParsesFormatNames) {
  for (Format f : {Format::kAuto, Format::kElectricityMapsCsv, Format::kWattTimeJson, Format::kWattTimeCsv,
                   Format::kUkJson, Format::kCarbonAwareJson, Format::kGenericCsv}) {
    auto p = parse_format(to_string(f));
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(*p, f);
  }
  EXPECT_FALSE(parse_format("xml").has_value());
  // A file forced into the wrong format fails with that format's message.
  ImportOptions o;
  o.format = Format::kWattTimeJson;
  auto r = testing::import_fixture("uk_national.json", o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("uk_national.json: $.data[0]: expected a \"point_time\""), std::string::npos)
      << r.error().message;
}

TEST(TimeSpan, DotNetShapes) {
  using std::chrono::hours, std::chrono::minutes, std::chrono::seconds, std::chrono::milliseconds;
  EXPECT_EQ(*parse_timespan("00:05:00"), minutes(5));
  EXPECT_EQ(*parse_timespan("01:00"), hours(1));
  EXPECT_EQ(*parse_timespan("08:00:00"), hours(8));
  EXPECT_EQ(*parse_timespan("1.00:00:00"), hours(24));
  EXPECT_EQ(*parse_timespan("2"), hours(48));
  EXPECT_EQ(*parse_timespan("00:00:01.5"), milliseconds(1500));
  for (const char* bad : {"", "-00:05:00", "24:00", "00:60", "1:2:3:4", "abc", "00:00:61", "1."})
    EXPECT_FALSE(parse_timespan(bad).has_value()) << bad;
}

struct Collect final : JsonHandler {
  std::vector<std::string> seen;
  Status on_scalar(const JsonPath& p, const JsonScalar& v) override {
    seen.push_back(p.to_string() + "=" + v.describe());
    return {};
  }
};

TEST(JsonWalk, ReportsPathsOfEveryScalar) {
  Collect c;
  ASSERT_TRUE(walk_json(R"({"a":[1,{"b c":null,"d":"x"}],"e":true,"f":2.5})", "t.json", c).has_value());
  const std::vector<std::string> want = {"$.a[0]=the number 1", "$.a[1][\"b c\"]=null", "$.a[1].d=a string \"x\"",
                                         "$.e=true", "$.f=the number 2.5"};
  EXPECT_EQ(c.seen, want);
}

TEST(JsonWalk, SyntaxErrorsNameLineColumnAndPath) {
  Collect c;
  auto st = walk_json("{\"a\":[1,\n2,", "t.json", c);
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message.find("t.json:2:"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("invalid JSON at $.a[2]"), std::string::npos) << st.error().message;
  auto ctl = walk_json(std::string("{\"a\":\"\x01\n\"}"), "c.json", c);
  ASSERT_FALSE(ctl.has_value());
  EXPECT_EQ(ctl.error().message.find('\n'), std::string::npos);
  EXPECT_FALSE(walk_json("{} {}", "two.json", c).has_value());
}

struct Ignore final : JsonHandler {
  Status on_scalar(const JsonPath&, const JsonScalar&) override { return {}; }
};

// The scanner accepts exactly what nlohmann::json accepts (ASCII inputs).
TEST(JsonWalk, AgreesWithNlohmannOnValidity) {
  const std::vector<std::string> cases = {
      "{}", "[]", "1", "-0", "-0.5e+3", "01", "1.", ".5", "1e", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]",
      "\"\\u00e9\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\x\"", "nul", "true false", "[[[]]]", "{\"a\":{\"b\":[null,true]}}",
      "\"abc", "[\"a\\\"\"]", " \n\t[ 1 ] \n", "{\"a\":1}}", "1e400", "[-]", "[1.5e-3,2E2]", "{1:2}", "\"\t\""};
  Ignore h;
  for (const auto& c : cases) {
    EXPECT_EQ(walk_json(c, "t", h).has_value(), nlohmann::json::accept(c)) << c;
  }
  // Seeded random mutations of a WattTime document.
  const std::string base = R"({"data":[{"point_time":"2024-01-01T00:00:00+00:00","value":1.5e2},{"a":[true,null,-0.25]}],"meta":{"u":"\u00e9"}})";
  const auto seed = static_cast<unsigned>(greenrun::testing::property_seed(20240601));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const std::string alphabet = "{}[],:\"\\ 0123456789.eE+-tfnulrasx";
  for (int i = 0; i < 20000; ++i) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0: m.erase(pos, 1); break;
        case 1: m.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
        default: m[pos] = alphabet[rng() % alphabet.size()]; break;
      }
    }
    ASSERT_EQ(walk_json(m, "t", h).has_value(), nlohmann::json::accept(m)) << m;
  }
}

TEST(ImportFile, DirectoriesDevicesAndOversizedInputsAreRefusedNamingThePath) {
  const auto dir = ::greenrun::testing::make_temp_dir("greenrun-import-file");
  auto d = import_file(dir.string(), {});
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find(dir.string() + ": is a directory"), std::string::npos) << d.error().message;

  auto zero = import_file("/dev/zero", {});  // never read: it would never end
  ASSERT_FALSE(zero.has_value());
  EXPECT_NE(zero.error().message.find("/dev/zero: not a regular file"), std::string::npos) << zero.error().message;

  const auto big = dir / "big.csv";
  {
    std::ofstream f(big);
    f << "time,value\n";
    for (int i = 0; i < 100; ++i) f << "2024-03-01T00:00:00Z,1\n";
  }
  ImportOptions o;
  o.zone = "DE";
  o.max_file_bytes = 512;
  auto r = import_file(big.string(), o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find(big.string() + ": larger than the 512 bytes an import reads"), std::string::npos)
      << r.error().message;
  o.max_file_bytes = kMaxImportFileBytes;
  EXPECT_EQ(kMaxImportFileBytes, size_t{256} << 20);

  std::filesystem::remove_all(dir);
}

TEST(PlausibilityBound, RefusesNegativeNanInfinityAndAboveTheMaximum) {
  EXPECT_TRUE(check_plausible(0.0));
  EXPECT_TRUE(check_plausible(kMaxPlausibleGPerKwh));
  for (double v : {-0.001, kMaxPlausibleGPerKwh + 0.001, 1e308, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    auto st = check_plausible(v);
    ASSERT_FALSE(st) << v;
    EXPECT_NE(st.error().message.find("expected an intensity between 0 and 5000 g/kWh"), std::string::npos);
  }
}

}  // namespace
}  // namespace greenrun::intensity
