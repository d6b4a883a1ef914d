// `greenrun slurm sampler --server URL --token-file FILE [--node NAME]
//  [--zone Z | --region R] [--interval D] [--spool FILE] [--sensors MODE]
//  [--cgroup-root DIR] [--cgroup-slurm-dir NAME] [--proc-root DIR] [--count N]`:
// one per compute node (docs/slurm.md, "Per-job energy across nodes"). Every
// interval it shares the node's energy among the Slurm jobs running there
// (engine::NodeSampler) and ships one record per job to the controller's
// `greenrun serve` through a local spool (engine::RecordShipper). Prints one
// line per interval; runs until SIGINT/SIGTERM (then samples the partial
// interval and flushes once) or --count intervals.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <fmt/format.h>
#include <ostream>

#include "base/quantity_format.h"
#include "base/quantity_parse.h"
#include "base/time_format.h"
#include "commands.h"
#include "greenrun/job_energy.h"
#include "intensity/store.h"
#include "server/record_client.h"
#include "server/server_settings.h"

namespace greenrun::cli {
namespace {

struct SamplerFlags {
  std::string server;
  std::string token_file;
  std::optional<std::string> node;
  std::optional<std::string> zone;
  std::optional<std::string> region;
  std::string interval = "10s";
  std::optional<std::string> spool;
  std::string sensors = "auto";
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string cgroup_slurm_dir;
  std::string proc_root = "/proc";
  size_t count = 0;
};

std::atomic<bool> g_stop{false};
extern "C" void greenrun_sampler_on_stop_signal(int) { g_stop = true; }

std::string node_name(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* n = std::getenv("SLURMD_NODENAME"); n && *n) return n;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) return host;
  return "";
}

std::string jobs_text(const engine::NodeInterval& iv) {
  if (iv.records.empty()) return "no jobs";
  std::string s;
  for (const auto& r : iv.records)
    s += fmt::format("{}job {} {} ({:.0f} %)", s.empty() ? "" : ", ", r.job_id, format_energy(r.energy()),
                     100 * r.cpu_share);
  return s;
}

int run_sampler(Context& ctx, const SamplerFlags& f) {
  auto interval = parse_duration(f.interval);
  if (!interval) return report_error(ctx, Error{"--interval: " + interval.error().message, ErrorKind::kUsage});
  std::vector<std::string> warnings;
  auto token = server::read_token_file(f.token_file, warnings);
  if (!token) return report_error(ctx, token.error());
  for (const auto& w : warnings) *ctx.err << "greenrun: warning: " << w << "\n";
  auto sender = server::record_sender(f.server, *token);
  if (!sender) return report_error(ctx, sender.error());

  engine::NodeSamplerRequest req;
  req.node = node_name(f.node);
  req.zone = f.zone;
  req.region = f.region;
  req.interval = *interval;
  req.sensors = f.sensors;
  req.cpu.cgroup_root = f.cgroup_root;
  req.cpu.slurm_dir = f.cgroup_slurm_dir;
  req.cpu.procfs_root = f.proc_root;
  req.cpu.ticks_per_second = ::sysconf(_SC_CLK_TCK);
  engine::Services services;
  services.store_path = ctx.store_path();
  SystemClock clock;
  services.clock = &clock;
  auto sampler = engine::NodeSampler::open(req, services);
  if (!sampler) return report_error(ctx, sampler.error());

  engine::ShipperOptions ship;
  ship.spool_path = f.spool.value_or(
      (std::filesystem::path(ctx.store_path()).parent_path() / ("slurm-spool-" + req.node + ".jsonl")).string());
  auto shipper = engine::RecordShipper::open(ship, *sender, clock);
  if (!shipper) return report_error(ctx, shipper.error());

  std::ostream& out = *ctx.out;
  out << fmt::format("greenrun slurm sampler: node {}, zone {}, sensors {}, every {}, spool {} ({} pending)",
                     req.node, (*sampler)->zone().empty() ? "world average" : (*sampler)->zone(),
                     (*sampler)->sensor_label(), format_duration(*interval), ship.spool_path, shipper->pending())
      << std::endl;
  for (const auto& n : (*sampler)->notes()) out << "  note: " << n << "\n";

  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = greenrun_sampler_on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  int status = 0;
  for (size_t n = 0; f.count == 0 || n < f.count; ++n) {
    // Wait for the deadline in short steps so a signal ends the wait.
    while (!g_stop && clock.steady_now() < (*sampler)->next_deadline())
      clock.sleep_until(std::min((*sampler)->next_deadline(), clock.steady_now() + std::chrono::milliseconds(100)));
    auto iv = (*sampler)->sample();
    if (!iv) return report_error(ctx, iv.error());
    for (const auto& w : iv->warnings) *ctx.err << "greenrun: warning: " << w << "\n";
    if (auto added = shipper->add(iv->records); !added) {
      *ctx.err << "greenrun: " << added.error().message << "\n";
      status = 1;
      break;
    }
    const bool last = g_stop || (f.count != 0 && n + 1 == f.count);
    auto flushed = shipper->flush(last);  // the last interval tries regardless of the backoff
    if (!flushed) {
      *ctx.err << "greenrun: " << flushed.error().message << "\n";
      status = 1;
      break;
    }
    for (const auto& w : flushed->warnings) *ctx.err << "greenrun: warning: " << w << "\n";
    out << fmt::format("{} .. {}  node {} ({}), {}; unattributed {:.0f} %; sent {}, pending {}{}",
                       format_utc(iv->start), format_utc(iv->end), format_energy(iv->node_energy),
                       sensors::to_string(iv->source), jobs_text(*iv), 100 * iv->unattributed_share, flushed->sent,
                       flushed->pending,
                       flushed->last_error ? " (" + flushed->last_error->message + "; retrying)" : std::string())
        << std::endl;
    if (g_stop) break;
  }
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  return status;
}

}  // namespace

