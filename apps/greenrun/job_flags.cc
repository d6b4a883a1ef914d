#include "job_flags.h"

#include <CLI/CLI.hpp>

#include <cmath>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"
#include "greenrun/job_defaults.h"

namespace greenrun::cli {
namespace {

struct JobFlagSpec {
  JobFlag flag;
  const char* names;  // CLI11's "--name,--alias"
  std::string JobFlags::*field;
  const char* help;
};

// The table. The first name is the one messages use.
const JobFlagSpec kJobFlags[] = {
    {kJobDuration, "--duration,--expected-duration", &JobFlags::duration,
     "How long the job runs without pauses, e.g. 6h (alias --expected-duration)"},
    {kJobPower, "--power,--expected-power", &JobFlags::power,
     "The job's mean power: 300W, 0.3kW or 300 (watts) (alias --expected-power; default: the same command's last "
     "run for `run`, else 300 W, labelled as assumed)"},
    {kJobEnergy, "--energy", &JobFlags::energy, "The job's total energy instead of a power, e.g. 3.1kWh"},
    {kJobMinPause, "--min-pause", &JobFlags::min_pause,
     "No Pause and Resume pause shorter than this, e.g. 30m; 0 for any (default 10m)"},
};

std::unexpected<Error> usage(std::string m) { return make_error(ErrorKind::kUsage, std::move(m)); }

}  // namespace

CLI::Option* add_job_flags(CLI::App& cmd, JobFlags& flags, unsigned which, const std::string& group) {
  CLI::Option* duration = nullptr;
  for (const JobFlagSpec& s : kJobFlags) {
    if (!(which & s.flag)) continue;
    CLI::Option* o = cmd.add_option(s.names, flags.*(s.field), s.help);
    if (!group.empty()) o->group(group);
    if (s.flag == kJobDuration) duration = o;
  }
  return duration;
}

Result<Power> parse_power_flag(const std::string& flag, const std::string& text) {
  const std::string_view t = trim(text);
  auto bare = parse_number(t);
  Result<Power> p = bare ? Result<Power>(Power::watts(*bare)) : parse_power(t);
  if (!p || !(p->watts() > 0) || !std::isfinite(p->watts()))
    return usage(flag + ": expected a positive power such as 300W, 0.3kW or 300 (watts), got \"" + text + "\"");
  return p;
}

Result<JobValues> parse_job_flags(const JobFlags& f) {
  JobValues v;
  if (!f.duration.empty()) {
    auto d = parse_duration(f.duration);
    if (!d || d->count() <= 0)
      return usage("--duration: expected a positive duration such as 6h, got \"" + f.duration + "\"");
    v.duration = *d;
  }
  if (!f.power.empty() && !f.energy.empty()) return usage("give --power or --energy, not both");
  if (!f.power.empty()) {
    auto p = parse_power_flag("--power", f.power);
    if (!p) return std::unexpected(p.error());
    v.power = *p;
  }
  if (!f.energy.empty()) {
    auto e = parse_energy(f.energy);
    if (!e || !(e->joules() > 0))
      return usage("--energy: expected a positive energy such as 3.1kWh, got \"" + f.energy + "\"");
    v.energy = *e;
  }
  if (!f.min_pause.empty()) {
    auto d = trim(f.min_pause) == "0" ? Result<Duration>(Duration(0)) : parse_duration(f.min_pause);
    if (!d || d->count() < 0)
      return usage("--min-pause: expected a duration such as 10m (0 for any), got \"" + f.min_pause + "\"");
    v.min_pause = *d;
  }
  return v;
}

Result<engine::Delay> parse_delay_flag(const std::string& flag, const std::string& text) {
  const auto bad = [&] {
    return make_error(ErrorKind::kUsage, flag + ": expected a duration or a percentage such as 100%, got " + text);
  };
  const std::string_view m = trim(text);
  engine::Delay d;
  if (!m.empty() && m.back() == '%') {
    auto pct = parse_number(m.substr(0, m.size() - 1));
    if (!pct || !(*pct >= 0) || !std::isfinite(*pct)) return bad();
    d.percent = *pct;
  } else {
    auto x = parse_duration(m);
    if (!x || x->count() < 0) return bad();
    d.absolute = *x;
  }
  return d;
}

}  // namespace greenrun::cli
