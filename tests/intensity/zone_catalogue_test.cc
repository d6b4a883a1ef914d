#include "greenrun/intensity/zone_catalogue.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"
#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

using greenrun::testing::shared_data;

const ZoneCatalogue& cat() { return ZoneCatalogue::embedded(); }

UtcTime at(const char* text) { return parse_utc(text).value(); }

std::string read(const std::filesystem::path& p) {
  Result<std::string> text = read_file(p.string());
  EXPECT_TRUE(text.has_value()) << (text ? "" : text.error().message);
  return text ? *text : std::string();
}

// aws-regions.json is Latin-1; nlohmann::json wants UTF-8.
std::string latin1_to_utf8(std::string_view in) {
  std::string out;
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// Rows of a CSV file as header-name -> value maps.
std::vector<std::map<std::string, std::string>> read_csv_rows(const std::filesystem::path& p) {
  const std::string text = read(p);
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::string scratch;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    split_csv(line, fields, scratch);
    if (header.empty()) {
      for (auto f : fields) header.emplace_back(trim(f));
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < fields.size() && i < header.size(); ++i)
      row[header[i]] = std::string(trim(fields[i]));
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(ZoneCatalogue, EveryCloudRegionMapsToACatalogueZone) {
  ASSERT_FALSE(cat().regions().empty());
  for (const CloudRegion& r : cat().regions()) {
    SCOPED_TRACE(std::string(r.provider) + ":" + std::string(r.region));
    const ZoneInfo* z = cat().find_zone(r.zone);
    ASSERT_NE(z, nullptr);
    EXPECT_EQ(z->id, r.zone);  // canonical spelling
    if (!r.watttime_region.empty()) {
      EXPECT_NE(cat().find_zone(r.watttime_region), nullptr);
    }
    EXPECT_FALSE(r.location.empty());
    EXPECT_LE(std::abs(r.latitude), 90.0);
    EXPECT_LE(std::abs(r.longitude), 180.0);
    EXPECT_FALSE(r.latitude == 0.0 && r.longitude == 0.0);
    if (r.grid_g_per_kwh) {
      EXPECT_GE(*r.grid_g_per_kwh, 0.0);
      EXPECT_LT(*r.grid_g_per_kwh, 1500.0);
      EXPECT_FALSE(r.grid_source.empty());
    }
    Result<Location> loc =
        cat().resolve(std::nullopt, std::string(r.provider) + ":" + std::string(r.region));
    ASSERT_TRUE(loc.has_value()) << loc.error().message;
    EXPECT_EQ(loc->zone, r.zone);
  }
}

TEST(ZoneCatalogue, RegionTablesAgreeWithBriefExamples) {
  const std::pair<const char*, const char*> expected[] = {
      {"aws:us-east-1", "US-MIDA-PJM"}, {"aws:us-west-1", "US-CAL-CISO"},
      {"azure:westus", "US-CAL-CISO"},  {"gcp:europe-west3", "DE"},
      {"aws:eu-west-2", "GB"},          {"aws:ap-northeast-1", "JP-TK"},
      {"aws:ap-southeast-2", "AU-NSW"}, {"aws:ap-southeast-1", "SG"},
      {"aws:ca-central-1", "CA-QC"},
  };
  for (const auto& [region, zone] : expected) {
    Result<Location> loc = cat().resolve(std::nullopt, std::string(region));
    ASSERT_TRUE(loc.has_value()) << region << ": " << loc.error().message;
    EXPECT_EQ(loc->zone, zone) << region;
  }
}

TEST(ZoneCatalogue, EveryZoneHasAFigureYearAndSource) {
  std::set<std::string> ids;
  for (const ZoneInfo& z : cat().zones()) {
    SCOPED_TRACE(std::string(z.id));
    EXPECT_TRUE(ids.insert(to_lower(z.id)).second) << "duplicate id";
    EXPECT_GE(z.annual_mean_g_per_kwh, 0.0);
    EXPECT_LT(z.annual_mean_g_per_kwh, 1500.0);
    EXPECT_GE(z.year, 2009);
    EXPECT_FALSE(z.source.empty());
    EXPECT_FALSE(z.name.empty());
    if (z.kind == "watttime") {
      const ZoneInfo* f = cat().find_zone(z.fallback_zone);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->annual_mean_g_per_kwh, z.annual_mean_g_per_kwh);
    }
  }
  const ZoneInfo* world = cat().find_zone("world");
  ASSERT_NE(world, nullptr);
  EXPECT_NEAR(world->annual_mean_g_per_kwh, 470.0, 30.0);
}

TEST(ZoneCatalogue, FindIsCaseInsensitive) {
  ASSERT_NE(cat().find_zone("us-cal-ciso"), nullptr);
  EXPECT_EQ(cat().find_zone("us-cal-ciso")->id, "US-CAL-CISO");
  EXPECT_EQ(cat().find_zone("fra")->id, "FRA");
  EXPECT_EQ(cat().find_zone("nope"), nullptr);
  ASSERT_NE(cat().find_region("AWS", "US-EAST-1"), nullptr);
  ASSERT_NE(cat().find_region("azure", "West US"), nullptr);  // display name
  EXPECT_EQ(cat().find_region("azure", "West US")->region, "westus");
  EXPECT_EQ(cat().find_region("gcp", "us-east-1"), nullptr);
  EXPECT_NE(cat().find_profile("de", Signal::kAverageDirect), nullptr);
  EXPECT_EQ(cat().find_profile("DE", Signal::kMarginal), nullptr);
}

// The Electricity Maps zones carry the latest yearly value of co2.js's tables.
TEST(ZoneCatalogue, ElectricityMapsAnnualMeansMatchTheYearlyTables) {
  GREENRUN_REQUIRE_SHARED_DATA();
  std::map<std::string, std::pair<int, double>> latest;
  for (int year = 2021; year <= 2030; ++year) {
    const auto path = shared_data() / "co2js" / "electricity-maps-yearly" /
                      ("yearly_" + std::to_string(year) + ".json");
    if (!std::filesystem::exists(path)) continue;
    const auto doc = nlohmann::json::parse(read(path));
    for (const auto& [zone, entry] : doc.items()) {
      const auto& v = entry["carbonIntensity"]["value"];
      if (!v.is_null()) latest[zone] = {year, v.get<double>()};
    }
  }
  ASSERT_GT(latest.size(), 300u);
  for (const auto& [zone, yv] : latest) {
    const ZoneInfo* z = cat().find_zone(zone);
    ASSERT_NE(z, nullptr) << zone;
    EXPECT_EQ(z->kind, "electricitymaps") << zone;
    EXPECT_EQ(z->year, yv.first) << zone;
    EXPECT_NEAR(z->annual_mean_g_per_kwh, yv.second, 0.05 + 1e-9) << zone;
    EXPECT_EQ(z->signal, Signal::kAverageLifecycle);
  }
}

TEST(ZoneCatalogue, CountryMeansMatchEmberAndCodeCarbon) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto ember =
      nlohmann::json::parse(read(shared_data() / "co2js" / "average-intensities-ember.json"));
  size_t checked = 0;
  for (const auto& [key, e] : ember.items()) {
    const std::string code = e["country_code"].get<std::string>();
    if (code.empty()) continue;
    const ZoneInfo* z = cat().find_zone(code);
    ASSERT_NE(z, nullptr) << code;
    EXPECT_EQ(z->kind, "country");
    EXPECT_EQ(z->year, e["year"].get<int>()) << code;
    EXPECT_NEAR(z->annual_mean_g_per_kwh, e["emissions_intensity_gco2_per_kwh"].get<double>(),
                0.05 + 1e-9)
        << code;
    ++checked;
  }
  EXPECT_GT(checked, 200u);
  // Countries Ember lacks come from CodeCarbon's table.
  const auto mix = nlohmann::json::parse(
      read(shared_data() / "codecarbon" / "private_infra" / "global_energy_mix.json"));
  for (const auto& [code, m] : mix.items()) {
    const ZoneInfo* z = cat().find_zone(code);
    ASSERT_NE(z, nullptr) << code;
    if (!ember.contains(code)) {
      EXPECT_NEAR(z->annual_mean_g_per_kwh, m["carbon_intensity"].get<double>(), 0.05 + 1e-9);
    }
  }
  const ZoneInfo* world = cat().find_zone("WORLD");
  ASSERT_NE(world, nullptr);
  EXPECT_NEAR(world->annual_mean_g_per_kwh,
              ember["World"]["emissions_intensity_gco2_per_kwh"].get<double>(), 0.05 + 1e-9);
}

