// Per-job energy across nodes (greenrun/job_energy.h): the node sampler on a
// fake cgroup tree, procfs and clock (the parts add up to the node, jobs
// start and end mid-interval); the spool and its retries (nothing lost,
// nothing sent twice by the shipper, backoff on the fake clock); the ingest's
// idempotence; a job's total priced per node at each node's zone on real
// Electricity Maps series; Slurm's ConsumedEnergy beside it.
#include "greenrun/job_energy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "greenrun/base/time_format.h"
#include "greenrun/pricing.h"
#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "runner/sensor_setup.h"
#include "testing/fake_clock.h"
#include "testing/fake_slurm_node.h"
#include "testing/paths.h"

namespace greenrun::engine {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::FakeClock;

// A node drawing constant power: `cpu` W on the CPU, `dram` W on DRAM.
class ConstantSensor final : public sensors::EnergySensor {
 public:
  ConstantSensor(SteadyTime start, double cpu, double dram) : last_(start), cpu_(cpu), dram_(dram) {}
  std::string_view name() const override { return "constant"; }
  std::vector<sensors::Component> components() const override {
    return {sensors::Component::kCpu, sensors::Component::kDram};
  }
  Result<sensors::SensorSample> read(const sensors::SampleInput& in) override {
    const double s = std::chrono::duration<double>(in.now - last_).count();
    last_ = in.now;
    sensors::SensorSample out;
    out.readings.push_back({sensors::Component::kCpu, "package-0", Energy::joules(cpu_ * s), sensors::Method::kMeasured, {}});
    out.readings.push_back({sensors::Component::kDram, "dram", Energy::joules(dram_ * s), sensors::Method::kEstimated, {}});
    return out;
  }

 private:
  SteadyTime last_;
  double cpu_, dram_;
};

class NodeSamplerTest : public greenrun::testing::FakeSlurmNode {
 protected:
  void SetUp() override {
    FakeSlurmNode::SetUp();
    services_.sensors = [](const std::string&, SteadyTime now) -> Result<runner::SensorSetup> {
      runner::SensorSetup s;
      s.sensors.push_back(std::make_unique<ConstantSensor>(now, 100, 10));
      s.label = "constant";
      return s;
    };
  }
};

TEST_F(NodeSamplerTest, SharesTheNodeByCpuTimeAndTheIdleShareStaysUnattributed) {
  set_job_cpu("1", 100);  // running before the sampler starts: its past is not counted
  auto s = NodeSampler::open(request(), services_);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->zone(), "DE");

  // 10 s on 2 CPUs = 20 CPU-seconds: job 1 uses 10, job 2 starts and uses 5.
  clock_.advance(std::chrono::seconds(10));
  set_machine_seconds(10);
  set_job_cpu("1", 110);
  set_job_cpu("2", 5);
  auto iv = (*s)->sample_at_next_deadline();
  ASSERT_TRUE(iv) << iv.error().message;
  EXPECT_EQ(iv->source, sensors::JobCpuSource::kCgroup);
  EXPECT_DOUBLE_EQ(iv->node_energy.joules(), 1100);  // (100 + 10) W x 10 s
  ASSERT_EQ(iv->records.size(), 2u);
  EXPECT_DOUBLE_EQ(iv->records[0].cpu_share, 0.5);
  EXPECT_DOUBLE_EQ(iv->records[0].energy().joules(), 550);
  EXPECT_DOUBLE_EQ(iv->records[1].energy().joules(), 275);
  EXPECT_DOUBLE_EQ(iv->unattributed_share, 0.25);
  EXPECT_DOUBLE_EQ(iv->unattributed.joules(), 275);
  EXPECT_NEAR(iv->records[0].energy().joules() + iv->records[1].energy().joules() + iv->unattributed.joules(),
              iv->node_energy.joules(), 1e-9);
  EXPECT_EQ(iv->records[1].start, iv->start);
  EXPECT_EQ(iv->records[1].end - iv->records[1].start, std::chrono::seconds(10));
  EXPECT_EQ(iv->records[0].method(), sensors::Method::kEstimated);  // DRAM's estimate is the weakest part

