// The agent re-plans a pending opted-in job when the store's forecast
// changes: a real store in a scratch folder, a fake command runner, a fixed
// time (no daemons, fast).
#include <gtest/gtest.h>

#include <filesystem>

#include "intensity/store.h"
#include "slurm/agent.h"
#include "testing/batch_fakes.h"
#include "testing/paths.h"

namespace greenrun::slurm {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using greenrun::testing::FakeSlurm;
using greenrun::testing::kT0;

void store_forecast(const std::string& store, int clean_minute) {
  intensity::IntensitySeries s("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  s.set_provenance({"replan test", "agent_replan_test", ""});
  for (int m = 0; m < 60; ++m)
    ASSERT_TRUE(s.append(kT0 + minutes(m), minutes(1), CarbonIntensity::grams_per_kwh(m == clean_minute ? 50 : 600))
                    .has_value());
  auto st = intensity::IntensityStore::open(store);
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->import({s}).has_value());
}

TEST(AgentReplan, APendingJobFollowsANewForecast) {
  const auto dir = greenrun::testing::make_temp_dir("agent-replan");
  const std::string store = (dir / "greenrun.db").string();
  store_forecast(store, 5);
  const int64_t t0 = std::chrono::duration_cast<seconds>(kT0.time_since_epoch()).count();
  FakeSlurm fake;
  fake.queue_json = "{\"jobs\":[{\"job_id\":42,\"job_state\":\"PENDING\",\"state_reason\":\"BeginTime\","
                    "\"comment\":\"greenrun:deadline=" + std::to_string(t0 + 40 * 60) + "\",\"start_time\":" +
                    std::to_string(t0 + 30 * 60) + ",\"time_limit\":1,\"deadline\":0}]}";
  SlurmClient client(fake, 1, [](Duration) {});
  engine::Services services;
  services.store_path = store;
  AgentOptions options;
  options.zone = "DE";
  options.forecast.provider = "store";
  Agent agent(options, client, services, nullptr);
  ASSERT_TRUE(agent.tick(kT0 + seconds(10)).has_value());
  ASSERT_EQ(fake.calls.size(), 2u);
  EXPECT_EQ(fake.calls[1][2], "jobid=42");
  EXPECT_EQ(fake.calls[1][3], "StartTime=" + slurm_time(kT0 + minutes(5)));
  // The forecast changes: minute 12 is now the clean one.
  store_forecast(store, 12);
  fake.queue_json.replace(fake.queue_json.find(std::to_string(t0 + 30 * 60)), 10, std::to_string(t0 + 5 * 60));
  ASSERT_TRUE(agent.tick(kT0 + seconds(20)).has_value());
  ASSERT_EQ(fake.calls.size(), 4u);
  EXPECT_EQ(fake.calls[3][3], "StartTime=" + slurm_time(kT0 + minutes(12)));
  // Unchanged forecast, start already there: no scontrol (no churn).
  fake.queue_json.replace(fake.queue_json.find(std::to_string(t0 + 5 * 60)), 10, std::to_string(t0 + 12 * 60));
  ASSERT_TRUE(agent.tick(kT0 + seconds(30)).has_value());
  EXPECT_EQ(fake.calls.size(), 5u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun::slurm