TEST(ZoneCatalogue, NordicBiddingZonesArePresent) {
  for (const char* id : {"SE-SE1", "SE-SE2", "SE-SE3", "SE-SE4", "NO-NO1", "NO-NO2", "NO-NO3",
                         "NO-NO4", "NO-NO5", "FI", "SE1", "SE4", "NO5"})
    EXPECT_NE(cat().find_zone(id), nullptr) << id;
}

// Every region that a reference table lists is in the catalogue.
TEST(ZoneCatalogue, CoversEveryRegionOfTheReferenceTables) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto data = shared_data();
  std::set<std::string> listed;
  auto squash = [](std::string s) {
    std::string out;
    for (char c : s)
      if (c != ' ') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
  };
  for (const char* p : {"aws", "azure", "gcp"}) {
    for (auto& row : read_csv_rows(data / "cloud-carbon-coefficients" / "data" /
                                   (std::string("grid-emissions-factors-") + p + ".csv")))
      listed.insert(std::string(p) + ":" + squash(row["Region"]));
  }
  const auto azure = nlohmann::json::parse(read(data / "carbon-aware-sdk" / "azure-regions.json"));
  for (const auto& [id, v] : azure.items()) {
    if (v["Latitude"] == "0" && v["Longitude"] == "0") continue;  // no location (brazilus)
    listed.insert("azure:" + id);
  }
  for (const auto& v : nlohmann::json::parse(
           latin1_to_utf8(read(data / "carbon-aware-sdk" / "aws-regions.json"))))
    listed.insert("aws:" + v["code"].get<std::string>());
  for (const auto& entry : std::filesystem::directory_iterator(data / "gcp-region-carbon-info"))
    for (auto& row : read_csv_rows(entry.path()))
      if (!row["Google Cloud Region"].empty()) listed.insert("gcp:" + row["Google Cloud Region"]);
  for (const auto& path : {data / "mlco2-impact" / "impact.csv", data / "codecarbon" / "cloud" / "impact.csv"})
    for (auto& row : read_csv_rows(path)) {
      const std::string p = row["provider"];
      if (p != "aws" && p != "azure" && p != "gcp") continue;
      std::string region = row["region"];
      if (region == "me-cenrtal1") region = "me-central1";  // upstream typo
      listed.insert(p + ":" + region);
    }
  ASSERT_GT(listed.size(), 100u);
  std::map<std::string, int> per_provider;
  for (const std::string& key : listed) {
    const size_t colon = key.find(':');
    EXPECT_NE(cat().find_region(key.substr(0, colon), key.substr(colon + 1)), nullptr) << key;
  }
  for (const CloudRegion& r : cat().regions()) ++per_provider[std::string(r.provider)];
  EXPECT_EQ(per_provider["aws"], 25);
  EXPECT_GE(per_provider["azure"], 57);
  EXPECT_GE(per_provider["gcp"], 44);
}

