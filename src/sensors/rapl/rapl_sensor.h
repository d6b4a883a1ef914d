// RaplSensor: CPU package, DRAM and platform (psys) energy from the Linux
// powercap sysfs (/sys/class/powercap, a constructor argument).
//
// What is counted (docs/formats.md, "Sensors"):
// - top-level zones "intel-rapl:N" named "package-N": CPU, one per socket,
//   summed over sockets;
// - sub-zones "intel-rapl:N:M" named "dram": DRAM (a separate RAPL domain that
//   powercap merely nests under its package, so it is not inside package);
// - sub-zones named "core", "uncore" (and anything else) are contained in
//   their package and are never counted;
// - a top-level zone named "psys" (platform) overlaps package and dram: it is
//   reported as its own Component::kPlatform reading and never added to CPU or
//   DRAM. Totals use package + dram.
// - "intel-rapl-mmio:*" zones duplicate the MSR package zone and are skipped.
//
// energy_uj is readable by root only on kernels patched for CVE-2020-8694
// (Linux 5.10 and later backports); open() then fails with a message saying
// how to grant read access, and the caller falls back to estimates.
// A zone that disappears mid-run (CPU hot-unplug, driver unload) is dropped
// with a warning; read() fails only when no zone is left.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/sensors/energy_sensor.h"
#include "sensors/rapl/rapl_counter.h"

namespace greenrun::sensors::rapl {

struct RaplZone {
  std::string id;    // "intel-rapl:0", "intel-rapl:0:2"
  std::string name;  // "package-0", "dram", "psys"
  Component component = Component::kCpu;
  uint64_t range_uj = 0;
  CounterReading last;
  bool primed = false;
  bool lost = false;
};

class RaplSensor final : public EnergySensor {
 public:
  // Finds the zones under `powercap_root` and reads each once. Errors: no
  // RAPL zones ("<root>: no intel-rapl zones"), or a zone's energy_uj cannot
  // be read (the message explains how to grant read access).
  [[nodiscard]] static Result<std::unique_ptr<RaplSensor>> open(
      const std::string& powercap_root = "/sys/class/powercap");

  std::string_view name() const override { return "rapl"; }
  std::vector<Component> components() const override;
  [[nodiscard]] Result<SensorSample> read(const SampleInput& in) override;

  const std::vector<RaplZone>& zones() const { return zones_; }

  // The longest sampling interval that cannot miss a wrap if every counted
  // zone drew at most `max_power` (default 1 kW, above any socket's TDP).
  Duration max_safe_interval(Power max_power = Power::watts(1000)) const;

 private:
  explicit RaplSensor(std::string root) : root_(std::move(root)) {}
  std::string root_;
  std::vector<RaplZone> zones_;
};

// The advice printed when energy_uj is not readable.
std::string rapl_permission_advice(const std::string& file);

}  // namespace greenrun::sensors::rapl
