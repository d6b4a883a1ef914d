// engine::RecordIngest, engine::job_energy and engine::slurm_consumed_energy
// (greenrun/job_energy.h).
#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <sys/wait.h>

#include "greenrun/job_energy.h"
#include "greenrun/pricing.h"
#include "runner/job_energy_store.h"

namespace greenrun::engine {

RecordIngest::RecordIngest(std::string store_path) : store_path_(std::move(store_path)) {}
RecordIngest::~RecordIngest() = default;

Result<IngestOutcome> RecordIngest::ingest(std::string_view body) {
  auto records = runner::parse_records_body(body);
  if (!records) return std::unexpected(records.error());
  std::lock_guard lock(mutex_);
  if (!store_) {
    auto store = runner::JobEnergyStore::open(store_path_);
    if (!store) return as_kind(ErrorKind::kIo, store.error());
    store_ = std::make_unique<runner::JobEnergyStore>(std::move(*store));
  }
  auto counts = store_->insert(*records);
  if (!counts) return std::unexpected(counts.error());
  return IngestOutcome{counts->inserted, counts->duplicates};
}

Result<JobEnergy> job_energy(const std::string& job_id, const Services& services) {
  if (!std::filesystem::exists(services.store_path))
    return make_error(ErrorKind::kNotFound, "slurm:" + job_id + ": no records (the store " + services.store_path +
                                                " does not exist)");
  std::vector<runner::JobEnergyRecord> records;
  {
    auto store = runner::JobEnergyStore::open(services.store_path);
    if (!store) return std::unexpected(store.error());
    auto r = store->job(job_id);
    if (!r) return std::unexpected(r.error());
    records = std::move(*r);
  }
  if (records.empty())
    return make_error(ErrorKind::kNotFound, "slurm:" + job_id + ": no records of this job in the store (are the "
                                                                 "nodes' samplers posting to this store's server?)");
  JobEnergy out;
  out.job_id = job_id;
  std::map<std::string, JobNodeEnergy> nodes;
  // Per node and zone (a node moved between zones is priced at each), the
  // intervals to price together.
  std::map<std::pair<std::string, std::string>, std::vector<EnergyInterval>> to_price;
  for (const auto& r : records) {
    auto [it, fresh] = nodes.try_emplace(r.node);
    JobNodeEnergy& n = it->second;
    if (fresh) {
      n.node = r.node;
      n.zone = r.zone;
      n.from = r.start;
      n.to = r.end;
      n.attribution = r.attribution;
      n.method = r.method();
    }
    if (r.zone != n.zone && !to_price.contains({r.node, r.zone}))
      out.warnings.push_back(fmt::format("node {}: records in zones {} and {}; each priced at its own", r.node,
                                         n.zone.empty() ? "world average" : n.zone,
                                         r.zone.empty() ? "world average" : r.zone));
    if (("+" + n.attribution + "+").find("+" + r.attribution + "+") == std::string::npos)
      n.attribution += "+" + r.attribution;
    n.from = std::min(n.from, r.start);
    n.to = std::max(n.to, r.end);
    ++n.intervals;
    n.energy += r.energy();
    n.method = sensors::weaker(n.method, r.method());
    to_price[{r.node, r.zone}].push_back({r.energy(), r.start, r.end});
  }
  std::map<std::string, double> covered_j;
  for (auto& [name, n] : nodes) n.emissions = Mass{};
  for (const auto& [key, intervals] : to_price) {
    JobNodeEnergy& n = nodes.at(key.first);
    PriceIntervalsRequest req;
    if (!key.second.empty()) req.zone = key.second;
    req.intervals = intervals;
    auto priced = price_intervals(req, services);
    if (!priced) {
      out.warnings.push_back(fmt::format("node {}: cannot price its records in {}: {}", key.first,
                                         key.second.empty() ? "world average" : key.second, priced.error().message));
      n.emissions.reset();
      continue;
    }
    if (n.emissions) *n.emissions += priced->emissions;
    if (n.source.empty()) n.source = priced->source;
    Energy e;
    for (const auto& iv : intervals) e += iv.energy;
    covered_j[key.first] += priced->coverage * e.joules();
  }
  out.emissions = Mass{};
  for (auto& [name, n] : nodes) {
    n.coverage = n.energy.joules() > 0 ? covered_j[name] / n.energy.joules() : 0;
    out.energy += n.energy;
    out.method = sensors::weaker(out.method, n.method);
    if (out.emissions && n.emissions)
      *out.emissions += *n.emissions;
    else
      out.emissions.reset();
    out.nodes.push_back(std::move(n));
  }
  return out;
}

namespace {

Result<std::string> run_command(const std::vector<std::string>& argv) {
  // The arguments are ours (a checked job id): quoted for the shell all the same.
  std::string cmd = "timeout 10";
  for (const auto& a : argv) cmd += " '" + a + "'";
  cmd += " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return make_error(ErrorKind::kUnavailable, "cannot run " + argv.front());
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0) {
    const std::string first = out.substr(0, out.find('\n'));
    return make_error(ErrorKind::kUnavailable,
                      argv.front() + (WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": not installed"
                                                                                      : ": " + first));
  }
  return out;
}

}  // namespace

