#include "greenrun/intensity/providers/provider_settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "testing/paths.h"

namespace greenrun::intensity {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr const char* kConfig = R"(
# greenrun settings
[watttime]
username = "alice"
password = "correct horse"

[electricitymaps]
token = "em-secret"
base_url = "https://mirror.example/em"

[other_part]
whatever = 3
)";

TEST(ParseProviderSettings, ReadsTheProviderTables) {
  auto s = parse_provider_settings(kConfig, "config.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->watttime_username.reveal(), "alice");
  EXPECT_EQ(s->watttime_password.reveal(), "correct horse");
  EXPECT_EQ(s->electricitymaps_token.reveal(), "em-secret");
  EXPECT_EQ(s->electricitymaps_base_url, "https://mirror.example/em");
  EXPECT_FALSE(s->uk_base_url);
  for (const std::string& src : s->sources) {
    EXPECT_EQ(src.find("horse"), std::string::npos);
    EXPECT_EQ(src.find("em-secret"), std::string::npos);
  }
}

TEST(ParseProviderSettings, SyntaxErrorsNameLineAndColumn) {
  auto s = parse_provider_settings("[watttime]\nusername = \"bob\"\npassword = \n", "config.toml");
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().message.starts_with("config.toml:3:")) << s.error().message;
}

TEST(ParseProviderSettings, WrongTypesNameTheKeyButNotTheValue) {
  auto s = parse_provider_settings("[electricitymaps]\ntoken = 12345\n", "c.toml");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "c.toml: electricitymaps.token: expected a string");
  auto t = parse_provider_settings("watttime = \"x\"\n", "c.toml");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "c.toml: watttime: expected a table");
}

TEST(DefaultConfigPath, FollowsGreenrunConfigThenXdgThenHome) {
  EXPECT_EQ(default_config_path(env_of({{"GREENRUN_CONFIG", "/etc/g.toml"}, {"HOME", "/h"}})), "/etc/g.toml");
  EXPECT_EQ(default_config_path(env_of({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})), "/x/greenrun/config.toml");
  EXPECT_EQ(default_config_path(env_of({{"HOME", "/h"}})), "/h/.config/greenrun/config.toml");
}

class LoadProviderSettings : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-settings"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text, mode_t mode) {
    const auto p = dir_ / "greenrun" / "config.toml";
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(LoadProviderSettings, EnvironmentOverridesTheFile) {
  write(kConfig, 0600);
  auto s = load_provider_settings(env_of({{"XDG_CONFIG_HOME", dir_.string()},
                                          {"GREENRUN_WATTTIME_PASSWORD", "from-env"},
                                          {"GREENRUN_UK_BASE_URL", "http://127.0.0.1:9"}}),
                                  std::nullopt);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->watttime_username.reveal(), "alice");
  EXPECT_EQ(s->watttime_password.reveal(), "from-env");
  EXPECT_EQ(s->uk_base_url, "http://127.0.0.1:9");
  EXPECT_TRUE(s->warnings.empty());
  EXPECT_NE(std::find(s->sources.begin(), s->sources.end(), "watttime.password: GREENRUN_WATTTIME_PASSWORD"),
            s->sources.end());
}

TEST_F(LoadProviderSettings, TheForecastProviderComesFromTheFileOrTheEnvironment) {
  auto parsed = parse_provider_settings("[forecast]\nprovider = \"watttime:CAISO_NORTH\"\n", "c.toml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->forecast_provider, "watttime:CAISO_NORTH");
  auto wrong = parse_provider_settings("[forecast]\nprovider = 3\n", "c.toml");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("forecast.provider"), std::string::npos) << wrong.error().message;
  auto env = load_provider_settings(env_of({{"XDG_CONFIG_HOME", dir_.string()}, {"GREENRUN_FORECAST_PROVIDER", "uk"}}),
                                    std::nullopt);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(env->forecast_provider, "uk");
}

TEST_F(LoadProviderSettings, WarnsWhenSecretsAreReadableByOthers) {
  const std::string path = write(kConfig, 0644);
  auto s = load_provider_settings(env_of({{"XDG_CONFIG_HOME", dir_.string()}}), std::nullopt);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_EQ(s->warnings[0], path + " holds credentials and is readable by others; run: chmod 600 " + path);
}

TEST_F(LoadProviderSettings, AMissingDefaultFileIsFineButAMissingNamedFileIsNot) {
  auto s = load_provider_settings(env_of({{"XDG_CONFIG_HOME", dir_.string()},
                                          {"GREENRUN_ELECTRICITYMAPS_TOKEN", "tok"}}),
                                  std::nullopt);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->electricitymaps_token.reveal(), "tok");
  auto named = load_provider_settings(env_of({}), (dir_ / "nope.toml").string());
  ASSERT_FALSE(named);
  EXPECT_NE(named.error().message.find("nope.toml: cannot read"), std::string::npos);
}

}  // namespace
}  // namespace greenrun::intensity
