// Slurm's own accounting against the real daemons: a 2-node cluster with a
// MariaDB server and slurmdbd of its own (scripts/slurm-up.sh --accounting,
// through testing/slurm_cluster.h), so `sacct` has real records. Real jobs
// (one on both nodes) are exported with `sacct --parsable2` and replayed by
// `greenrun simulate --jobs`, each job with what Slurm recorded; `runs show
// slurm:ID` puts what the real sacct recorded for the job's energy beside
// greenrun's figure (nothing: no AcctGatherEnergyType plugin can read
// anything on these machines). Skipped, with the reason, only when Slurm,
// slurmdbd or MariaDB's server is not installed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "greenrun/base/time_format.h"
#include "greenrun/scheduling/job_log.h"
#include "runner/job_energy_store.h"
#include "testing/cli_process.h"
#include "testing/minute_forecast.h"
#include "testing/paths.h"
#include "testing/slurm_cluster.h"

#include "slurm_e2e.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;
using greenrun::testing::read_file;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A `sacct --parsable2` export: the header's columns and each row by JobID.
struct SacctTable {
  std::vector<std::string> header;
  std::map<std::string, std::map<std::string, std::string>> rows;
  size_t steps = 0;
};

SacctTable parse_sacct(const std::string& text) {
  SacctTable t;
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line)) return t;
  t.header = split(line, '|');
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const auto f = split(line, '|');
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < t.header.size() && i < f.size(); ++i) row[t.header[i]] = f[i];
    if (row["JobID"].find('.') != std::string::npos) ++t.steps;
    t.rows[row["JobID"]] = row;
  }
  return t;
}

int64_t seconds(const std::string& slurm_duration) {
  auto d = scheduling::parse_slurm_duration(slurm_duration);
  EXPECT_TRUE(d) << slurm_duration;
  return d ? std::chrono::duration_cast<std::chrono::seconds>(*d).count() : -1;
}

class SlurmAccountingTest : public slurm_e2e::SlurmE2E {
 protected:
  SlurmAccountingTest() : SlurmE2E({.cluster = {.accounting = true}}) {}

  // The sacct export (UTC times) of `ids` once Slurm has recorded every one
  // of them as COMPLETED with an end time and its whole job record
  // (slurmctld sends the records to slurmdbd asynchronously; bounded wait:
  // 30 s).
  std::string sacct_export(const std::vector<std::string>& ids, const std::string& columns) {
    std::string joined;
    for (const auto& id : ids) joined += (joined.empty() ? "" : ",") + id;
    std::string text;
    const bool recorded = eventually(
        [&] {
          text = cluster_->slurm("TZ=UTC sacct -a -j " + joined + " --parsable2 -o " + columns).out;
          auto t = parse_sacct(text);
          for (const auto& id : ids) {
            const auto it = t.rows.find(id);
            if (it == t.rows.end() || it->second["State"] != "COMPLETED" || it->second["End"] == "Unknown")
              return false;
            // slurmdbd may get a job's step records before its start record:
            // it then holds a placeholder ("allocation", no time limit, the
            // first node only) until the start record fills it in.
            if (it->second["JobName"] == "allocation" || it->second["Timelimit"].empty()) return false;
          }
          return true;
        },
        1500);
    EXPECT_TRUE(recorded) << text;
    return text;
  }
};

