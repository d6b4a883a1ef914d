// A zone greenrun does not know is refused by every command before anything
// runs (a typo must never be recorded as a run priced at 0 g), with the
// catalogue's did-you-mean; a zone the user imported data for is known to
// every command.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;

class ZoneCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-zone-check"); }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  fs::path dir_;
};

TEST_F(ZoneCheckTest, AMistypedZoneIsRefusedBeforeTheJobRunsWithADidYouMean) {
  const fs::path ran = dir_ / "ran";
  EXPECT_EQ(run({"run", "--zone", "DEE", "--sensors", "fake", "--out", (dir_ / "out").string(), "--", "touch",
                 ran.string()}),
            1);
  EXPECT_NE(err().find("--zone: unknown zone \"DEE\""), std::string::npos) << err();
  EXPECT_NE(err().find("DE"), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(ran)) << "the job ran although its zone is unknown";
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "the run's folder was made although its zone is unknown";
  // The same typo through GREENRUN_ZONE names where it came from.
  EXPECT_EQ(greenrun::testing::wait_exit(greenrun::testing::start_cli(
                {"run", "--sensors", "fake", "--", "touch", ran.string()}, dir_, {{"GREENRUN_ZONE", "NOPE"}})),
            1);
  EXPECT_NE(err().find("GREENRUN_ZONE: unknown zone \"NOPE\""), std::string::npos) << err();
  EXPECT_FALSE(fs::exists(ran));
  EXPECT_EQ(run({"plan", "--zone", "DEE", "--duration", "1h"}), 1);
  EXPECT_NE(err().find("unknown zone \"DEE\""), std::string::npos) << err();
}

TEST_F(ZoneCheckTest, AZoneTheUserImportedIsKnownToPlanAndRun) {
  // Two days of hourly data for a private zone.
  const fs::path csv = dir_ / "mydc.csv";
  {
    std::ofstream f(csv);
    f << "time,value\n";
    for (int h = 0; h < 48; ++h)
      f << "2023-05-0" << 1 + h / 24 << "T" << (h % 24 < 10 ? "0" : "") << h % 24 << ":00:00Z," << (h % 24 < 6 ? 80 : 400)
        << "\n";
  }
  ASSERT_EQ(run({"intensity", "import", "--format", "generic-csv", "--zone", "MYDC", csv.string()}), 0) << err();
  EXPECT_EQ(run({"plan", "--zone", "MYDC", "--duration", "2h", "--window", "20h", "--from", "2023-05-01T12:00Z"}), 0)
      << err();
  const fs::path ran = dir_ / "ran";
  EXPECT_EQ(run({"run", "--zone", "MYDC", "--sensors", "fake", "--out", (dir_ / "out").string(), "--", "touch",
                 ran.string()}),
            0)
      << err();
  EXPECT_TRUE(fs::exists(ran));
}

}  // namespace
}  // namespace greenrun::cli
