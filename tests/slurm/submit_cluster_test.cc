// `greenrun slurm submit` against a real cluster and a 1-minute forecast: the
// job starts at the planned time (Slurm's StartTime, then the job's own
// timestamp), the plan is recorded; a job without a deadline is submitted to
// start at once and the output says why.
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"

#include "slurm_e2e.h"

namespace greenrun {
namespace {

using greenrun::testing::eventually;
using slurm_e2e::SlurmE2E;
namespace fs = std::filesystem;

TEST_F(SlurmE2E, SubmittedJobStartsAtThePlannedTimeNotBefore) {
  // The current minute is dirty, the next one clean, the rest dirty again.
  greenrun::testing::wait_for_minute_left(std::chrono::seconds(8));
  auto m0 = greenrun::testing::store_minute_forecast(store(), "DE", {500, 100, 500});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  const std::string stamp = (dir_ / "job.out").string();
  ASSERT_EQ(run("submit", {"slurm", "submit", "--zone", "DE", "--max-delay", "5m", "--", "-t", "1", "-o", stamp,
                           "--wrap", "date +%s"}),
            0)
      << err("submit");
  const std::string printed = out("submit");
  std::cout << printed;
  ASSERT_NE(printed.find("planned start"), std::string::npos) << printed;
  const std::string first = printed.substr(0, printed.find('\n'));  // "Submitted batch job ID"
  const std::string id = first.substr(first.rfind(' ') + 1);
  const fs::path record = dir_ / "store" / "slurm" / (id + ".json");
  const auto plan = nlohmann::json::parse(greenrun::testing::read_file(record));
  EXPECT_EQ(plan["job_id"], id);
  EXPECT_TRUE(plan["flexible"].get<bool>());
  EXPECT_GT(plan["saving_percent"].get<double>(), 50.0);
  // The clean minute: its start is the plan's.
  const int64_t planned =
      std::chrono::duration_cast<std::chrono::seconds>((*m0 + std::chrono::minutes(1)).time_since_epoch()).count();
  EXPECT_EQ(plan["begin"], greenrun::format_utc(*m0 + std::chrono::minutes(1)));
  EXPECT_EQ(cluster_->slurm("squeue -h -o %r -j " + id).out, "BeginTime\n");
  // It runs once the minute comes (bounded: 2.5 min), and not before.
  ASSERT_TRUE(eventually([&] { return !slurm_e2e::trimmed(greenrun::testing::read_file(stamp)).empty(); }, 7500))
      << cluster_->slurm("scontrol show job " + id).out;
  const int64_t ran = std::stoll(slurm_e2e::trimmed(greenrun::testing::read_file(stamp)));
  EXPECT_GE(ran, planned);
  EXPECT_LT(ran, planned + 60) << "started within its clean minute";
}

TEST_F(SlurmE2E, AJobWithoutADeadlineIsNotFlexibleAndStartsAtOnce) {
  ASSERT_TRUE(greenrun::testing::store_minute_forecast(store(), "DE", {500, 100, 500}).has_value());
  ASSERT_EQ(run("submit", {"slurm", "submit", "--zone", "DE", "--", "-t", "1", "-o", "/dev/null", "--wrap", "true"}), 0) << err("submit");
  EXPECT_NE(out("submit").find("starts at once: not flexible: no --deadline or --max-delay"), std::string::npos)
      << out("submit");
  // No time limit at all: not flexible either, whatever the deadline.
  ASSERT_EQ(run("submit2", {"slurm", "submit", "--zone", "DE", "--max-delay", "1h", "--", "-o", "/dev/null", "--wrap", "true"}), 0)
      << err("submit2");
  EXPECT_NE(out("submit2").find("not flexible: no time limit"), std::string::npos) << out("submit2");
  // Bad input: a malformed --time names the flag; nothing submitted.
  EXPECT_EQ(run("bad", {"slurm", "submit", "--zone", "DE", "--max-delay", "1h", "--", "--time=soon", "--wrap", "true"}),
            2);
  EXPECT_NE(err("bad").find("--time: expected minutes"), std::string::npos) << err("bad");
}

}  // namespace
}  // namespace greenrun