  // Job 1 ends mid-interval (its cgroup is gone before the sample).
  clock_.advance(std::chrono::seconds(10));
  set_machine_seconds(20);
  fs::remove_all(dir_ / "cg" / "cpuacct" / "slurm_n1" / "uid_0" / "job_1");
  set_job_cpu("2", 15);
  auto next = (*s)->sample_at_next_deadline();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->ended, std::vector<std::string>{"1"});
  ASSERT_EQ(next->records.size(), 1u);
  EXPECT_EQ(next->records[0].job_id, "2");
  EXPECT_EQ(next->records[0].start, iv->end);  // intervals follow each other
  EXPECT_DOUBLE_EQ(next->records[0].energy().joules(), 550);
  EXPECT_DOUBLE_EQ(next->unattributed.joules(), 550);
}

TEST_F(NodeSamplerTest, RefusesANodeWithoutAName) {
  auto r = request();
  r.node.clear();
  auto s = NodeSampler::open(r, services_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kUsage);
  EXPECT_NE(s.error().message.find("--node"), std::string::npos);
}

runner::JobEnergyRecord record(int k, const std::string& node = "n1") {
  runner::JobEnergyRecord r;
  r.job_id = "42";
  r.node = node;
  r.start = *parse_utc("2023-03-01T10:00:00Z") + std::chrono::seconds(10 * k);
  r.end = r.start + std::chrono::seconds(10);
  r.attribution = "cgroup";
  r.node_energy = Energy::joules(100);
  r.components = {{sensors::Component::kCpu, Energy::joules(40), sensors::Method::kMeasured}};
  return r;
}

TEST(RecordShipper, SpoolsWhileTheServerIsDownBacksOffAndSendsEverythingOnceItIsBack) {
  const auto dir = greenrun::testing::make_temp_dir("shipper");
  FakeClock clock;
  bool up = false;
  size_t calls = 0;
  std::vector<runner::JobEnergyRecord> received;
  RecordSender send = [&](const std::string& body) -> Status {
    ++calls;
    if (!up) return make_error(ErrorKind::kUnavailable, "connection refused");
    auto r = runner::parse_records_body(body);
    EXPECT_TRUE(r) << r.error().message;
    received.insert(received.end(), r->begin(), r->end());
    return {};
  };
  ShipperOptions o;
  o.spool_path = (dir / "spool.jsonl").string();
  o.records_per_body = 2;
  {
    auto shipper = RecordShipper::open(o, send, clock);
    ASSERT_TRUE(shipper) << shipper.error().message;
    ASSERT_TRUE(shipper->add({record(0), record(1), record(2)}));
    auto f = shipper->flush();
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->attempted);
    EXPECT_EQ(f->pending, 3u);
    ASSERT_TRUE(f->last_error);
    EXPECT_EQ(*f->retry_at, clock.steady_now() + std::chrono::seconds(1));
    // Within the backoff nothing is tried.
    clock.advance(std::chrono::milliseconds(500));
    ASSERT_TRUE(shipper->add({record(3)}));
    auto waiting = shipper->flush();
    ASSERT_TRUE(waiting);
    EXPECT_FALSE(waiting->attempted);
    EXPECT_EQ(calls, 1u);
    EXPECT_EQ(waiting->pending, 4u);
    // The next failure doubles the backoff.
    clock.advance(std::chrono::milliseconds(500));
    auto second = shipper->flush();
    ASSERT_TRUE(second);
    EXPECT_EQ(*second->retry_at, clock.steady_now() + std::chrono::seconds(2));
    // A last attempt (the sampler stopping) tries within the backoff.
    auto last = shipper->flush(true);
    ASSERT_TRUE(last);
    EXPECT_TRUE(last->attempted);
    EXPECT_EQ(calls, 3u);
  }  // the sampler stops (or dies) with records pending: the spool keeps them
  up = true;
  auto restarted = RecordShipper::open(o, send, clock);
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->pending(), 4u);
  auto f = restarted->flush();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->sent, 4u);
  EXPECT_EQ(f->pending, 0u);
  ASSERT_EQ(received.size(), 4u);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(received[static_cast<size_t>(k)].start, record(k).start) << k;
  EXPECT_EQ(greenrun::testing::read_file(dir / "spool.jsonl"), "");
  // A torn last line (a crash mid-append) was never acknowledged: left out.
  std::ofstream(dir / "spool.jsonl", std::ios::app) << runner::to_json(record(9)) << "\n{\"job_id\":\"4";
  auto torn = RecordShipper::open(o, send, clock);
  ASSERT_TRUE(torn) << torn.error().message;
  EXPECT_EQ(torn->pending(), 1u);
  fs::remove_all(dir);
}