namespace {

// `scontrol show config`'s AcctGatherEnergyType ("acct_gather_energy/none"),
// or "" when it cannot be read.
std::string energy_plugin(const CommandRunner& run) {
  const std::vector<std::string> argv = {"scontrol", "show", "config"};
  auto text = run ? run(argv) : run_command(argv);
  if (!text) return "";
  std::string_view rest = *text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.starts_with("AcctGatherEnergyType")) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return "";
    std::string_view v = line.substr(eq + 1);
    while (!v.empty() && (v.front() == ' ')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.remove_suffix(1);
    return std::string(v);
  }
  return "";
}

}  // namespace

SlurmConsumedEnergy slurm_consumed_energy(const std::string& job_id, const CommandRunner& run) {
  SlurmConsumedEnergy out;
  if (job_id.empty()) {
    out.reason = "not a Slurm job id";
    return out;
  }
  for (char c : job_id)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      out.reason = "not a Slurm job id";
      return out;
    }
  const std::vector<std::string> argv = {"sacct", "-j", job_id, "-X", "-n", "-P", "-o", "JobIDRaw,ConsumedEnergyRaw"};
  auto text = run ? run(argv) : run_command(argv);
  if (!text) {
    out.reason = "not configured (" + text.error().message + ")";
    return out;
  }
  // The allocation's line: "JOBID|JOULES" (JOULES empty or 0 when nothing
  // measured it). An array job's id names several lines: the first is taken.
  std::optional<std::string> joules;
  std::string_view rest = *text;
  while (!rest.empty() && !joules) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    const size_t bar = line.find('|');
    if (bar == std::string_view::npos || bar == 0) continue;
    if (line.find_first_not_of("0123456789_") < bar) continue;  // a warning, not a row
    joules = std::string(line.substr(bar + 1));
  }
  if (!joules) {
    out.reason = "not recorded (sacct has no record of job " + job_id + ")";
    return out;
  }
  char* end = nullptr;
  const double j = std::strtod(joules->c_str(), &end);
  if (joules->empty() || end != joules->c_str() + joules->size() || j <= 0) {
    const std::string plugin = energy_plugin(run);
    if (plugin.empty())
      out.reason = "Slurm recorded no energy (AcctGatherEnergyType unknown: scontrol show config gave none)";
    else if (plugin == "acct_gather_energy/none")
      out.reason = "Slurm recorded no energy: AcctGatherEnergyType is " + plugin + " (no plugin measures it)";
    else
      out.reason = "Slurm recorded no energy: AcctGatherEnergyType is " + plugin + " but it measured nothing";
    return out;
  }
  out.energy = Energy::joules(j);
  return out;
}

}  // namespace greenrun::engine