void add_slurm_sampler_command(CLI::App& app, Context& ctx, Action& action) {
  // `greenrun slurm` may already exist (submit, agent): add beside them.
  CLI::App* slurm = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return a->get_name() == "slurm"; })) slurm = sub;
  if (!slurm) {
    slurm = app.add_subcommand("slurm", "Slurm: per-job energy across nodes (and submit/agent where built)");
    slurm->require_subcommand(1);
  }
  auto f = std::make_shared<SamplerFlags>();
  CLI::App* cmd = slurm->add_subcommand(
      "sampler", "On a compute node: share the node's energy among its Slurm jobs and send the records to greenrun serve");
  cmd->add_option("--server", f->server, "The controller's greenrun serve, http://HOST:PORT")->required();
  cmd->add_option("--token-file", f->token_file, "File holding the server's bearer token")->required();
  cmd->add_option("--node", f->node, "This node's name (default $SLURMD_NODENAME, else the host name)");
  cmd->add_option("--zone", f->zone, "The node's grid zone (default: as greenrun run locates itself)");
  cmd->add_option("--region", f->region, "The node's cloud region, provider:region");
  cmd->add_option("--interval", f->interval, "Sampling interval, 10ms to 60s (default 10s)");
  cmd->add_option("--spool", f->spool,
                  "Local spool of records not yet accepted (default <store folder>/slurm-spool-<node>.jsonl)");
  cmd->add_option("--sensors", f->sensors, "auto|rapl|nvml|estimate|fake (default auto)");
  cmd->add_option("--cgroup-root", f->cgroup_root, "cgroup v1 mount holding cpuacct/ and freezer/ (default /sys/fs/cgroup)");
  cmd->add_option("--cgroup-slurm-dir", f->cgroup_slurm_dir,
                  "Slurm's folder under it (default slurm_<node> where it exists, else slurm)");
  cmd->add_option("--proc-root", f->proc_root, "procfs root, for the process-tree fallback (default /proc)");
  cmd->add_option("--count", f->count, "Stop after N intervals (default 0: until SIGINT/SIGTERM)");
  cmd->callback([&ctx, &action, f] { action = [&ctx, f] { return run_sampler(ctx, *f); }; });
}

}  // namespace greenrun::cli
