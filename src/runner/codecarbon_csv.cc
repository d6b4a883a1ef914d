#include "runner/codecarbon_csv.h"

#include <gnu/libc-version.h>
#include <sys/utsname.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <array>
#include <vector>

#include "greenrun/base/text_reader.h"
#include "greenrun/base/time_format.h"

#include "greenrun/intensity/zone_catalogue.h"
#include "intensity/countries.h"

namespace greenrun::runner {

namespace {

using sensors::Component;

std::string field(const std::string& s) { return quote_csv(s); }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string join(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    line += cells[i];
  }
  return line;
}

// Python's platform.platform() on Linux: "Linux-6.1.0-13-amd64-x86_64-with-glibc2.36".
std::string platform_string() {
  struct utsname u {};
  if (::uname(&u) != 0) return "";
  return std::string(u.sysname) + "-" + u.release + "-" + u.machine + "-with-glibc" + gnu_get_libc_version();
}

std::string local_timestamp(UtcTime t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  if (!::localtime_r(&secs, &tm)) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

const ComponentEnergy* find(const RunRecord& r, Component c) {
  for (const auto& x : r.components)
    if (x.component == c) return &x;
  return nullptr;
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::pair<std::string, std::string> split_region(const std::optional<std::string>& cloud_region) {
  if (!cloud_region) return {};
  const auto colon = cloud_region->find(':');
  if (colon == std::string::npos) return {"", *cloud_region};
  return {cloud_region->substr(0, colon), cloud_region->substr(colon + 1)};
}

}  // namespace

std::string codecarbon_header() {
  return "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
         "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,country_name,"
         "country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,"
         "cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,"
         "cpu_utilization_percent,gpu_utilization_percent,ram_utilization_percent,ram_used_gb,on_cloud,pue,wue";
}

std::string codecarbon_row(const RunRecord& r, const CodecarbonContext& context) {
  const double secs = to_seconds(r.duration);
  const bool machine = context.tracking_mode == "machine";
  auto energy = [&](Component c) {
    const auto* x = find(r, c);
    return x ? (machine ? x->machine : x->job) : Energy{};
  };
  auto watts = [&](Component c) { return secs > 0 ? energy(c).joules() / secs : 0.0; };
  auto kwh = [&](Component c) { return energy(c).kilowatt_hours() * r.pue; };
  const double total_kwh = kwh(Component::kCpu) + kwh(Component::kGpu) + kwh(Component::kDram);

  // The average signal's figure is the job's; in machine mode it is scaled by
  // the machine's share, at the same mean intensity.
  std::optional<double> kg;
  if (r.average) {
    kg = r.average->job.kilograms();
    if (machine) kg = total_kwh * r.average->mean_intensity.grams_per_kwh() / 1000.0;
  }

  const intensity::Country* country = intensity::country_of_zone(r.zone);
  const auto [provider, region] = split_region(r.cloud_region);
  std::string longitude, latitude;
  if (r.cloud_region) {
    if (const auto* cr = intensity::ZoneCatalogue::embedded().find_region(provider, region)) {
      longitude = one_decimal(cr->longitude);
      latitude = one_decimal(cr->latitude);
    }
  }
  std::string gpu_model;
  if (r.gpu_count > 0 && !r.gpu_model.empty()) gpu_model = std::to_string(r.gpu_count) + " x " + r.gpu_model;
  // run_record's ram_total_gb is decimal GB; CodeCarbon writes bytes / 1024^3.
  const double ram_gib = r.ram_total_gb * 1e9 / (1024.0 * 1024.0 * 1024.0);

  return join({
      field(local_timestamp(context.written_at.value_or(r.ended))),
      field(r.project),
      field(r.id),
      "",  // experiment_id: CodeCarbon's API only
      num(secs),
      kg ? num(*kg) : "",
      kg ? num(secs > 0 ? *kg / secs : 0.0) : "",
      num(watts(Component::kCpu)),
      num(watts(Component::kGpu)),
      num(watts(Component::kDram)),
      num(kwh(Component::kCpu)),
      num(kwh(Component::kGpu)),
      num(kwh(Component::kDram)),
      num(total_kwh),
      num(total_kwh * context.wue),
      country ? field(std::string(country->name)) : "",
      country ? std::string(country->iso3) : "",
      "",  // region (state/province): greenrun's catalogue does not know it
      field(provider),
      field(region),
      field(platform_string()),
      field(context.python_version),
      "greenrun-" + std::string(greenrun_version()),
      std::to_string(r.cpu_count),
      field(r.cpu_model),
      std::to_string(r.gpu_count),
      field(gpu_model),
      longitude,
      latitude,
      num(ram_gib),
      field(context.tracking_mode),
      "",  // cpu_utilization_percent: not measured
      "",  // gpu_utilization_percent
      "",  // ram_utilization_percent
      "",  // ram_used_gb
      r.cloud_region ? "Y" : "N",
      num(r.pue),
      num(context.wue),
  });
}

std::string greenrun_runs_header() {
  return "run_id,started,ended,project,phase,exit_status,zone,zone_source,sensors,cpu_method,gpu_method,ram_method,"
         "job_energy_kwh,machine_energy_kwh,pue,emissions_average_kg,intensity_average_g_per_kwh,"
         "intensity_average_source,emissions_marginal_kg,intensity_marginal_g_per_kwh,out_dir";
}

std::string greenrun_runs_row(const RunRecord& r) {
  auto method = [&](Component c) {
    const auto* x = find(r, c);
    return x ? std::string(sensors::to_string(x->method)) : std::string();
  };
  auto figure = [](const std::optional<EmissionsFigure>& f) -> std::array<std::string, 3> {
    if (!f) return {"", "", ""};
    return {num(f->job.kilograms()), num(f->mean_intensity.grams_per_kwh()), field(f->source)};
  };
  const auto avg = figure(r.average);
  const auto marg = figure(r.marginal);
  return join({field(r.id), format_utc(r.started), format_utc(r.ended), field(r.project), field(r.phase),
               std::to_string(r.exit_status), field(r.zone), field(r.zone_source), field(r.sensors),
               method(Component::kCpu), method(Component::kGpu), method(Component::kDram),
               num(r.job_energy().kilowatt_hours()), num(r.machine_energy().kilowatt_hours()), num(r.pue), avg[0],
               avg[1], avg[2], marg[0], marg[1], field(r.out_dir)});
}

Result<std::optional<std::string>> append_csv_row(const std::filesystem::path& path, const std::string& header,
                                                  const std::string& row) {
  std::error_code ec;
  std::optional<std::string> note;
  bool write_header = true;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    if (!first.empty() && first.back() == '\r') first.pop_back();
    if (first == header) {
      write_header = false;
    } else if (!first.empty()) {
      auto backup = path;
      backup += ".bak";
      std::filesystem::rename(path, backup, ec);
      if (ec) return make_error(ErrorKind::kIo, path.string() + ": has other columns and could not be moved to " +
                                                    backup.string() + ": " + ec.message());
      note = path.string() + ": had other columns; moved to " + backup.string() + " and started anew";
    }
  }
  std::ofstream out(path, std::ios::app);
  if (write_header) out << header << "\n";
  out << row << "\n";
  out.flush();
  if (!out) return make_error(ErrorKind::kIo, path.string() + ": write failed");
  return note;
}

}  // namespace greenrun::runner