// issue 15: "sacct exports taken from the test cluster". Two real jobs (one
// on both nodes), exported with the columns `simulate --jobs` documents and
// replayed on a 1-minute actual series: each job keeps Slurm's id, submit
// time, elapsed time and node count, and the totals are the jobs' sums.
TEST_F(SlurmAccountingTest, ASacctExportOfRealJobsReplaysAndRunsShowSaysSlurmRecordedNoEnergy) {
  // 300 g/kWh for 10 minutes (the jobs run in them), 100 g/kWh after.
  std::vector<double> values(10, 300.0);
  values.push_back(100.0);
  auto minute0 = greenrun::testing::store_minute_actual(store(), "DE", values, 90);
  ASSERT_TRUE(minute0) << minute0.error().message;

  const std::string two = sbatch("-N2 -t 5 -o /dev/null --wrap 'srun sleep 2'");
  const std::string one = sbatch("-N1 -t 3 -o /dev/null --wrap 'sleep 1'");
  std::cout << "jobs " << two << " (2 nodes), " << one << " (1 node)\n";
  ASSERT_TRUE(eventually([&] { return cluster_->job_state(two).empty() && cluster_->job_state(one).empty(); }, 3000))
      << cluster_->slurm("squeue").out;

  const std::string text =
      sacct_export({two, one}, "JobID,JobName,Submit,Start,End,Elapsed,TimeLimit,NNodes,NodeList,State,ConsumedEnergy,"
                               "ConsumedEnergyRaw");
  std::cout << text;
  const auto table = parse_sacct(text);
  ASSERT_TRUE(table.rows.count(two) && table.rows.count(one)) << text;
  // What Slurm recorded is what the jobs asked for.
  EXPECT_EQ(table.rows.at(two).at("NNodes"), "2");
  EXPECT_EQ(table.rows.at(two).at("NodeList"), "n[1-2]");
  EXPECT_EQ(table.rows.at(one).at("NNodes"), "1");
  EXPECT_EQ(seconds(table.rows.at(two).at("Timelimit")), 300);
  EXPECT_EQ(seconds(table.rows.at(one).at("Timelimit")), 180);
  EXPECT_GE(seconds(table.rows.at(two).at("Elapsed")), 2);
  EXPECT_GE(seconds(table.rows.at(one).at("Elapsed")), 1);
  EXPECT_GE(table.steps, 3u) << "two .batch steps and the srun step";
  const fs::path file = dir_ / "sacct.txt";
  std::ofstream(file) << text;

  ASSERT_EQ(run("simulate", {"--store", store().string(), "simulate", "--zone", "DE", "--jobs", file.string(), "--rule",
                             "slack:1h", "--policies", "at-once,flexible", "--node-power", "1000W", "--json"}),
            0)
      << err("simulate");
  const auto j = nlohmann::json::parse(out("simulate"));
  std::cout << j["log"].dump() << "\n";
  EXPECT_EQ(j["log"]["format"], "sacct");
  EXPECT_EQ(j["log"]["jobs"], 2);
  EXPECT_EQ(j["log"]["steps_ignored"], table.steps);
  EXPECT_EQ(j["excluded"].size(), 0u) << j["excluded"].dump();
  ASSERT_EQ(j["settings"].size(), 2u);

  // Per job: Slurm's id; at once it runs from Submit for Elapsed on NNodes
  // nodes of 1000 W (ConsumedEnergy is 0: nothing measured it) at 300 g/kWh.
  std::map<std::string, double> expected_at_once_g, expected_clean_g;
  for (const auto& id : {two, one}) {
    const auto& row = table.rows.at(id);
    const double kwh = std::stod(row.at("NNodes")) * 1000.0 * static_cast<double>(seconds(row.at("Elapsed"))) / 3.6e6;
    expected_at_once_g[id] = kwh * 300;
    expected_clean_g[id] = kwh * 100;
  }
  // The JSON gives grams to the milligram: each figure within half of one,
  // a total of rounded figures within half of one per figure.
  const double mg = 0.5e-3;
  for (const auto& s : j["settings"]) {
    SCOPED_TRACE(s["label"].get<std::string>());
    std::set<std::string> ids;
    double sum_g = 0, sum_at_once_g = 0;
    for (const auto& job : s["jobs"]) {
      const std::string id = job["id"];
      ids.insert(id);
      ASSERT_TRUE(table.rows.count(id)) << id;
      const auto& row = table.rows.at(id);
      EXPECT_NEAR(job["at_once_g"].get<double>(), expected_at_once_g[id], mg) << id;
      sum_g += job["emissions_g"].get<double>();
      sum_at_once_g += job["at_once_g"].get<double>();
      if (s["policy"] == "at-once") {
        EXPECT_EQ(job["start"], row.at("Submit") + "Z") << id;
        auto submit = parse_utc(row.at("Submit") + "Z");
        ASSERT_TRUE(submit) << row.at("Submit");
        EXPECT_EQ(job["end"], format_utc(*submit + std::chrono::seconds(seconds(row.at("Elapsed"))))) << id;
        EXPECT_NEAR(job["emissions_g"].get<double>(), expected_at_once_g[id], mg) << id;
      } else {  // flexible, 1 h of slack: moved into the 100 g/kWh minutes
        EXPECT_NEAR(job["emissions_g"].get<double>(), expected_clean_g[id], mg) << id;
      }
    }
    EXPECT_EQ(ids, (std::set<std::string>{two, one}));
    EXPECT_EQ(s["totals"]["jobs"], 2);
    EXPECT_NEAR(s["totals"]["emissions_g"].get<double>(), sum_g, 3 * mg);
    EXPECT_NEAR(s["totals"]["at_once_g"].get<double>(), sum_at_once_g, 3 * mg);
    EXPECT_NEAR(s["totals"]["saving_g"].get<double>(), sum_at_once_g - sum_g, 5 * mg);
    EXPECT_NEAR(s["totals"]["at_once_g"].get<double>(), expected_at_once_g[two] + expected_at_once_g[one], 3 * mg);
    EXPECT_NEAR(s["totals"]["energy_kwh"].get<double>(), (expected_at_once_g[two] + expected_at_once_g[one]) / 300, 1e-6);
  }
  // `runs show slurm:ID` for the 2-node job: greenrun's figure from its
  // per-node records (written here straight into the store, one per node
  // over the job's recorded run; the samplers' side is job_energy_e2e_test
  // and cpuacct_cluster_test), and beside it what the real sacct recorded.
  const auto& row = table.rows.at(two);
  EXPECT_TRUE(row.at("ConsumedEnergyRaw").empty() || row.at("ConsumedEnergyRaw") == "0") << row.at("ConsumedEnergyRaw");
  EXPECT_NE(cluster_->slurm("scontrol show config").out.find("acct_gather_energy/none"), std::string::npos);
  auto started = parse_utc(row.at("Start") + "Z");
  auto ended = parse_utc(row.at("End") + "Z");
  ASSERT_TRUE(started && ended);
  std::vector<runner::JobEnergyRecord> records;
  for (const auto& node : cluster_->nodes()) {
    runner::JobEnergyRecord r;
    r.job_id = two;
    r.node = node;
    r.start = *started;
    r.end = *ended;
    r.zone = "DE";
    r.attribution = "cgroup-tasks";
    r.cpu_share = 0.5;
    r.node_energy = Energy::joules(200);
    r.unattributed = Energy::joules(100);
    r.components = {{sensors::Component::kCpu, Energy::joules(100), sensors::Method::kSimulated}};
    records.push_back(r);
  }
  auto job_store = runner::JobEnergyStore::open(store().string());
  ASSERT_TRUE(job_store) << job_store.error().message;
  ASSERT_TRUE(job_store->insert(records));
  ASSERT_EQ(run("show", {"--store", store().string(), "runs", "show", "slurm:" + two, "--json"}), 0) << err("show");
  const auto shown = nlohmann::json::parse(out("show"));
  EXPECT_DOUBLE_EQ(shown["energy_j"].get<double>(), 200);
  EXPECT_TRUE(shown["slurm_consumed_energy_j"].is_null());
  EXPECT_EQ(shown["slurm_consumed_energy_note"],
            "Slurm recorded no energy: AcctGatherEnergyType is acct_gather_energy/none (no plugin measures it)");
  ASSERT_EQ(run("show-text", {"--store", store().string(), "runs", "show", "slurm:" + two}), 0) << err("show-text");
  EXPECT_NE(out("show-text").find("Slurm's ConsumedEnergy: Slurm recorded no energy: AcctGatherEnergyType is "
                                  "acct_gather_energy/none"),
            std::string::npos)
      << out("show-text");
}

}  // namespace
}  // namespace greenrun
