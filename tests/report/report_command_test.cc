// `greenrun report` end to end: real runs made by the built CLI with the fake
// sensor against a scratch store holding real hourly data for Germany
// (../shared/data, shifted to the runs' own time), one run in France with no
// stored data (annual mean), one whose timeline.jsonl is gone and one whose
// last line is torn. The statement is checked against `runs summary --json`
// and the run records; every format is checked for the known figures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "greenrun/base/clock.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A job that uses the CPU, so the fake sensor attributes energy to it.
constexpr const char* kBusy =
    "i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done";

class ReportCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!greenrun::testing::has_shared_data()) return;
    dir_ = greenrun::testing::make_temp_dir("greenrun-report-cmd");
    // Germany 2023, hour by hour, moved to start 12 h before now.
    std::ifstream in(greenrun::testing::shared_data() /
                     "electricitymaps-hourly/green-dcc/DE-LU_2023_hourly.csv");
    std::string header, line;
    ASSERT_TRUE(std::getline(in, header));
    UtcTime t =
        std::chrono::floor<std::chrono::hours>(SystemClock().utc_now()) -
        std::chrono::hours(12);
    std::ofstream csv(dir_ / "DE_shifted.csv");
    csv << header << "\n";
    for (int row = 0; row < 72 && std::getline(in, line);
         ++row, t += std::chrono::hours(1)) {
      const CivilTime c = to_civil(t);
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "%04d-%02u-%02u %02u:00:00", c.year,
                    c.month, c.day, c.hour);
      csv << stamp << line.substr(line.find(',')) << "\n";
    }
    csv.close();
    ASSERT_EQ(cli({"intensity", "import", (dir_ / "DE_shifted.csv").string()}),
              0)
        << err();
    make_run("bert_base", "train", "DE", "r1");
    make_run("bert_base", "eval", "DE", "r2");
    make_run("gpt", "train", "FR", "r3",
             std::string(kBusy) + "; echo '</script><b>x</b>'");
    make_run("broken", "train", "DE", "r4");
    make_run("torn", "train", "DE", "r5");
    fs::remove(run_dir("r4") / "timeline.jsonl");
    const auto torn = run_dir("r5") / "timeline.jsonl";
    fs::resize_file(torn, fs::file_size(torn) - 7);
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override { GREENRUN_REQUIRE_SHARED_DATA(); }

  static int cli(const std::vector<std::string>& args) {
    return greenrun::testing::wait_exit(
        greenrun::testing::start_cli(args, dir_));
  }
  static void make_run(const std::string& project, const std::string& phase,
                       const std::string& zone, const std::string& out,
                       const std::string& script = kBusy) {
    ASSERT_EQ(cli({"run", "--sensors", "fake", "--interval", "100ms", "--zone",
                   zone, "--project", project, "--phase", phase, "--out",
                   (dir_ / out).string(), "--", "sh", "-c", script}),
              0)
        << err();
  }
  // `--out DIR` holds one folder per run, DIR/<run id>/ (docs/formats.md).
  static fs::path run_dir(const std::string& out) {
    for (const auto& e : fs::directory_iterator(dir_ / out))
      if (e.is_directory() && fs::exists(e.path() / "run.json")) return e.path();
    return dir_ / out;
  }
  static std::string out() {
    return greenrun::testing::read_file(dir_ / "stdout.txt");
  }
  static std::string err() {
    return greenrun::testing::read_file(dir_ / "stderr.txt");
  }
  static json run_json(const std::string& out_dir) {
    return json::parse(
        greenrun::testing::read_file(run_dir(out_dir) / "run.json"));
  }
  static std::string report(const std::vector<std::string>& args,
                            int status = 0) {
    std::vector<std::string> full = {"report"};
    full.insert(full.end(), args.begin(), args.end());
    EXPECT_EQ(cli(full), status) << err();
    return out();
  }
  static inline fs::path dir_;
};

TEST_F(ReportCommandTest, TheJsonStatementEqualsRunsSummary) {
  ASSERT_EQ(cli({"runs", "summary", "--json"}), 0) << err();
  const json summary = json::parse(out());
  const json s = json::parse(report({"--format", "json"}));
  double energy = 0, co2 = 0, duration = 0, avoided = 0;
  size_t runs = 0, without = 0;
  for (const auto& g : summary) {
    energy += g["job_energy_j"].get<double>();
    co2 += g["emissions_g"].get<double>();
    duration += g["duration_s"].get<double>();
    avoided += g["scheduling_avoided_g"].get<double>();
    runs += g["runs"].get<size_t>();
    without += g["runs_without_emissions"].get<size_t>();
  }
  EXPECT_EQ(s["runs"].get<size_t>(), runs);
  EXPECT_EQ(runs, 5u);
  EXPECT_NEAR(s["job_energy_j"].get<double>(), energy, 1e-6 * energy);
  EXPECT_NEAR(s["emissions_g"].get<double>(), co2, 1e-9 * co2 + 1e-12);
  EXPECT_NEAR(s["duration_s"].get<double>(), duration, 1e-6);
  EXPECT_NEAR(s["scheduling"]["avoided_g"].get<double>(), avoided, 1e-9);
  EXPECT_EQ(s["runs_without_emissions"].get<size_t>(), without);
  EXPECT_GT(co2, 0);
}

