#include "greenrun/accounting/embodied.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "greenrun/base/text_reader.h"
#include "testing/paths.h"

namespace greenrun::accounting {
namespace {

TEST(Embodied, LooksUpInstancesAcrossProviders) {
  auto p3 = find_instance("aws:p3.2xlarge");
  ASSERT_TRUE(p3) << p3.error().message;
  EXPECT_EQ((*p3)->host_total_kg, 3543.79);  // coefficients-aws-embodied.csv
  EXPECT_EQ((*p3)->instance_vcpus, 8);
  EXPECT_EQ((*p3)->host_vcpus, 72);          // aws-instances.csv
  EXPECT_DOUBLE_EQ((*p3)->resource_share(), 8.0 / 72.0);

  auto az = find_instance("azure:Standard_D2s_v3");  // the API spelling of "D2s v3"
  ASSERT_TRUE(az) << az.error().message;
  EXPECT_EQ((*az)->type, "D2s v3");
  EXPECT_GT((*az)->variants, 1);

  auto gcp = find_instance("GCP:N1-Standard-8");
  ASSERT_TRUE(gcp) << gcp.error().message;
  EXPECT_EQ((*gcp)->type, "n1-standard-8");
}

TEST(Embodied, UnknownInstancesSuggestCloseMatches) {
  auto typo = find_instance("aws:p3.2xlarg");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("aws:p3.2xlarge"), std::string::npos) << typo.error().message;
  EXPECT_FALSE(find_instance("ibm:bx2-2x8"));
  EXPECT_FALSE(find_instance("p3.2xlarge"));
}

TEST(Embodied, ShareAndLifetimeFollowSci) {
  const InstanceEmbodied& p3 = **find_instance("aws:p3.2xlarge");
  const EmbodiedInput in = embodied_input(p3);
  EXPECT_EQ(in.lifetime, kDefaultHardwareLifetime);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(in.lifetime).count(), 4 * 8766);
  // One hour of a p3.2xlarge: 3543.79 kg x 8/72 x 1 h / 4 y.
  auto m = embodied_share(in, std::chrono::hours(1));
  ASSERT_TRUE(m);
  EXPECT_NEAR(m->grams(), 3543.79e3 * (8.0 / 72.0) / (4 * 8766.0), 1e-9);
  EXPECT_NE(in.source.find("8 of 72 host vCPUs"), std::string::npos) << in.source;
  // Shares never exceed the whole host, even where CCF's tables disagree.
  for (const InstanceEmbodied& i : embodied_instances()) {
    EXPECT_GT(i.resource_share(), 0) << i.type;
    EXPECT_LE(i.resource_share(), 1) << i.type;
    EXPECT_GT(i.host_total_kg, 0) << i.type;
  }
}

// The committed table is what the script makes of the shared data.
TEST(EmbodiedData, CommittedFileMatchesAFreshGeneration) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto data = testing::shared_data() / "cloud-carbon-coefficients";
  if (!std::filesystem::exists(data)) GTEST_SKIP() << "no " << data;
  if (std::system("python3 -c pass >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not available";
  const auto dir = testing::make_temp_dir("gen_embodied");
  const auto out = dir / "embodied_data.cc";
  const auto script = testing::source_dir() / "scripts" / "gen_embodied.py";
  const std::string cmd = "python3 '" + script.string() + "' --data '" + data.string() + "' --out '" +
                          out.string() + "' >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto fresh = read_file(out.string());
  auto committed = read_file((testing::source_dir() / "src" / "accounting" / "embodied_data.cc").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(committed);
  EXPECT_TRUE(*fresh == *committed) << "src/accounting/embodied_data.cc is stale: rerun scripts/gen_embodied.py";
}

}  // namespace
}  // namespace greenrun::accounting
