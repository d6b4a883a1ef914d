// The records body of POST /greenrun/v1/records: what to_json writes reads
// back the same, every fault is named by its JSON path, and the store keeps a
// record once whatever the number of times it is sent.
#include "greenrun/runner/job_energy_record.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "greenrun/base/time_format.h"
#include "runner/job_energy_store.h"
#include "testing/paths.h"

namespace greenrun::runner {
namespace {

JobEnergyRecord sample_record(const std::string& job = "42", const std::string& node = "n1") {
  JobEnergyRecord r;
  r.job_id = job;
  r.node = node;
  r.steps = {"0", "batch"};
  r.start = *parse_utc("2023-03-01T10:00:00Z");
  r.end = *parse_utc("2023-03-01T10:00:10Z");
  r.zone = "DE";
  r.attribution = "cgroup";
  r.cpu_share = 0.5;
  r.node_energy = Energy::joules(1000);
  r.unattributed = Energy::joules(450);
  r.components = {{sensors::Component::kCpu, Energy::joules(500), sensors::Method::kMeasured},
                  {sensors::Component::kDram, Energy::joules(50), sensors::Method::kEstimated}};
  return r;
}

TEST(JobEnergyRecord, RoundTripsThroughTheBody) {
  const auto body = records_body({sample_record(), sample_record("43", "n2")});
  auto back = parse_records_body(body);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  const auto& r = (*back)[0];
  EXPECT_EQ(r.job_id, "42");
  EXPECT_EQ(r.steps, (std::vector<std::string>{"0", "batch"}));
  EXPECT_EQ(r.start, sample_record().start);
  EXPECT_EQ(r.zone, "DE");
  EXPECT_DOUBLE_EQ(r.energy().joules(), 550);
  EXPECT_EQ(r.method(), sensors::Method::kEstimated);
  EXPECT_EQ((*back)[1].node, "n2");
  EXPECT_EQ(to_json((*back)[0]), to_json(sample_record()));
}

TEST(JobEnergyRecord, EveryFaultIsNamedByItsJsonPath) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string body = records_body({sample_record(), sample_record("7")});
    const size_t at = body.rfind(from);  // in the second record
    EXPECT_NE(at, std::string::npos) << from;
    body.replace(at, from.size(), to);
    auto r = parse_records_body(body);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(with("\"energy_j\":50.0", "\"energy_j\":-1"),
            "$.records[1].components[1].energy_j: expected a non-negative number");
  EXPECT_EQ(with("\"job_id\":\"7\"", "\"job_id\":7"), "$.records[1].job_id: expected a string");
  EXPECT_EQ(with("\"node\":\"n1\",", ""), "$.records[1].node: missing");
  EXPECT_EQ(with("\"method\":\"estimated\"", "\"method\":\"guessed\""),
            "$.records[1].components[1].method: expected measured, integrated, estimated or simulated");
  EXPECT_EQ(with("\"end\":\"2023-03-01T10:00:10Z\"", "\"end\":\"2023-03-01T09:00:00Z\""),
            "$.records[1].end: expected a time after start");
  EXPECT_EQ(with("\"cpu_share\":0.5", "\"cpu_share\":1.5"), "$.records[1].cpu_share: expected a number from 0 to 1");
  EXPECT_EQ(with("\"attribution\":\"cgroup\"", "\"attribution\":\"guess\""),
            "$.records[1].attribution: expected \"cgroup\", \"cgroup-tasks\" or \"process-tree\"");
  EXPECT_EQ(with("\"node_energy_j\":1000.0", "\"node_energy_j\":10.0"),
            "$.records[1].components: the job's energy and the unattributed energy exceed node_energy_j");
  EXPECT_NE(with("\"start\":\"2023-03-01T10:00:00Z\"", "\"start\":\"yesterday\"").find("$.records[1].start: "),
            std::string::npos);
  EXPECT_EQ(parse_records_body("[1]").error().message, "$: expected an object {\"records\": [...]}");
  EXPECT_EQ(parse_records_body("{\"records\":{}}").error().message, "$.records: expected an array");
  EXPECT_EQ(parse_records_body("{nope").error().message, "$: expected a JSON object");
  std::string many = "{\"records\":[";
  for (size_t i = 0; i <= kMaxRecordsPerBody; ++i) many += (i ? "," : "") + std::string("{}");
  EXPECT_EQ(parse_records_body(many + "]}").error().message, "$.records: more than 1000 records in one body");
}

TEST(JobEnergyStore, KeepsARecordOnceAndReadsAJobByNodeThenTime) {
  const auto dir = greenrun::testing::make_temp_dir("job-energy-store");
  auto store = JobEnergyStore::open((dir / "greenrun.db").string());
  ASSERT_TRUE(store) << store.error().message;
  auto later = sample_record();
  later.start = sample_record().end;
  later.end = later.start + std::chrono::seconds(10);
  auto first = store->insert({later, sample_record("42", "n2"), sample_record()});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->inserted, 3u);
  auto again = store->insert({sample_record(), sample_record("99")});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->inserted, 1u);
  EXPECT_EQ(again->duplicates, 1u);
  auto job = store->job("42");
  ASSERT_TRUE(job);
  ASSERT_EQ(job->size(), 3u);
  EXPECT_EQ((*job)[0].node, "n1");
  EXPECT_EQ((*job)[0].start, sample_record().start);
  EXPECT_EQ((*job)[1].start, later.start);
  EXPECT_EQ((*job)[2].node, "n2");
  EXPECT_TRUE(store->job("nope")->empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::runner
