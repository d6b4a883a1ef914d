// A run whose record the store cannot take (here: a store of a newer
// schema) is never lost: run.json keeps it, the warning says how to add it,
// and `greenrun runs import` adds it to a store later.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;

class RecordKeptTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("greenrun-record-kept"); }
  void TearDown() override { fs::remove_all(dir_); }
  int run(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(greenrun::testing::start_cli(args, dir_));
  }
  std::string err() const { return greenrun::testing::read_file(dir_ / "stderr.txt"); }
  std::string out() const { return greenrun::testing::read_file(dir_ / "stdout.txt"); }
  fs::path dir_;
};

TEST_F(RecordKeptTest, ARecordTheStoreRefusesIsKeptAndImportedLater) {
  // The default store (dir/greenrun.db) claims a schema from the future.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "greenrun.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99;", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  const fs::path runs = dir_ / "out";
  ASSERT_EQ(run({"run", "--zone", "DE", "--sensors", "fake", "--out", runs.string(), "--", "true"}), 0) << err();
  const fs::path folder = greenrun::testing::latest_run_folder(runs);
  ASSERT_FALSE(folder.empty()) << "no run folder under " << runs;
  EXPECT_NE(err().find("greenrun runs import " + (folder / "run.json").string()), std::string::npos) << err();
  const auto record = nlohmann::json::parse(greenrun::testing::read_file(folder / "run.json"));
  const std::string id = record["id"];
  EXPECT_TRUE(fs::exists(runs / "emissions.csv"));

  // Later, into a store that can take it (and again: the same record once).
  const std::string other = (dir_ / "other.db").string();
  ASSERT_EQ(run({"--store", other, "runs", "import", (folder / "run.json").string()}), 0) << err();
  EXPECT_NE(out().find("imported run " + id), std::string::npos) << out();
  ASSERT_EQ(run({"--store", other, "runs", "import", (folder / "run.json").string()}), 0) << err();
  ASSERT_EQ(run({"--store", other, "runs", "list"}), 0) << err();
  const std::string list = out();
  EXPECT_NE(list.find(id), std::string::npos) << list;
  EXPECT_EQ(list.find(id), list.rfind(id)) << "imported twice, listed once\n" << list;
}

TEST_F(RecordKeptTest, ImportNamesABrokenFile) {
  const fs::path bad = dir_ / "run.json";
  {
    std::ofstream f(bad);
    f << "{\"schema\": \"greenrun.run/1\", \"id\": 7}\n";
  }
  EXPECT_EQ(run({"runs", "import", bad.string()}), 1);
  const std::string e = err();
  EXPECT_NE(e.find(bad.string() + ": "), std::string::npos) << e;
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
}

}  // namespace
}  // namespace greenrun::cli
