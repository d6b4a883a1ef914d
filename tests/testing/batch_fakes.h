// The Slurm agent's tests without daemons (tests/slurm): a forecast of whole
// minutes from a fixed time, a batch job as the agent reads it from squeue,
// and a fake Slurm (a CommandRunner) that answers squeue from a canned queue
// and records every command.
//
// Thread-safety: none; one test owns its fakes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "greenrun/batch_scheduling.h"
#include "slurm/command_runner.h"

namespace greenrun::testing {

inline constexpr int64_t kT0s = 1796616000;  // a whole minute, in epoch seconds
inline const UtcTime kT0 = UtcTime(std::chrono::seconds(kT0s));

// A DE forecast from kT0: minute m has values[m] (the last repeats), for 60 minutes.
inline intensity::IntensitySeries minutes_series(const std::vector<double>& values) {
  intensity::IntensitySeries s("DE", intensity::Signal::kAverageLifecycle, intensity::Origin::kForecast);
  s.set_provenance({"batch test", "batch_fakes", ""});
  for (int m = 0; m < 60; ++m)
    EXPECT_TRUE(s.append(kT0 + std::chrono::minutes(m), std::chrono::minutes(1),
                         CarbonIntensity::grams_per_kwh(values[std::min<size_t>(static_cast<size_t>(m), values.size() - 1)]))
                    .has_value());
  return s;
}

// Job 7 in `state`, expected to run for `duration`, due by `deadline`.
inline engine::BatchJob batch_job(engine::BatchJobState state, Duration duration, UtcTime deadline,
                                  bool interruptible = false) {
  engine::BatchJob j;
  j.id = "7";
  j.state = state;
  j.duration = duration;
  j.deadline = deadline;
  j.interruptible = interruptible;
  return j;
}

// Answers squeue from a canned queue (queue_json), anything else with
// success and no output, and records every command.
class FakeSlurm final : public slurm::CommandRunner {
 public:
  std::string queue_json;
  std::vector<std::vector<std::string>> calls;
  int fail_next = 0;  // this many commands fail (slurmctld unreachable)
  slurm::CommandResult run(const std::vector<std::string>& argv) override {
    calls.push_back(argv);
    if (fail_next > 0) {
      --fail_next;
      return {1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"};
    }
    if (argv[0] == "squeue") return {0, queue_json, ""};
    return {0, "", ""};
  }
  // How many `VERB` commands (scontrol VERB ..., scancel VERB ...) were run.
  size_t count(const std::string& verb) const {
    size_t n = 0;
    for (const auto& c : calls) n += c.size() > 1 && c[1] == verb;
    return n;
  }
};

}  // namespace greenrun::testing