TEST(ZoneCatalogue, ProviderFiguresComeFromTheTables) {
  GREENRUN_REQUIRE_SHARED_DATA();
  // AWS: Cloud Carbon Footprint's t/kWh; GCP: Google's latest yearly file.
  const CloudRegion* use1 = cat().find_region("aws", "us-east-1");
  ASSERT_NE(use1, nullptr);
  ASSERT_TRUE(use1->grid_g_per_kwh.has_value());
  EXPECT_NEAR(*use1->grid_g_per_kwh, 415.755, 0.05 + 1e-9);
  for (auto& row : read_csv_rows(shared_data() / "gcp-region-carbon-info" / "2024.csv")) {
    const CloudRegion* r = cat().find_region("gcp", row["Google Cloud Region"]);
    ASSERT_NE(r, nullptr) << row["Google Cloud Region"];
    ASSERT_TRUE(r->grid_g_per_kwh.has_value());
    EXPECT_NEAR(*r->grid_g_per_kwh, std::stod(row["Grid carbon intensity (gCO2eq / kWh)"]),
                0.05 + 1e-9)
        << r->region;
  }
}

// Recomputes one zone's profile from the real hourly CSVs.
TEST(ZoneCatalogue, TypicalProfilesMatchTheHourlyFiles) {
  GREENRUN_REQUIRE_SHARED_DATA();
  struct Case {
    const char* zone;
    const char* years;
    std::vector<std::filesystem::path> files;
  };
  const auto hourly = shared_data() / "electricitymaps-hourly";
  const Case cases[] = {
      {"DE", "2022-2023", {hourly / "green-dcc" / "DE-LU_2022_hourly.csv", hourly / "green-dcc" / "DE-LU_2023_hourly.csv"}},
      {"NO", "2021-2022", {hourly / "decarbonization-potential" / "NO_2021_hourly.csv",
              hourly / "decarbonization-potential" / "NO_2022_hourly.csv"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.zone);
    double sum[2][12][24] = {};
    int count[12][24] = {};
    for (const auto& path : c.files) {
      const std::string text = read(path);
      LineReader lines(text);
      std::string_view line;
      std::vector<std::string_view> f;
      std::string scratch;
      lines.next(line);  // header
      while (lines.next(line)) {
        split_csv(line, f, scratch);
        ASSERT_GE(f.size(), 6u);
        ASSERT_EQ(f[3], c.zone) << path << ":" << lines.line_number();  // Zone Id, not the file name
        const CivilTime t = to_civil(parse_utc(f[0]).value());
        sum[0][t.month - 1][t.hour] += std::stod(std::string(f[4]));  // direct
        sum[1][t.month - 1][t.hour] += std::stod(std::string(f[5]));  // LCA
        ++count[t.month - 1][t.hour];
      }
    }
    const TypicalProfile* direct = cat().find_profile(c.zone, Signal::kAverageDirect);
    const TypicalProfile* lca = cat().find_profile(c.zone, Signal::kAverageLifecycle);
    ASSERT_NE(direct, nullptr);
    ASSERT_NE(lca, nullptr);
    for (int m = 0; m < 12; ++m)
      for (int h = 0; h < 24; ++h) {
        ASSERT_GT(count[m][h], 0);
        EXPECT_NEAR(direct->g_per_kwh[m][h], sum[0][m][h] / count[m][h], 0.05 + 1e-9) << m << " " << h;
        EXPECT_NEAR(lca->g_per_kwh[m][h], sum[1][m][h] / count[m][h], 0.05 + 1e-9) << m << " " << h;
      }
    EXPECT_NE(std::string(lca->source).find(c.years), std::string::npos) << lca->source;
  }
}

TEST(ZoneCatalogue, ProfilesExistForEveryHourlyZone) {
  for (const char* zone : {"AU-NSW", "CA-ON", "DE", "ES", "GB", "IN-WE", "JP-TK", "NO", "SG",
                           "US-CAL-CISO", "US-MIDA-PJM", "US-NY-NYIS", "US-TEX-ERCO"}) {
    EXPECT_NE(cat().find_profile(zone, Signal::kAverageLifecycle), nullptr) << zone;
    EXPECT_NE(cat().find_profile(zone, Signal::kAverageDirect), nullptr) << zone;
  }
  EXPECT_EQ(cat().find_profile("DE-LU", Signal::kAverageLifecycle), nullptr);  // a file name, not a zone
}

TEST(ZoneCatalogueResolve, ZoneAndRegionForms) {
  Result<Location> de = cat().resolve(std::string("de"), std::nullopt);
  ASSERT_TRUE(de.has_value());
  EXPECT_EQ(de->zone, "DE");
  EXPECT_FALSE(de->cloud_region.has_value());

  Result<Location> westus = cat().resolve(std::nullopt, std::string("azure:westus"));
  ASSERT_TRUE(westus.has_value());
  EXPECT_EQ(westus->zone, "US-CAL-CISO");
  EXPECT_EQ(westus->cloud_region, "azure:westus");
  EXPECT_EQ(westus->description, "azure:westus (West US) -> US-CAL-CISO");

  // --zone azure:westus, display names, upper case and bare ids all work.
  EXPECT_EQ(cat().resolve(std::string("azure:westus"), std::nullopt)->zone, "US-CAL-CISO");
  EXPECT_EQ(cat().resolve(std::nullopt, std::string("Azure:West US"))->zone, "US-CAL-CISO");
  EXPECT_EQ(cat().resolve(std::nullopt, std::string("us-east-1"))->cloud_region, "aws:us-east-1");
  EXPECT_EQ(cat().resolve(std::nullopt, std::string("europe-west3"))->zone, "DE");
}

TEST(ZoneCatalogueResolve, NoLocationFallsBackToTheWorldAverage) {
  Result<Location> loc = cat().resolve(std::nullopt, std::nullopt);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->zone, "WORLD");
  EXPECT_NE(loc->description.find("world average"), std::string::npos);
}

