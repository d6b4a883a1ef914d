// The statement over known run records: its sums, what it keeps apart
// (marginal, embodied), its caveats, and the text, Markdown, LaTeX and JSON
// renderings of the same figures.
#include "report/statement.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"

namespace greenrun::report {
namespace {

using namespace std::chrono_literals;

// A greenrun.emissions/1 breakdown with the lines the statement reads.
accounting::EmissionsReport breakdown(double operational_g, double overhead_g, double resolved_j, double fallback_j,
                                      std::optional<double> embodied_g = std::nullopt) {
  accounting::EmissionsReport e;
  accounting::SignalEmissions& a = e.breakdown.average;
  a.operational = Mass::grams(operational_g);
  a.energy_time_resolved = Energy::joules(resolved_j);
  a.energy_fallback = Energy::joules(fallback_j);
  a.series_zone = "DE";
  a.series_source = "electricitymaps-csv: DE_2023.csv";
  if (fallback_j > 0)
    a.fallback = accounting::FallbackIntensity{CarbonIntensity::grams_per_kwh(380),
                                               "Electricity Maps yearly 2023 via co2.js (ODbL)"};
  e.breakdown.pue = 1.2;
  e.breakdown.pue_overhead = Mass::grams(overhead_g);
  if (embodied_g) e.breakdown.embodied = accounting::EmbodiedLine{{}, Duration{0}, Mass::grams(*embodied_g)};
  return e;
}

runner::RunRecord run(const std::string& id, const std::string& zone,
                      double job_j, double avg_g,
                      sensors::Method method = sensors::Method::kMeasured) {
  runner::RunRecord r;
  r.id = id;
  r.project = "bert_base";
  r.phase = "training";
  r.command = {"python3", "train.py"};
  r.started = *parse_utc("2023-06-01T12:00:00Z");
  r.duration = 2h;
  r.ended = r.started + r.duration;
  r.zone = zone;
  r.zone_source = "--zone";
  r.sensors = "rapl+nvml";
  r.pue = 1.2;
  r.intervals = 7200;
  r.gpu_model = "NVIDIA A100";
  r.gpu_count = 2;
  r.greenrun_version = "0.1.0";
  r.components.push_back({sensors::Component::kCpu,
                          Energy::joules(job_j),
                          Energy::joules(job_j / 2),
                          method,
                          {}});
  r.components.push_back({sensors::Component::kGpu,
                          Energy::joules(job_j),
                          Energy::joules(job_j / 2),
                          sensors::Method::kMeasured,
                          {"gpu0", "gpu1"}});
  r.average = runner::EmissionsFigure{"average-lifecycle", Mass::grams(avg_g),
                                      CarbonIntensity::grams_per_kwh(300),
                                      "store: electricitymaps-csv DE", 1.0};
  r.emissions_job = breakdown(avg_g / 1.2, avg_g - avg_g / 1.2, job_j, 0);
  return r;
}

TEST(Statement, AnEmptySelectionSaysSoInWords) {
  const Statement s = build_statement({}, "project nothing");
  EXPECT_EQ(s.runs, 0u);
  EXPECT_NE(statement_text(s).find("No runs match the selection"),
            std::string::npos)
      << statement_text(s);
  const auto j = nlohmann::json::parse(statement_json(s));
  EXPECT_TRUE(j["emissions_g"].is_null());  // unknown, never 0 g
}

TEST(Statement, SumsTheRecordsAndCountsAcceleratorHours) {
  std::vector<runner::RunRecord> runs = {run("a", "DE", 3.6e6, 300),
                                         run("b", "DE", 1.8e6, 100)};
  runs[1].emissions_job =
      breakdown(100 / 1.2, 100 - 100 / 1.2, 0.9e6, 0.9e6);
  const Statement s =
      build_statement(runs, "project bert_base", {{"DE", {"hourly", {2023}}}});
  EXPECT_EQ(s.runs, 2u);
  EXPECT_DOUBLE_EQ(s.job_energy.joules(),
                   3.6e6 + 1.8e6);  // the jobs' halves of cpu and gpu
  EXPECT_DOUBLE_EQ(s.job_energy.joules(), runs[0].job_energy().joules() +
                                              runs[1].job_energy().joules());
  EXPECT_DOUBLE_EQ(s.emissions.grams(), 400);
  EXPECT_NEAR(s.operational_average.grams() + s.pue_overhead.grams(), 400,
              1e-9);
  // 2 GPUs x 2 h x 2 runs.
  EXPECT_DOUBLE_EQ(s.accelerator_hours, 8);
  // Run b priced half its energy at the annual mean.
  EXPECT_DOUBLE_EQ(s.time_resolved.joules(), 3.6e6 + 0.9e6);
  EXPECT_DOUBLE_EQ(s.fallback.joules(), 0.9e6);
  EXPECT_NEAR(s.time_resolved_share(), 4.5 / 5.4, 1e-12);
  ASSERT_EQ(s.zones.size(), 1u);
  EXPECT_EQ(s.zones[0].resolution, "hourly");
  EXPECT_EQ(s.zones[0].years, std::vector<int>{2023});
  const std::string text = statement_text(s);
  EXPECT_NE(
      text.find("priced at a zone's annual mean, not at time-resolved data"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("Electricity Maps"), std::string::npos) << text;
  EXPECT_NE(text.find("ODbL"), std::string::npos) << text;
}

TEST(Statement, KeepsMarginalAndEmbodiedApartFromTheAverageTotal) {
  auto r = run("a", "DE", 3.6e6, 300);
  r.marginal = runner::EmissionsFigure{"marginal", Mass::grams(700),
                                       CarbonIntensity::grams_per_kwh(700),
                                       "store: watttime CAISO", 1.0};
  r.emissions_job = breakdown(250, 50, 3.6e6, 0, 42.0);
  const Statement s = build_statement({r}, "run a");
  EXPECT_DOUBLE_EQ(s.emissions.grams(), 300);
  EXPECT_DOUBLE_EQ(s.marginal.grams(), 700);
  EXPECT_DOUBLE_EQ(s.embodied.grams(), 42);
  const std::string text = statement_text(s);
  EXPECT_NE(text.find(format_mass(Mass::grams(700)) +
                      " CO2e (kept apart; not added above)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(estimate; not included above)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("WattTime"), std::string::npos)
      << "the marginal source is cited\n"
      << text;
}

TEST(Statement, EveryCaveatIsOneSentence) {
  auto est = run("b", "", 1.0e6, 50, sensors::Method::kEstimated);
  est.sensor_notes = {
      "cpu: no RAPL counters readable; estimated from TDP x utilisation"};
  const Statement s =
      build_statement({run("a", "DE", 3.6e6, 300), est}, "all runs");
  ASSERT_FALSE(s.caveats.empty());
  for (const auto& c : s.caveats) {
    EXPECT_EQ(c.find('\n'), std::string::npos) << c;
    EXPECT_EQ(c.back(), '.') << c;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c.front())) ||
                std::isdigit(static_cast<unsigned char>(c.front())))
        << c;
  }
  EXPECT_EQ(s.zones.size(), 2u);
  EXPECT_NE(statement_text(s).find("2 grid zones"), std::string::npos);
  EXPECT_NE(statement_text(s).find("world average"), std::string::npos);
  EXPECT_NE(statement_text(s).find("estimated from TDP x utilisation"),
            std::string::npos)
      << "the reason is given";
}

TEST(Statement, TheFourRenderingsCarryTheSameFigures) {
  const Statement s =
      build_statement({run("a", "DE", 3.6e6, 300)}, "project bert_base & co");
  const std::string energy = format_energy(Energy::joules(3.6e6));
  const std::string mass = format_mass(Mass::grams(300));
  for (const auto& out :
       {statement_text(s), statement_markdown(s), statement_latex(s)}) {
    EXPECT_NE(out.find(energy), std::string::npos) << out;
    EXPECT_NE(out.find(mass), std::string::npos) << out;
  }
  const std::string latex = statement_latex(s);
  EXPECT_NE(latex.find("\\begin{itemize}"), std::string::npos);
  EXPECT_NE(latex.find("bert\\_base \\& co"), std::string::npos) << latex;
  EXPECT_EQ(latex.find("bert_base"), std::string::npos)
      << "an unescaped underscore breaks LaTeX\n"
      << latex;
  const std::string md = statement_markdown(s);
  EXPECT_NE(md.find("| Energy |"), std::string::npos) << md;
  const auto j = nlohmann::json::parse(statement_json(s));
  EXPECT_EQ(j["schema"], "greenrun.statement/1");
  EXPECT_DOUBLE_EQ(j["job_energy_j"].get<double>(), 3.6e6);
  EXPECT_DOUBLE_EQ(j["emissions_g"].get<double>(), 300);
  EXPECT_EQ(j["zones"][0]["zone"], "DE");
}

TEST(Statement, CountsTheSchedulingSaving) {
  auto r = run("a", "DE", 3.6e6, 300);
  runner::ScheduleSummary sched;
  sched.mode = "flexible";
  sched.emissions = Mass::grams(200);
  sched.at_once = Mass::grams(260);
  r.schedule = sched;
  const Statement s = build_statement({r}, "run a");
  EXPECT_DOUBLE_EQ(s.scheduling_avoided().grams(), 60);
  EXPECT_NE(statement_text(s).find(format_mass(Mass::grams(60)) +
                                   " avoided by 1 carbon-aware run"),
            std::string::npos)
      << statement_text(s);
}

}  // namespace
}  // namespace greenrun::report
