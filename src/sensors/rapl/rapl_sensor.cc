#include "sensors/rapl/rapl_sensor.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <regex>

namespace greenrun::sensors::rapl {
namespace {

struct FileRead {
  bool ok = false;
  int error = 0;
  std::string text;
};

FileRead read_small(const std::string& path) {
  FileRead r;
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) {
    r.error = errno;
    return r;
  }
  char buf[256];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  if (std::ferror(f)) {
    r.error = errno ? errno : EIO;
    std::fclose(f);
    return r;
  }
  std::fclose(f);
  r.text.assign(buf, n);
  while (!r.text.empty() && (r.text.back() == '\n' || r.text.back() == ' ')) r.text.pop_back();
  r.ok = true;
  return r;
}

Result<uint64_t> read_u64(const std::string& path) {
  const FileRead r = read_small(path);
  if (!r.ok) {
    if (r.error == EACCES || r.error == EPERM) return make_error(rapl_permission_advice(path));
    return make_error(path + ": cannot read: " + std::strerror(r.error));
  }
  uint64_t v = 0;
  auto res = std::from_chars(r.text.data(), r.text.data() + r.text.size(), v);
  if (res.ec != std::errc() || res.ptr != r.text.data() + r.text.size())
    return make_error(path + ": expected an unsigned integer, got \"" + r.text + "\"");
  return v;
}

}  // namespace

std::string rapl_permission_advice(const std::string& file) {
  return file +
         ": permission denied (RAPL energy counters are readable by root only since the "
         "CVE-2020-8694 fix, Linux 5.10). Grant read access with `sudo chmod o+r "
         "/sys/class/powercap/intel-rapl:*/energy_uj /sys/class/powercap/intel-rapl:*:*/energy_uj` "
         "(until reboot), or permanently with a udev rule in "
         "/etc/udev/rules.d/90-greenrun-rapl.rules: "
         "SUBSYSTEM==\"powercap\", ACTION==\"add\", RUN+=\"/bin/chmod o+r /sys%p/energy_uj\" "
         "(or a group: chgrp power + chmod g+r). Falling back to estimates.";
}

Result<std::unique_ptr<RaplSensor>> RaplSensor::open(const std::string& powercap_root) {
  std::unique_ptr<RaplSensor> s(new RaplSensor(powercap_root));
  static const std::regex top(R"(intel-rapl:(\d+))");
  static const std::regex sub(R"(intel-rapl:(\d+):(\d+))");
  std::error_code ec;
  std::vector<std::string> ids;
  for (const auto& e : std::filesystem::directory_iterator(powercap_root, ec)) {
    ids.push_back(e.path().filename().string());
  }
  if (ec) return make_error(powercap_root + ": cannot list: " + ec.message());
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    const bool is_top = std::regex_match(id, top);
    const bool is_sub = !is_top && std::regex_match(id, sub);
    if (!is_top && !is_sub) continue;  // intel-rapl (control type), intel-rapl-mmio:*, ...
    const std::string dir = powercap_root + "/" + id;
    const FileRead name = read_small(dir + "/name");
    if (!name.ok) continue;
    RaplZone z;
    z.id = id;
    z.name = name.text;
    if (is_top && z.name.rfind("package", 0) == 0) {
      z.component = Component::kCpu;
    } else if (is_top && z.name == "psys") {
      z.component = Component::kPlatform;
    } else if (z.name == "dram") {
      z.component = Component::kDram;
    } else {
      continue;  // core, uncore, gpu (integrated graphics) sit inside package
    }
    auto range = read_u64(dir + "/max_energy_range_uj");
    if (!range) return std::unexpected(range.error());
    if (*range == 0) return make_error(dir + "/max_energy_range_uj: expected a positive range, got 0");
    z.range_uj = *range;
    auto now = read_u64(dir + "/energy_uj");
    if (!now) return std::unexpected(now.error());
    z.last.microjoules = *now;
    z.primed = true;
    s->zones_.push_back(std::move(z));
  }
  if (s->zones_.empty()) return make_error(powercap_root + ": no intel-rapl package, dram or psys zones");
  return s;
}

std::vector<Component> RaplSensor::components() const {
  std::vector<Component> out;
  for (const auto& z : zones_)
    if (std::find(out.begin(), out.end(), z.component) == out.end()) out.push_back(z.component);
  return out;
}

Result<SensorSample> RaplSensor::read(const SampleInput& in) {
  (void)in;
  SensorSample sample;
  size_t alive = 0;
  for (auto& z : zones_) {
    if (z.lost) continue;
    const std::string path = root_ + "/" + z.id + "/energy_uj";
    auto now = read_u64(path);
    if (!now) {
      z.lost = true;
      sample.warnings.push_back("rapl zone " + z.id + " (" + z.name + ") lost: " + now.error().message +
                                "; its energy is no longer counted");
      continue;
    }
    ++alive;
    const CounterReading current{*now};
    sample.readings.push_back(Reading{z.component, z.name, delta(z.last, current, z.range_uj),
                                      Method::kMeasured, std::nullopt});
    z.last = current;
  }
  if (alive == 0) return make_error(root_ + ": every RAPL zone has disappeared");
  return sample;
}

Duration RaplSensor::max_safe_interval(Power max_power) const {
  uint64_t smallest = UINT64_MAX;
  for (const auto& z : zones_) smallest = std::min(smallest, z.range_uj);
  const double seconds = static_cast<double>(smallest) * 1e-6 / max_power.watts();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace greenrun::sensors::rapl
