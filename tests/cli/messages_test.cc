// Messages name the real config path (issue 10, item 23): with
// $GREENRUN_CONFIG set, a provider without credentials and a run without a
// zone name that file, not ~/.config/greenrun/config.toml.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("greenrun-messages");
    config_ = dir_ / "site-config.toml";
    std::ofstream(config_) << "# no credentials, no zone\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(
        greenrun::testing::start_cli(args, dir_, {{"GREENRUN_CONFIG", config_.string()}}));
  }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  fs::path dir_, config_;
};

TEST_F(MessagesTest, AProviderWithoutCredentialsNamesTheConfigFileInUse) {
  EXPECT_NE(run({"intensity", "fetch", "--provider", "electricitymaps", "--zone", "DE"}), 0);
  EXPECT_NE(err().find("[electricitymaps] token in " + config_.string()), std::string::npos) << err();
  EXPECT_EQ(err().find("~/.config"), std::string::npos) << err();
  EXPECT_NE(run({"intensity", "fetch", "--provider", "watttime", "--zone", "CAISO_NORTH"}), 0);
  EXPECT_NE(err().find("username and password in " + config_.string()), std::string::npos) << err();
}

TEST_F(MessagesTest, ARunWithoutAZoneNamesTheConfigFileInUse) {
  ASSERT_EQ(run({"run", "--sensors", "fake", "--", "true"}), 0) << err();
  EXPECT_NE(err().find("zone = \"...\" in " + config_.string()), std::string::npos) << err();
}

}  // namespace
}  // namespace greenrun::cli
