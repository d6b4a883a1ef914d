// `greenrun plan --print-start`: only the best start, in the local-time form
// sbatch --begin (and `date -d`, for at -t) read. No Slurm needed.
#include <gtest/gtest.h>

#include <filesystem>

#include "slurm/slurm_client.h"
#include "testing/cli_process.h"
#include "testing/minute_forecast.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

TEST(PlanPrintStart, PrintsTheBestStartAsSbatchBeginReadsIt) {
  const auto dir = greenrun::testing::make_temp_dir("print-start");
  greenrun::testing::wait_for_minute_left(std::chrono::seconds(8));
  auto m0 = greenrun::testing::store_minute_forecast(dir / "greenrun.db", "DE", {500, 500, 100, 500});
  ASSERT_TRUE(m0.has_value()) << m0.error().message;
  const int rc = greenrun::testing::wait_exit(greenrun::testing::start_cli(
      {"plan", "--zone", "DE", "--duration", "1m", "--max-delay", "10m", "--mode", "flexible", "--print-start"}, dir));
  ASSERT_EQ(rc, 0) << greenrun::testing::read_file(dir / "stderr.txt");
  EXPECT_EQ(greenrun::testing::read_file(dir / "stdout.txt"), slurm::slurm_time(*m0 + std::chrono::minutes(2)) + "\n");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace greenrun