TEST(RecordShipper, ABodyTheServerRefusesIsKeptAsideAndDoesNotHoldBackTheRest) {
  const auto dir = greenrun::testing::make_temp_dir("shipper-rejected");
  FakeClock clock;
  size_t bodies = 0;
  RecordSender send = [&](const std::string&) -> Status {
    if (++bodies == 1) return make_error(ErrorKind::kBadData, "HTTP 400: $.records[0].node: missing");
    return {};
  };
  ShipperOptions o;
  o.spool_path = (dir / "spool.jsonl").string();
  o.records_per_body = 1;
  auto shipper = RecordShipper::open(o, send, clock);
  ASSERT_TRUE(shipper);
  ASSERT_TRUE(shipper->add({record(0), record(1)}));
  auto f = shipper->flush();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rejected, 1u);
  EXPECT_EQ(f->sent, 1u);
  EXPECT_EQ(f->pending, 0u);
  EXPECT_FALSE(f->last_error);
  EXPECT_EQ(greenrun::testing::read_file(dir / "spool.jsonl.rejected"), runner::to_json(record(0)) + "\n");
  fs::remove_all(dir);
}

TEST(RecordIngest, StoresOnceWhateverTheResendsAndNamesTheFault) {
  const auto dir = greenrun::testing::make_temp_dir("ingest");
  RecordIngest ingest((dir / "greenrun.db").string());
  EXPECT_FALSE(fs::exists(dir / "greenrun.db"));  // nothing written before a record comes
  const auto body = runner::records_body({record(0), record(1)});
  auto first = ingest.ingest(body);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->inserted, 2u);
  auto again = ingest.ingest(body);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, 2u);
  auto bad = ingest.ingest("{\"records\":[{\"job_id\":\"1\"}]}");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadData);
  EXPECT_EQ(bad.error().message, "$.records[0].node: missing");
  fs::remove_all(dir);
}

TEST(JobEnergyTotal, EachNodeIsPricedAtItsZoneAndTimeAndTheTotalIsTheirSum) {
  GREENRUN_REQUIRE_SHARED_DATA();
  const auto dir = greenrun::testing::make_temp_dir("job-total");
  Services services;
  services.store_path = (dir / "greenrun.db").string();
  {
    auto store = intensity::IntensityStore::open(services.store_path);
    ASSERT_TRUE(store) << store.error().message;
    for (const char* f : {"electricitymaps-hourly/green-dcc/US-MIDA-PJM_2023_hourly.csv",
                          "electricitymaps-hourly/green-dcc/US-CAL-CISO_2023_hourly.csv"}) {
      auto imported = intensity::import_file((greenrun::testing::shared_data() / f).string(), {});
      ASSERT_TRUE(imported) << imported.error().message;
      ASSERT_TRUE(store->import(imported->series));
    }
  }
  // Node n1 in PJM, n2 in California; intervals across an hour boundary.
  std::vector<runner::JobEnergyRecord> records;
  for (int k = 0; k < 4; ++k) {
    auto a = record(k * 180, "n1");  // every 30 min
    a.zone = "US-MIDA-PJM";
    auto b = record(k * 180, "n2");
    b.zone = "US-CAL-CISO";
    b.components[0].energy = Energy::joules(60);
    records.push_back(a);
    records.push_back(b);
  }
  RecordIngest ingest(services.store_path);
  ASSERT_TRUE(ingest.ingest(runner::records_body(records)));
  auto job = job_energy("42", services);
  ASSERT_TRUE(job) << job.error().message;
  ASSERT_EQ(job->nodes.size(), 2u);
  Mass sum_nodes;
  Energy energy_nodes;
  for (const auto& n : job->nodes) {
    Mass expected;
    for (const auto& r : records) {
      if (r.node != n.node) continue;
      PriceRequest p;
      p.zone = r.zone;
      p.energy = r.energy();
      p.from = r.start;
      p.to = r.end;
      expected += price_energy(p, services)->emissions;
    }
    ASSERT_TRUE(n.emissions) << n.node;
    EXPECT_NEAR(n.emissions->grams(), expected.grams(), 1e-12) << n.node;
    EXPECT_DOUBLE_EQ(n.coverage, 1.0) << n.node << ": " << n.source;
    EXPECT_EQ(n.intervals, 4u);
    sum_nodes += *n.emissions;
    energy_nodes += n.energy;
  }
  EXPECT_DOUBLE_EQ(job->energy.joules(), 4 * 40 + 4 * 60);
  EXPECT_DOUBLE_EQ(energy_nodes.joules(), job->energy.joules());
  ASSERT_TRUE(job->emissions);
  EXPECT_NEAR(job->emissions->grams(), sum_nodes.grams(), 1e-12);
  EXPECT_NE(job->nodes[0].emissions->grams() / 160, job->nodes[1].emissions->grams() / 240);  // two zones, two prices
  auto missing = job_energy("43", services);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
  fs::remove_all(dir);
}

