// The engine's listings and the pricing of an energy log, on a store holding
// the real 2022 DE series (../shared/data): the catalogue's zones and
// regions, the stored series and their statistics, and timeline_emissions'
// time-resolved and annual-mean lines.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "greenrun/base/time_format.h"
#include "greenrun/catalogue.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/intensity_import.h"
#include "greenrun/stored_data.h"
#include "greenrun/timeline_emissions.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

TEST(EngineCatalogue, SearchesIdsNamesAndKindsWithoutRegardToCase) {
  auto all = list_zones("");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), intensity::ZoneCatalogue::embedded().zones().size());
  auto germ = list_zones("GERM");
  ASSERT_TRUE(germ);
  bool de = false;
  for (const auto& z : *germ) {
    de |= z.id == "DE";
    const std::string hay = z.id + z.name + z.kind;
    std::string lower;
    for (char c : hay) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(lower.find("germ"), std::string::npos) << z.id;
  }
  EXPECT_TRUE(de);
  auto none = list_zones("zzqqxx");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(none.error().message.find("zzqqxx"), std::string::npos);
}

TEST(EngineCatalogue, RegionsOfOneProviderWithTheirZones) {
  const auto aws = list_regions("aws");
  ASSERT_FALSE(aws.empty());
  size_t all = list_regions(std::nullopt).size();
  EXPECT_LT(aws.size(), all);
  EXPECT_EQ(all, intensity::ZoneCatalogue::embedded().regions().size());
  for (const auto& r : aws) {
    EXPECT_EQ(r.provider, "aws");
    const auto* zone = intensity::ZoneCatalogue::embedded().find_zone(r.zone);
    ASSERT_EQ(r.zone_annual_mean_g_per_kwh.has_value(), zone != nullptr) << r.region;
    if (zone) {
      EXPECT_EQ(*r.zone_annual_mean_g_per_kwh, zone->annual_mean_g_per_kwh);
    }
  }
}

class EngineStoredData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-engine-stored");
    services_.store_path = (dir_ / "greenrun.db").string();
    services_.env = [](std::string_view) { return std::optional<std::string>{}; };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void import_de() {
    const auto file = greenrun::testing::shared_data() / "electricitymaps-hourly/green-dcc/DE-LU_2022_hourly.csv";
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    auto parsed = intensity::import_file(file.string(), {});
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_TRUE(store->import(parsed->series));
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
  Services services_;
};

TEST_F(EngineStoredData, AnAbsentStoreHoldsNothingAndIsNotCreated) {
  auto list = list_stored(services_);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(list->series.empty());
  auto stats = stored_stats(services_);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(stats->stats.empty());
  // Pricing a log without a store reads nothing either: the annual mean.
  auto r = timeline_emissions(
      {write("e.csv", "start,duration_s,gpu_j\n2022-03-01T00:00:00Z,3600,3600000\n"), "DE", std::nullopt,
       intensity::Signal::kAverageLifecycle, std::nullopt, std::nullopt, std::nullopt},
      services_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->breakdown.average.energy_fallback.joules(), 3.6e6);
  EXPECT_FALSE(std::filesystem::exists(services_.store_path));
}

TEST_F(EngineStoredData, ListingAndStatisticsAddUpToTheImport) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_de();
  auto list = list_stored(services_);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->series.size(), 1u);
  const auto& s = list->series.front();
  EXPECT_EQ(s.key.zone, "DE");
  ASSERT_FALSE(s.import_ids.empty());
  for (int64_t id : s.import_ids) EXPECT_TRUE(list->imports.contains(id)) << id;
  auto stats = stored_stats(services_);
  ASSERT_TRUE(stats) << stats.error().message;
  size_t points = 0;
  for (const auto& y : stats->stats) {
    points += y.count;
    EXPECT_LE(y.min, y.mean);
    EXPECT_LE(y.mean, y.max);
    for (int64_t id : y.import_ids) EXPECT_TRUE(stats->imports.contains(id)) << id;
  }
  EXPECT_EQ(points, s.points);
}

TEST_F(EngineStoredData, StoredHoursAtTheirIntensityTheRestAtTheAnnualMean) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_de();
  // 1 kWh in the stored hour 2022-03-01T00, 1 kWh in 2031 (not stored).
  const std::string log = write("e.csv",
                                "start,duration_s,gpu_j\n2022-03-01T00:00:00Z,3600,3600000\n"
                                "2031-01-01T00:00:00Z,3600,3600000\n");
  TimelineEmissionsRequest q;
  q.energy_file = log;
  q.zone = "DE";
  q.pue = 1.5;
  auto r = timeline_emissions(q, services_);
  ASSERT_TRUE(r) << r.error().message;
  auto store = intensity::IntensityStore::open_read_only(services_.store_path);
  ASSERT_TRUE(store);
  const auto hour = *store->load({"DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kActual},
                                 *parse_utc("2022-03-01T00:00:00Z"), *parse_utc("2022-03-01T01:00:00Z"));
  ASSERT_EQ(hour.size(), 1u);
  const double stored_g = hour.point(0).value.grams_per_kwh();
  const double mean_g = intensity::ZoneCatalogue::embedded().find_zone("DE")->annual_mean_g_per_kwh;
  const auto& avg = r->breakdown.average;
  EXPECT_NEAR(avg.operational.grams(), stored_g + mean_g, 1e-6);
  EXPECT_NEAR(avg.operational_fallback.grams(), mean_g, 1e-6);
  EXPECT_EQ(avg.energy_time_resolved.joules(), 3.6e6);
  ASSERT_TRUE(avg.fallback);
  EXPECT_NE(avg.fallback->source.find("DE annual mean"), std::string::npos);
  EXPECT_NEAR(r->breakdown.total.grams(), 1.5 * (stored_g + mean_g), 1e-6);
  EXPECT_EQ(r->breakdown.pue_source, "--pue");
  EXPECT_EQ(r->context.zone, "DE");
  EXPECT_EQ(r->context.energy_source, log);

  TimelineEmissionsRequest bad = q;
  bad.zone.reset();
  EXPECT_EQ(timeline_emissions(bad, services_).error().kind, ErrorKind::kUsage);
  bad = q;
  bad.signal = intensity::Signal::kMarginal;
  EXPECT_EQ(timeline_emissions(bad, services_).error().kind, ErrorKind::kUsage);
  bad = q;
  bad.marginal_zone = "PJM_DC";
  EXPECT_EQ(timeline_emissions(bad, services_).error().kind, ErrorKind::kNotFound);
  bad = q;
  bad.energy_file = (dir_ / "absent.csv").string();
  EXPECT_FALSE(timeline_emissions(bad, services_));
}

