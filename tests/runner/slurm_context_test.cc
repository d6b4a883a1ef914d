// SlurmContext: the job, node and rank of a task from slurmd's variables,
// and its round trip through run.json.
#include "greenrun/runner/slurm_context.h"

#include <gtest/gtest.h>

#include <map>

#include "greenrun/runner/run_record.h"

namespace greenrun::runner {
namespace {

auto env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(SlurmContext, ReadsTheTaskVariablesAndNamesABadOne) {
  auto none = SlurmContext::from_environment(env_of({}));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto c = SlurmContext::from_environment(
      env_of({{"SLURM_JOB_ID", "12"}, {"SLURMD_NODENAME", "n2"}, {"SLURM_PROCID", "3"}, {"SLURM_LOCALID", "1"}}));
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->job_id, "12");
  EXPECT_EQ((*c)->node, "n2");
  EXPECT_EQ((*c)->procid, 3);
  EXPECT_EQ((*c)->localid, 1);
  EXPECT_FALSE((*c)->node_energy_owner());
  auto batch = SlurmContext::from_environment(env_of({{"SLURM_JOB_ID", "12"}}));  // a batch script: no task ids
  ASSERT_TRUE(batch && *batch);
  EXPECT_TRUE((*batch)->node_energy_owner());
  auto bad = SlurmContext::from_environment(env_of({{"SLURM_JOB_ID", "12"}, {"SLURM_LOCALID", "x"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "SLURM_LOCALID=x: expected a non-negative integer");
}

TEST(SlurmContext, RoundTripsThroughRunJson) {
  RunRecord r;
  r.id = "abc";
  r.slurm = SlurmContext{"12", "n2", 3, 1, "batch"};
  auto back = run_record_from_json(to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->slurm);
  EXPECT_EQ(back->slurm->job_id, "12");
  EXPECT_EQ(back->slurm->node, "n2");
  EXPECT_EQ(back->slurm->procid, 3);
  EXPECT_EQ(back->slurm->localid, 1);
  EXPECT_EQ(back->slurm->step_id, "batch");
  RunRecord plain;
  plain.id = "def";
  auto no_slurm = run_record_from_json(to_json(plain));
  ASSERT_TRUE(no_slurm);
  EXPECT_FALSE(no_slurm->slurm);
}

}  // namespace
}  // namespace greenrun::runner