TEST(SlurmConsumedEnergy, ShownWhereSacctHasItElseSaysWhyNot) {
  auto fails = [](const std::vector<std::string>& argv) -> Result<std::string> {
    EXPECT_EQ(argv[0], "sacct");
    return make_error(ErrorKind::kUnavailable, "sacct: Slurm accounting storage is disabled");
  };
  auto e = slurm_consumed_energy("12", fails);
  EXPECT_FALSE(e.energy);
  EXPECT_EQ(e.reason, "not configured (sacct: Slurm accounting storage is disabled)");
  // sacct answers "JOBID|JOULES"; `scontrol show config` names the plugin.
  auto slurm = [](std::string sacct_out, std::string config) {
    return [sacct_out, config](const std::vector<std::string>& argv) -> Result<std::string> {
      if (argv[0] == "sacct") {
        EXPECT_EQ(argv, (std::vector<std::string>{"sacct", "-j", "12", "-X", "-n", "-P", "-o",
                                                  "JobIDRaw,ConsumedEnergyRaw"}));
        return sacct_out;
      }
      EXPECT_EQ(argv, (std::vector<std::string>{"scontrol", "show", "config"}));
      if (config.empty()) return make_error(ErrorKind::kUnavailable, "scontrol: unreachable");
      return config;
    };
  };
  const std::string none = "Configuration data as of ...\nAccountingStorageType   = accounting_storage/slurmdbd\n"
                           "AcctGatherEnergyType    = acct_gather_energy/none\nAuthType = auth/munge\n";
  const std::string rapl = "AcctGatherEnergyType    = acct_gather_energy/rapl\n";
  auto zero = slurm_consumed_energy("12", slurm("12|0\n", none));
  EXPECT_FALSE(zero.energy);
  EXPECT_EQ(zero.reason,
            "Slurm recorded no energy: AcctGatherEnergyType is acct_gather_energy/none (no plugin measures it)");
  auto empty = slurm_consumed_energy("12", slurm("12|\n", rapl));
  EXPECT_FALSE(empty.energy);
  EXPECT_EQ(empty.reason, "Slurm recorded no energy: AcctGatherEnergyType is acct_gather_energy/rapl but it measured nothing");
  auto unknown = slurm_consumed_energy("12", slurm("12|0\n", ""));
  EXPECT_EQ(unknown.reason, "Slurm recorded no energy (AcctGatherEnergyType unknown: scontrol show config gave none)");
  auto missing = slurm_consumed_energy("12", slurm("", none));
  EXPECT_EQ(missing.reason, "not recorded (sacct has no record of job 12)");
  auto some = slurm_consumed_energy("12", slurm("sacct: warning: something\n12|5400\n", none));
  ASSERT_TRUE(some.energy) << some.reason;
  EXPECT_DOUBLE_EQ(some.energy->joules(), 5400);
  EXPECT_EQ(slurm_consumed_energy("", fails).reason, "not a Slurm job id");
  EXPECT_EQ(slurm_consumed_energy("12; rm -rf /", fails).reason, "not a Slurm job id");
}

}  // namespace
}  // namespace greenrun::engine
