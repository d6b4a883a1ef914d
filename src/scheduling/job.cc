#include "greenrun/scheduling/job.h"

#include <cmath>

#include "greenrun/base/quantity_parse.h"

namespace greenrun::scheduling {

PowerProfile PowerProfile::constant(Power p) {
  PowerProfile out;
  out.constant_ = p;
  return out;
}

Result<PowerProfile> PowerProfile::intervals(std::vector<PowerInterval> parts) {
  if (parts.empty()) return make_error("expected at least one power interval");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].duration.count() <= 0)
      return make_error("power interval " + std::to_string(i) + ": expected a positive duration");
    if (!(parts[i].power.watts() >= 0) || !std::isfinite(parts[i].power.watts()))
      return make_error("power interval " + std::to_string(i) + ": expected a non-negative power");
  }
  PowerProfile out;
  out.parts_ = std::move(parts);
  return out;
}

Power PowerProfile::mean_power() const {
  if (parts_.empty()) return constant_;
  double joules = 0;
  double seconds = 0;
  for (const PowerInterval& p : parts_) {
    joules += (p.power * p.duration).joules();
    seconds += to_seconds(p.duration);
  }
  return Power::watts(joules / seconds);
}

Result<Job> Job::make(Duration duration, PowerProfile power) {
  if (duration.count() <= 0)
    return make_error("expected a positive job duration, got " +
                      (duration.count() == 0 ? std::string("0") : "-" + format_duration(-duration)));
  if (power.is_constant()) {
    const double w = power.mean_power().watts();
    if (!(w >= 0) || !std::isfinite(w))
      return make_error("expected a non-negative, finite power");
  } else {
    Duration total{0};
    for (const PowerInterval& p : power.parts()) total += p.duration;
    if (total != duration)
      return make_error("power profile covers " + format_duration(total) + " but the job runs " +
                        format_duration(duration));
  }
  return Job(duration, std::move(power));
}

Result<Job> Job::with_energy(Duration duration, Energy energy) {
  if (duration.count() <= 0) return make(duration, PowerProfile::constant(Power::zero()));
  if (!(energy.joules() >= 0) || !std::isfinite(energy.joules()))
    return make_error("expected a non-negative, finite energy");
  return make(duration, PowerProfile::constant(energy / duration));
}

}  // namespace greenrun::scheduling
