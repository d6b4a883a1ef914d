// Re-runs scripts/gen_catalogue.py on the shared data and checks that it
// reproduces the committed src/intensity/catalogue_data.cc byte for byte, so
// the embedded tables cannot drift from the data or the script.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "testing/paths.h"

namespace greenrun::testing {
namespace {

bool has_python3() { return std::system("python3 --version > /dev/null 2>&1") == 0; }

std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

TEST(GenCatalogue, CommittedTablesMatchTheScriptOutput) {
  GREENRUN_REQUIRE_SHARED_DATA();
  if (!has_python3()) GTEST_SKIP() << "python3 not found on PATH; cannot re-run the generator";
  const auto dir = make_temp_dir("gen-catalogue");
  const auto out = dir / "catalogue_data.cc";
  const std::string cmd = "python3 " + quote(source_dir() / "scripts" / "gen_catalogue.py") + " " +
                          quote(shared_data()) + " --out " + quote(out) + " 2> " +
                          quote(dir / "stderr.txt");
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << cmd << "\n" << greenrun::testing::read_file(dir / "stderr.txt");
  const std::string generated = greenrun::testing::read_file(out);
  const std::string committed = greenrun::testing::read_file(source_dir() / "src" / "intensity" / "catalogue_data.cc");
  ASSERT_FALSE(generated.empty());
  // On a mismatch, show the first differing line rather than 150 kB.
  if (generated != committed) {
    std::istringstream a(generated), b(committed);
    std::string la, lb;
    int line = 0;
    while (true) {
      ++line;
      const bool ha = static_cast<bool>(std::getline(a, la));
      const bool hb = static_cast<bool>(std::getline(b, lb));
      if (!ha && !hb) break;
      if (la != lb || ha != hb) {
        ADD_FAILURE() << "catalogue_data.cc is stale at line " << line << "\n  generated: " << la
                      << "\n  committed: " << lb
                      << "\nregenerate: python3 scripts/gen_catalogue.py ../shared/data --out "
                         "src/intensity/catalogue_data.cc";
        break;
      }
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(GenCatalogue, FailsOnAMissingDataFolder) {
  if (!has_python3()) GTEST_SKIP() << "python3 not found on PATH; cannot run the generator";
  const auto dir = make_temp_dir("gen-catalogue");
  const std::string cmd = "python3 " + quote(source_dir() / "scripts" / "gen_catalogue.py") + " " +
                          quote(dir / "no-such-folder") + " --out " + quote(dir / "x.cc") +
                          " 2> /dev/null";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.cc"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::testing
