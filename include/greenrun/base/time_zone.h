// TimeZone: a site's civil time from the system's tz database (TZif files
// under /usr/share/zoneinfo, RFC 8536), so that "the next working day at
// 09:00" means 09:00 on the wall clocks of the site across DST changes.
// libstdc++ 12 has no std::chrono::zoned_time, hence this small reader.
//
// Only the transitions in the file are used: the fat TZif files Debian ships
// list them up to 2037; later instants keep the last offset (documented, not
// silently extrapolated by a rule). Local times that do not exist (the hour
// skipped in spring) move forward by the gap; ambiguous ones (the hour
// repeated in autumn) take the earlier instant.
//
// Thread-safety: immutable after load; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/time_format.h"
#include "greenrun/base/units.h"

namespace greenrun {

class TimeZone {
 public:
  // UTC (offset 0, no transitions).
  static TimeZone utc();
  // "Europe/Berlin", "UTC", ... read from <root>/<name>. Errors: a name with
  // ".." or a leading '/', a missing file (kNotFound), a file that is not
  // TZif (kBadData).
  [[nodiscard]] static Result<TimeZone> load(
      std::string_view name, const std::string& root = "/usr/share/zoneinfo");

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at t.
  int64_t offset_seconds(UtcTime t) const;
  // The civil (wall-clock) time at t.
  CivilTime to_local(UtcTime t) const;
  // The instant of a wall-clock time: days since 1970-01-01 of the local
  // date, plus the time of day. Gaps move forward, overlaps take the earlier.
  UtcTime from_local(long long local_days, Duration time_of_day) const;

 private:
  std::string name_ = "UTC";
  std::vector<int64_t> at_;      // transition instants, UTC seconds, ascending
  std::vector<int32_t> offset_;  // offset in force from at_[i]
  int32_t initial_offset_ = 0;   // before the first transition
};

// An ISO 8601 date-time; one with no offset ("2023-03-26T02:30") is a wall
// time in `tz`, one with an offset ("Z", "+01:00") is taken as written.
[[nodiscard]] Result<UtcTime> parse_local(std::string_view text,
                                          const TimeZone& tz);

}  // namespace greenrun
