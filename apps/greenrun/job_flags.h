// The one table of job flags: every command that describes a job (plan, run,
// simulate, and `slurm submit` when it comes) registers its job flags from
// here, so they share names, aliases, units and messages:
//
//   --duration, --expected-duration   how long the job runs without pauses
//   --power, --expected-power         its mean power: 300W, 0.3kW, 2MW or a
//                                     bare number of watts (the same on every
//                                     power flag)
//   --energy                          its total energy (instead of a power)
//   --min-pause                       no Pause and Resume pause shorter than
//                                     this (default engine::kDefaultMinPause)
//
// A command picks the flags it takes; the values are parsed by one function
// whose errors are usage errors (exit 2) naming the flag.
//
// Thread-safety: registration and parsing are for one thread.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"
#include "greenrun/engine.h"

namespace CLI {
class App;
class Option;
}

namespace greenrun::cli {

enum JobFlag : unsigned {
  kJobDuration = 1u << 0,
  kJobPower = 1u << 1,
  kJobEnergy = 1u << 2,
  kJobMinPause = 1u << 3,
};

// The flags as typed ("" when not given).
struct JobFlags {
  std::string duration, power, energy, min_pause;
};

// The flags as values (none when not given).
struct JobValues {
  std::optional<Duration> duration;
  std::optional<Power> power;
  std::optional<Energy> energy;
  std::optional<Duration> min_pause;
};

// Registers the flags in `which` (JobFlag bits) on `cmd`, in `group` when
// given. Returns the --duration option (null when not registered) so a
// command can make it required.
CLI::Option* add_job_flags(CLI::App& cmd, JobFlags& flags, unsigned which, const std::string& group = "");

// Parses the given flags. Errors (kUsage): "--duration: expected a positive
// duration such as 6h, got "x"", "--power: ...", "give --power or --energy,
// not both".
[[nodiscard]] Result<JobValues> parse_job_flags(const JobFlags& flags);

// A delay flag's value (--max-delay): a duration ("6h") or a share of the
// job's duration ("100%"). Errors (kUsage) name the flag.
[[nodiscard]] Result<engine::Delay> parse_delay_flag(const std::string& flag, const std::string& text);

// A power flag's value: a bare number is watts; else W, kW or MW.
[[nodiscard]] Result<Power> parse_power_flag(const std::string& flag, const std::string& text);

}  // namespace greenrun::cli
