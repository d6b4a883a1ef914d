// engine::run_node_sampler (greenrun/job_energy.h): the loop of `greenrun
// slurm sampler` — wait, sample, spool, flush — on the services' clock.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "greenrun/job_energy.h"

namespace greenrun::engine {

std::string default_node_name(const Services& services) {
  std::optional<std::string> env;
  if (services.env) {
    env = services.env("SLURMD_NODENAME");
  } else if (const char* n = std::getenv("SLURMD_NODENAME")) {
    env = n;
  }
  if (env && !env->empty()) return *env;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) return host;
  return "";
}

Result<NodeSamplerSummary> run_node_sampler(const NodeSamplerRun& run, RecordSender send, const Services& services,
                                            NodeSamplerObserver& observer, const std::function<bool()>& stop) {
  if (!stop && run.count == 0)
    return make_error(ErrorKind::kUsage, "run_node_sampler: without a stop condition, a count is needed");
  SystemClock system_clock;
  Services with_clock = services;
  if (!with_clock.clock) with_clock.clock = &system_clock;
  Clock& clock = *with_clock.clock;

  NodeSamplerRequest req = run.sampler;
  if (req.node.empty()) req.node = default_node_name(services);
  auto sampler = NodeSampler::open(req, with_clock);
  if (!sampler) return std::unexpected(sampler.error());

  ShipperOptions ship = run.shipping;
  ship.spool_path = run.spool.value_or(
      (std::filesystem::path(services.store_path).parent_path() / ("slurm-spool-" + req.node + ".jsonl")).string());
  // Its folder too: a fresh node has no store folder yet.
  if (const auto folder = std::filesystem::path(ship.spool_path).parent_path(); !folder.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return make_error(ErrorKind::kIo, ship.spool_path + ": cannot create its folder: " + ec.message());
  }
  auto shipper = RecordShipper::open(ship, std::move(send), clock);
  if (!shipper) return std::unexpected(shipper.error());

  NodeSamplerStarted started;
  started.node = req.node;
  started.zone = (*sampler)->zone();
  started.sensor_label = (*sampler)->sensor_label();
  started.spool_path = ship.spool_path;
  started.interval = req.interval;
  started.pending = shipper->pending();
  started.notes = (*sampler)->notes();
  observer.on_started(started);

  const auto stopped = [&] { return stop && stop(); };
  NodeSamplerSummary summary;
  for (size_t n = 0; run.count == 0 || n < run.count; ++n) {
    // Short steps, so a stop ends the wait (and the partial interval is sampled).
    while (!stopped() && clock.steady_now() < (*sampler)->next_deadline())
      clock.sleep_until(std::min((*sampler)->next_deadline(), clock.steady_now() + std::chrono::milliseconds(100)));
    auto iv = (*sampler)->sample();
    if (!iv) return std::unexpected(iv.error());
    for (const auto& w : iv->warnings) observer.on_warning(w);
    if (auto added = shipper->add(iv->records); !added) return std::unexpected(added.error());
    summary.stopped = stopped();
    const bool last = summary.stopped || (run.count != 0 && n + 1 == run.count);
    auto flushed = shipper->flush(last);  // the last interval tries regardless of the backoff
    if (!flushed) return std::unexpected(flushed.error());
    for (const auto& w : flushed->warnings) observer.on_warning(w);
    ++summary.intervals;
    observer.on_interval(*iv, *flushed);
    if (summary.stopped) break;
  }
  summary.pending = shipper->pending();
  return summary;
}

}  // namespace greenrun::engine