TEST_F(EngineStoredData, AWindowListsItsPointsGapsAndMeanOnlyWhenCovered) {
  // 00:00 100, 01:00 300 (estimated), a gap 02:00..04:00, 04:00 200.
  const UtcTime t0 = *parse_utc("2031-01-01T00:00:00Z");
  intensity::IntensitySeries s("XX-TEST", intensity::Signal::kAverageLifecycle, intensity::Origin::kActual);
  s.set_provenance({"test", "data_queries_test", ""});
  ASSERT_TRUE(s.append(t0, std::chrono::hours(1), CarbonIntensity::grams_per_kwh(100)));
  ASSERT_TRUE(s.append(t0 + std::chrono::hours(1), std::chrono::hours(1), CarbonIntensity::grams_per_kwh(300), true));
  ASSERT_TRUE(s.append(t0 + std::chrono::hours(4), std::chrono::hours(1), CarbonIntensity::grams_per_kwh(200)));
  {
    auto store = intensity::IntensityStore::open(services_.store_path);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE(store->import({s}));
  }
  StoredWindowRequest q;
  q.zone = "xx-test";  // stored ids match without regard to case
  auto all = stored_window(q, services_);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->zone, "XX-TEST");
  EXPECT_EQ(all->from, t0);
  EXPECT_EQ(all->to, t0 + std::chrono::hours(5));
  EXPECT_EQ(all->window.series.size(), 3u);
  EXPECT_EQ(all->window.import_ids.size(), 3u);
  EXPECT_EQ(all->estimated, 1u);
  ASSERT_EQ(all->gaps.size(), 1u);
  EXPECT_EQ(all->gaps[0].start, t0 + std::chrono::hours(2));
  EXPECT_EQ(all->missing, std::chrono::hours(2));
  EXPECT_FALSE(all->mean) << "no mean over a window with a gap";

  q.from = t0;
  q.to = t0 + std::chrono::hours(2);
  auto covered = stored_window(q, services_);
  ASSERT_TRUE(covered) << covered.error().message;
  EXPECT_TRUE(covered->gaps.empty());
  ASSERT_TRUE(covered->mean);
  EXPECT_DOUBLE_EQ(covered->mean->grams_per_kwh(), 200.0);

  q.from = t0 - std::chrono::hours(1);  // a gap before the first point
  auto before = stored_window(q, services_);
  ASSERT_TRUE(before);
  ASSERT_EQ(before->gaps.size(), 1u);
  EXPECT_EQ(before->gaps[0].end, t0);

  StoredWindowRequest bad = q;
  bad.zone = "NOWHERE";
  auto unknown = stored_window(bad, services_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(unknown.error().message.find("stored zones: XX-TEST"), std::string::npos) << unknown.error().message;
  bad = q;
  bad.signal = intensity::Signal::kMarginal;
  EXPECT_EQ(stored_window(bad, services_).error().kind, ErrorKind::kNotFound);
  bad = q;
  bad.to = bad.from;
  EXPECT_FALSE(stored_window(bad, services_));
}

TEST_F(EngineStoredData, AnImportIsAllOrNothingAndRefusesAFlagForAnotherFormat) {
  const std::string good = write("g.csv", "time,value\n2031-01-01T00:00:00Z,100\n2031-01-01T01:00:00Z,200\n");
  const std::string bad = write("bad.csv", "time,value\n2031-01-01T00:00:00Z,abc\n");
  IntensityImportRequest q;
  q.files = {good, bad};
  q.options.format = intensity::Format::kGenericCsv;
  q.zone = "XX-IMPORT";
  auto refused = import_intensity(q, services_);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("bad.csv:2"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("(nothing was imported)"), std::string::npos);
  auto listed = list_stored(services_);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->series.empty()) << "the good file was not imported either";

  q.files = {good};
  auto done = import_intensity(q, services_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->series, 1u);
  EXPECT_EQ(done->points, 2u);
  ASSERT_EQ(done->summary.records.size(), 1u);
  EXPECT_EQ(done->summary.records[0].key.zone, "XX-IMPORT");
  EXPECT_EQ(done->series_file, std::vector<std::string>{good});

  // A zone typed in another case names the stored one.
  q.zone = "xx-import";
  auto again = import_intensity(q, services_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->summary.records[0].key.zone, "XX-IMPORT");
  EXPECT_EQ(again->summary.unchanged, 2u);

  // --signal is for Electricity Maps CSV: a generic CSV with it is refused.
  q.options.format = intensity::Format::kAuto;
  q.format_specific = {{"--signal", intensity::Format::kElectricityMapsCsv}};
  auto wrong = import_intensity(q, services_);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("--signal applies to electricitymaps-csv only"), std::string::npos)
      << wrong.error().message;
}

}  // namespace
}  // namespace greenrun::engine