TEST(ZoneCatalogueResolve, ErrorsNameTheProblemAndSuggest) {
  Result<Location> both = cat().resolve(std::string("DE"), std::string("aws:us-east-1"));
  ASSERT_FALSE(both.has_value());
  EXPECT_NE(both.error().message.find("not both"), std::string::npos);

  Result<Location> zone = cat().resolve(std::string("US-CAL-CIS"), std::nullopt);
  ASSERT_FALSE(zone.has_value());
  EXPECT_NE(zone.error().message.find("unknown zone \"US-CAL-CIS\""), std::string::npos);
  EXPECT_NE(zone.error().message.find("US-CAL-CISO"), std::string::npos) << zone.error().message;

  Result<Location> by_name = cat().resolve(std::string("Germany"), std::nullopt);
  ASSERT_FALSE(by_name.has_value());
  EXPECT_NE(by_name.error().message.find("DE"), std::string::npos) << by_name.error().message;

  Result<Location> provider = cat().resolve(std::nullopt, std::string("awz:us-east-1"));
  ASSERT_FALSE(provider.has_value());
  EXPECT_NE(provider.error().message.find("unknown cloud provider \"awz\""), std::string::npos);
  EXPECT_NE(provider.error().message.find("aws"), std::string::npos);

  Result<Location> region = cat().resolve(std::nullopt, std::string("aws:us-esat-1"));
  ASSERT_FALSE(region.has_value());
  EXPECT_NE(region.error().message.find("unknown aws region \"us-esat-1\""), std::string::npos);
  EXPECT_NE(region.error().message.find("aws:us-east-1"), std::string::npos)
      << region.error().message;

  Result<Location> bare = cat().resolve(std::nullopt, std::string("mars-1"));
  ASSERT_FALSE(bare.has_value());
  EXPECT_NE(bare.error().message.find("unknown cloud region \"mars-1\""), std::string::npos);
}

