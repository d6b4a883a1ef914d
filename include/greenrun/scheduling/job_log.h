// A cluster's job log for replay studies (`greenrun simulate --jobs FILE`):
// who submitted what, when, for how long and at what power, and when it had
// to be done.
//
// Two formats, told apart by the header:
//  - CSV with a header: id, submit, duration, power | energy, and optional
//    earliest, deadline | rule, interruptible. Times are ISO 8601 (a time
//    with no offset is a wall time in the site's zone), durations and powers
//    as the CLI's flags take them ("30m", "1000W", "2kWh"); interruptible is
//    true/false/yes/no/1/0 (default true). A rule is one of job_rule.h's.
//  - Slurm `sacct --parsable2` ('|'-separated, header line): JobID, Submit,
//    Elapsed and, where present, Start, TimeLimit, NNodes, ConsumedEnergy
//    (joules, K/M/G suffixes) and State. Job steps ("123.batch") are not
//    jobs: they are counted and reported, not replayed. A job with no
//    ConsumedEnergy draws NNodes x `node_power`.
//
// Errors (one line, "<name>:<line>: ..."): a missing column, a malformed
// field, a duplicate id (naming both lines). A row sacct could not time
// (Elapsed 0, a job that never started) is an exclusion, counted and
// listed with its line, never silently dropped.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/base/units.h"
#include "greenrun/scheduling/job_rule.h"
#include "greenrun/scheduling/presets.h"

namespace greenrun::scheduling {

struct LoggedJob {
  std::string id;
  size_t line = 0;
  UtcTime submit{};                 // the nominal start: "at once" starts here
  std::optional<UtcTime> earliest;  // opens the window (may be before submit)
  Duration duration{0};
  Power power;                      // mean power while running
  std::optional<UtcTime> deadline;  // the job must end by this
  std::optional<JobRule> rule;      // or by this rule
  bool interruptible = true;
};

struct LogExclusion {
  std::string id;
  size_t line = 0;
  std::string reason;
};

struct JobLog {
  std::string name;    // the file, for messages
  std::string format;  // "csv" or "sacct"
  std::vector<LoggedJob> jobs;
  std::vector<LogExclusion> excluded;
  size_t steps_ignored = 0;  // sacct job steps
};

struct JobLogOptions {
  TimeZone tz = TimeZone::utc();
  Power node_power = Power::watts(1000);  // sacct rows without ConsumedEnergy
};

[[nodiscard]] Result<JobLog> parse_job_log(std::string_view text,
                                           const std::string& name,
                                           const JobLogOptions& options);

// A synthetic log: every preset started at every time of `schedule` in
// [from, to) in `tz` (ids "<preset>@<time>", at the preset's mean power).
// Combined with an around: rule, windows may reach before the nominal time.
JobLog synthetic_log(std::span<const Preset> presets, const StartSchedule& schedule, UtcTime from,
                     UtcTime to, const TimeZone& tz);

// Slurm's "[D-]HH:MM:SS", "MM:SS" or "MM" (Elapsed, TimeLimit).
[[nodiscard]] Result<Duration> parse_slurm_duration(std::string_view text);

}  // namespace greenrun::scheduling
