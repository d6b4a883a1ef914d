// `greenrun slurm sampler --server URL --token-file FILE [--node NAME]
//  [--zone Z | --region R] [--interval D] [--spool FILE] [--sensors MODE]
//  [--cgroup-root DIR] [--cgroup-slurm-dir NAME] [--proc-root DIR] [--count N]`:
// one per compute node (docs/slurm.md, "Per-job energy across nodes"). Parses
// its flags and renders; the loop — share the node's energy among its Slurm
// jobs every interval and ship the records to `greenrun serve` through a
// local spool, until SIGINT/SIGTERM (then the partial interval, flushed once)
// or --count intervals — is engine::run_node_sampler.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <fmt/format.h>
#include <ostream>

#include "commands.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/job_energy.h"
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

std::string jobs_text(const engine::NodeInterval& iv) {
  if (iv.records.empty()) return "no jobs";
  std::string s;
  for (const auto& r : iv.records)
    s += fmt::format("{}job {} {} ({:.0f} %)", s.empty() ? "" : ", ", r.job_id, format_energy(r.energy()),
                     100 * r.cpu_share);
  return s;
}

// Renders the loop's progress: one header, one line per interval.
class SamplerPrinter final : public engine::NodeSamplerObserver {
 public:
  SamplerPrinter(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  void on_started(const engine::NodeSamplerStarted& s) override {
    out_ << fmt::format("greenrun slurm sampler: node {}, zone {}, sensors {}, every {}, spool {} ({} pending)",
                        s.node, s.zone.empty() ? "world average" : s.zone, s.sensor_label,
                        format_duration(s.interval), s.spool_path, s.pending)
         << std::endl;
    for (const auto& n : s.notes) out_ << "  note: " << n << "\n";
  }
  void on_interval(const engine::NodeInterval& iv, const engine::FlushOutcome& f) override {
    out_ << fmt::format("{} .. {}  node {} ({}), {}; unattributed {:.0f} %; sent {}, pending {}{}",
                        format_utc(iv.start), format_utc(iv.end), format_energy(iv.node_energy),
                        sensors::to_string(iv.source), jobs_text(iv), 100 * iv.unattributed_share, f.sent, f.pending,
                        f.last_error ? " (" + f.last_error->message + "; retrying)" : std::string())
         << std::endl;
  }
  void on_warning(const std::string& w) override { err_ << "greenrun: warning: " << w << "\n"; }

 private:
  std::ostream& out_;
  std::ostream& err_;
};

int run_sampler(Context& ctx, const SamplerFlags& f) {
  auto interval = parse_duration(f.interval);
  if (!interval) return report_error(ctx, Error{"--interval: " + interval.error().message, ErrorKind::kUsage});
  std::vector<std::string> warnings;
  auto token = server::read_token_file(f.token_file, warnings);
  if (!token) return report_error(ctx, token.error());
  for (const auto& w : warnings) *ctx.err << "greenrun: warning: " << w << "\n";
  auto sender = server::record_sender(f.server, *token);
  if (!sender) return report_error(ctx, sender.error());

  engine::NodeSamplerRun run;
  run.sampler.node = f.node.value_or("");
  run.sampler.zone = f.zone;
  run.sampler.region = f.region;
  run.sampler.interval = *interval;
  run.sampler.sensors = f.sensors;
  run.sampler.cpu.cgroup_root = f.cgroup_root;
  run.sampler.cpu.slurm_dir = f.cgroup_slurm_dir;
  run.sampler.cpu.procfs_root = f.proc_root;
  run.sampler.cpu.ticks_per_second = ::sysconf(_SC_CLK_TCK);
  run.spool = f.spool;
  run.count = f.count;
  engine::Services services;
  services.store_path = ctx.store_path();

  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = greenrun_sampler_on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  SamplerPrinter printer(*ctx.out, *ctx.err);
  auto done = engine::run_node_sampler(run, *sender, services, printer, [] { return g_stop.load(); });
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  if (!done) return report_error(ctx, done.error());
  return 0;
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