TEST(ZoneCatalogueTypicalSeries, HourlyPointsAlignedToUtcHours) {
  const UtcTime from = at("2024-07-01T10:30:00Z");
  const UtcTime to = at("2024-07-01T13:15:00Z");
  Result<IntensitySeries> s = cat().typical_series("de", Signal::kAverageLifecycle, from, to);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->zone(), "DE");
  EXPECT_EQ(s->origin(), Origin::kTypical);
  EXPECT_EQ(s->signal(), Signal::kAverageLifecycle);
  EXPECT_EQ(s->provenance().note, "typical profile, not a forecast");
  EXPECT_NE(s->provenance().origin.find("DE-LU_2022_hourly.csv"), std::string::npos);
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ(s->start(), at("2024-07-01T10:00:00Z"));
  EXPECT_EQ(s->end(), at("2024-07-01T14:00:00Z"));
  const TypicalProfile* p = cat().find_profile("DE", Signal::kAverageLifecycle);
  for (size_t i = 0; i < s->size(); ++i) {
    EXPECT_EQ(s->point(i).duration, std::chrono::hours(1));
    EXPECT_DOUBLE_EQ(s->point(i).value.grams_per_kwh(), p->g_per_kwh[6][10 + i]);
  }
  EXPECT_TRUE(s->covers(from, to));
  EXPECT_TRUE(s->gaps().empty());
}

TEST(ZoneCatalogueTypicalSeries, UsesEachPointsMonth) {
  Result<IntensitySeries> s = cat().typical_series("GB", Signal::kAverageDirect,
                                                   at("2023-01-31T23:00:00Z"), at("2023-02-01T01:00:00Z"));
  ASSERT_TRUE(s.has_value());
  const TypicalProfile* p = cat().find_profile("GB", Signal::kAverageDirect);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_DOUBLE_EQ(s->point(0).value.grams_per_kwh(), p->g_per_kwh[0][23]);
  EXPECT_DOUBLE_EQ(s->point(1).value.grams_per_kwh(), p->g_per_kwh[1][0]);
}

TEST(ZoneCatalogueTypicalSeries, Errors) {
  const UtcTime t = at("2024-01-01T00:00:00Z");
  EXPECT_FALSE(cat().typical_series("DE", Signal::kAverageLifecycle, t, t).has_value());
  Result<IntensitySeries> none = cat().typical_series("FRA", Signal::kAverageLifecycle, t,
                                                      t + std::chrono::hours(2));
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message.find("no typical profile for zone \"FRA\""), std::string::npos);
  EXPECT_FALSE(
      cat().typical_series("DE", Signal::kMarginal, t, t + std::chrono::hours(2)).has_value());
}

}  // namespace
}  // namespace greenrun::intensity
