// When a logged or synthetic job may run: a rule turns a job's nominal
// (submit) time and duration into its window [open, deadline) in the site's
// time zone, and a start schedule generates nominal times for synthetic
// workloads ("daily@01:00", "weekdays@01:00", "cron:0 1 * * 1-5").
//
// One meaning of a window (docs/scheduling.md): a window holds the whole job,
// it opens at `open` and the job must END by `deadline`; "slack" is the time
// allowed beyond the job's own duration (deadline = nominal + duration +
// slack). Rules:
//   slack:6h            [nominal, nominal + duration + 6h)
//   within:24h          [nominal, nominal + 24h)   (as `plan --window 24h`)
//   around:3h           start up to 3h before or after the nominal time:
//   around:2h/4h        [nominal - 2h, nominal + 4h + duration)
//   next-workday@09:00  done by HH:MM local on the first Monday-Friday after
//                       the nominal time's local date
//   weekly:mon,thu@09:00  done by the first of these local slots at or after
//                       nominal + duration
//   deadline:T          done by T (ISO 8601; local in the site's zone
//                       unless it has an offset)
// A job's own `earliest` opens its window earlier (or later) than the rule.
//
// Thread-safety: immutable values; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_zone.h"
#include "greenrun/base/units.h"

namespace greenrun::scheduling {

struct JobRule {
  enum class Kind {
    kSlack,
    kWithin,
    kAround,
    kNextWorkday,
    kWeekly,
    kDeadline
  };
  Kind kind = Kind::kSlack;
  Duration before{0}, after{0};  // kSlack: after; kWithin: after; kAround: both
  Duration time_of_day{0};       // kNextWorkday, kWeekly (local)
  uint8_t weekdays = 0;          // kWeekly: bit d for day d (0 = Monday)
  UtcTime deadline{};            // kDeadline
  std::string text;              // as given
};

// Errors name what was expected (the caller adds the file:line or flag).
[[nodiscard]] Result<JobRule> parse_job_rule(std::string_view text,
                                             const TimeZone& tz);

struct JobWindow {
  UtcTime open;      // earliest start
  UtcTime deadline;  // the job must end by this
};

// The window of a job nominally starting at `nominal` and lasting `duration`.
// May be shorter than the job (the caller reports it infeasible).
JobWindow resolve_window(const JobRule& rule, UtcTime nominal,
                         Duration duration, const TimeZone& tz);

// Nominal start times of a synthetic workload, in the site's zone.
//   daily@HH:MM, weekdays@HH:MM, cron:MIN HOUR DOM MON DOW (numbers, *, a-b,
//   lists, /step; DOW 0-7 with 0 and 7 Sunday; as cron, when both DOM and
//   DOW are restricted either may match).
struct StartSchedule {
  std::vector<uint64_t> minute_mask;  // [0]: minutes 0..59
  uint32_t hours = 0;                 // bits 0..23
  uint32_t days_of_month = 0;         // bits 1..31
  uint16_t months = 0;                // bits 1..12
  uint8_t days_of_week = 0;           // bits 0..6, 0 = Sunday
  bool dom_any = true, dow_any = true;
  std::string text;
};
[[nodiscard]] Result<StartSchedule> parse_start_schedule(std::string_view text);

// The schedule's instants in [from, to), ascending. Each local minute is
// mapped with TimeZone::from_local (a time in a spring gap moves forward; an
// autumn overlap gives the earlier instant, once).
std::vector<UtcTime> schedule_times(const StartSchedule& s, UtcTime from,
                                    UtcTime to, const TimeZone& tz);

}  // namespace greenrun::scheduling
