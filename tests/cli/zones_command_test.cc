#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "greenrun/intensity/zone_catalogue.h"

namespace greenrun::cli {
namespace {

struct CliResult {
  int rc;
  std::string out;
  std::string err;
};

CliResult run(std::vector<std::string> args) {
  args.insert(args.begin(), "greenrun");
  std::ostringstream out, err;
  const int rc = run_cli(args, out, err);
  return {rc, out.str(), err.str()};
}

TEST(ZonesCommand, SearchFindsZonesByNameAndId) {
  CliResult r = run({"zones", "--search", "germany"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("\nDE "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nDEU "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("typical"), std::string::npos);  // DE has a profile
  EXPECT_EQ(r.out.find("\nFR "), std::string::npos);
}

TEST(ZonesCommand, JsonListsEveryZoneWithItsProfileFlag) {
  CliResult r = run({"zones", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_TRUE(doc.is_array());
  EXPECT_EQ(doc.size(), intensity::ZoneCatalogue::embedded().zones().size());
  size_t with_profile = 0;
  bool saw_caiso = false;
  for (const auto& z : doc) {
    for (const char* key : {"id", "name", "kind", "annual_mean_g_per_kwh", "signal", "year",
                            "source", "typical_profile"})
      ASSERT_TRUE(z.contains(key)) << key << " in " << z.dump();
    with_profile += z["typical_profile"].get<bool>() ? 1 : 0;
    if (z["id"] == "US-CAL-CISO") {
      saw_caiso = true;
      EXPECT_TRUE(z["typical_profile"].get<bool>());
      EXPECT_EQ(z["signal"], "average-lifecycle");
    }
  }
  EXPECT_TRUE(saw_caiso);
  EXPECT_EQ(with_profile, 13u);
}

TEST(ZonesCommand, NoMatchIsAnError) {
  CliResult r = run({"zones", "--search", "atlantis"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("greenrun: ", 0), 0u) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(RegionsCommand, ProviderFilterAndJsonFields) {
  CliResult r = run({"regions", "--provider", "azure", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_GT(doc.size(), 50u);
  bool saw_westus = false;
  for (const auto& reg : doc) {
    EXPECT_EQ(reg["provider"], "azure");
    for (const char* key : {"region", "location", "latitude", "longitude", "zone",
                            "zone_annual_mean_g_per_kwh", "provider_g_per_kwh"})
      ASSERT_TRUE(reg.contains(key)) << key;
    if (reg["region"] == "westus") {
      saw_westus = true;
      EXPECT_EQ(reg["zone"], "US-CAL-CISO");
      EXPECT_NEAR(reg["latitude"].get<double>(), 37.783, 1e-3);
      EXPECT_NEAR(reg["provider_g_per_kwh"].get<double>(), 350.9, 0.05);  // CCF 0.000350861 t/kWh
      EXPECT_EQ(reg["zone_annual_mean_g_per_kwh"].get<double>(),
                intensity::ZoneCatalogue::embedded().find_zone("US-CAL-CISO")->annual_mean_g_per_kwh);
    }
  }
  EXPECT_TRUE(saw_westus);
}

TEST(RegionsCommand, TableListsAllProviders) {
  CliResult r = run({"regions"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("\naws      us-east-1 "), std::string::npos);
  EXPECT_NE(r.out.find("\nazure    westus "), std::string::npos);
  EXPECT_NE(r.out.find("\ngcp      europe-west3 "), std::string::npos);
  EXPECT_NE(r.out.find("US-MIDA-PJM"), std::string::npos);
}

TEST(RegionsCommand, UnknownProviderIsAUsageError) {
  CliResult r = run({"regions", "--provider", "ibm"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("ibm"), std::string::npos) << r.err;
}

TEST(RegionsCommand, ProviderIsCaseInsensitive) {
  CliResult r = run({"regions", "--provider", "GCP", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const auto& reg : nlohmann::json::parse(r.out)) EXPECT_EQ(reg["provider"], "gcp");
}

}  // namespace
}  // namespace greenrun::cli