TEST_F(ReportCommandTest, TheTextStatementStatesTheKnownRuns) {
  const json r1 = run_json("r1"), r2 = run_json("r2");
  const Energy energy = Energy::joules(r1["job_energy_j"].get<double>() +
                                       r2["job_energy_j"].get<double>());
  const Mass co2 = Mass::grams(r1["emissions_average"]["job_g"].get<double>() +
                               r2["emissions_average"]["job_g"].get<double>());
  const std::string text = report({"--project", "bert_base"});
  EXPECT_NE(text.find("project bert_base"), std::string::npos) << text;
  EXPECT_NE(text.find("2 runs"), std::string::npos) << text;
  EXPECT_NE(text.find(format_energy(energy)), std::string::npos)
      << format_energy(energy) << "\n"
      << text;
  EXPECT_NE(text.find(format_mass(co2) + " CO2e"), std::string::npos)
      << format_mass(co2) << "\n"
      << text;
  // Priced by the hour from the stored German data, and cited.
  EXPECT_NE(text.find("DE: "), std::string::npos) << text;
  EXPECT_NE(text.find("resolution hourly"), std::string::npos) << text;
  EXPECT_NE(text.find("100.0 % of job energy"), std::string::npos) << text;
  EXPECT_NE(text.find("Electricity Maps"), std::string::npos) << text;
  EXPECT_NE(text.find("simulated (fake) sensor"), std::string::npos) << text;
  EXPECT_NE(text.find("greenrun:"), std::string::npos) << text;
  // --phase narrows it to one run.
  EXPECT_NE(
      report({"--project", "bert_base", "--phase", "eval"}).find("1 run,"),
      std::string::npos)
      << out();
  // So does naming the run.
  EXPECT_NE(report({r1["id"].get<std::string>()}).find("1 run,"),
            std::string::npos)
      << out();
}

TEST_F(ReportCommandTest, MarkdownAndLatexCarryTheSameFigures) {
  const json r1 = run_json("r1"), r2 = run_json("r2");
  const Energy energy = Energy::joules(r1["job_energy_j"].get<double>() +
                                       r2["job_energy_j"].get<double>());
  const std::string md = report({"--project", "bert_base", "--format", "md"});
  EXPECT_NE(md.find("| Energy | " + format_energy(energy)), std::string::npos)
      << md;
  EXPECT_NE(md.find("### Caveats"), std::string::npos) << md;
  const std::string latex =
      report({"--project", "bert_base", "--format", "latex"});
  EXPECT_NE(latex.find("\\item \\textbf{Energy:} " + format_energy(energy)),
            std::string::npos)
      << latex;
  EXPECT_NE(latex.find("project bert\\_base"), std::string::npos) << latex;
  EXPECT_NE(latex.find("Open Database License"), std::string::npos) << latex;
}

TEST_F(ReportCommandTest, SeveralZonesAndAnAnnualMeanAreSaidInWords) {
  const std::string text = report({});
  EXPECT_NE(text.find("The runs used 2 grid zones"), std::string::npos) << text;
  EXPECT_NE(text.find("priced at a zone's annual mean"), std::string::npos)
      << text;
  EXPECT_NE(text.find("FR: "), std::string::npos) << text;
  EXPECT_NE(text.find("resolution unknown"), std::string::npos)
      << "France has no stored series\n"
      << text;
}

TEST_F(ReportCommandTest, AProjectWithNoRunsStillRenders) {
  EXPECT_NE(
      report({"--project", "nothing"}).find("No runs match the selection"),
      std::string::npos)
      << out();
  EXPECT_NE(report({"--project", "nothing", "--format", "html"})
                .find("id=\"no-runs\""),
            std::string::npos);
}

TEST_F(ReportCommandTest, MissingAndTornTimelinesAreSaidAndTheRestRenders) {
  const std::string html_path = (dir_ / "report.html").string();
  EXPECT_EQ(cli({"report", "--format", "html", "--out", html_path}), 0)
      << err();
  const std::string html = greenrun::testing::read_file(html_path);
  EXPECT_NE(html.find("cannot be read"), std::string::npos);
  EXPECT_NE(html.find("torn line"), std::string::npos);
  EXPECT_NE(html.find(run_json("r1")["id"].get<std::string>()),
            std::string::npos);
  EXPECT_NE(html.find("id=\"chart-power-0\""), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos)
      << "the command is escaped";
}

TEST_F(ReportCommandTest, BadInputIsOneLineAndAnExitStatus) {
  EXPECT_EQ(cli({"report", "no-such-run"}), 1);
  EXPECT_NE(err().find("no-such-run"), std::string::npos) << err();
  EXPECT_EQ(cli({"report", "--since", "yesterday"}), 2);
  EXPECT_NE(err().find("--since"), std::string::npos) << err();
  EXPECT_EQ(cli({"report", "--format", "pdf"}), 2);
}

}  // namespace
}  // namespace greenrun::cli
