// engine::Tracker (greenrun/tracker.h): the calling process measured from
// start() to stop() on a sampling thread, recorded as engine::run records a
// command (engine/run_recording.h).
#include "greenrun/tracker.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/run_recording.h"
#include "engine/tracker_summary.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "intensity/store.h"
#include "runner/run_emissions.h"
#include "runner/sampler.h"
#include "runner/timeline_writer.h"
#include "sensors/proc_reader.h"

namespace greenrun::engine {
namespace {

using nlohmann::ordered_json;

std::unexpected<Error> usage(std::string m) { return make_error(ErrorKind::kUsage, std::move(m)); }

Energy job_energy(const runner::SamplerTotals& t) {
  Energy e;
  for (const auto& [c, v] : t.components)
    if (c != sensors::Component::kPlatform) e += v.job;
  return e;
}

Energy machine_energy(const runner::SamplerTotals& t) {
  Energy e;
  for (const auto& [c, v] : t.components)
    if (c != sensors::Component::kPlatform) e += v.machine;
  return e;
}

sensors::Method weakest(const runner::SamplerTotals& t) {
  sensors::Method m = sensors::Method::kMeasured;
  for (const auto& [c, v] : t.components) m = sensors::weaker(m, v.method);
  return m;
}

Result<int> env_int(const std::function<std::optional<std::string>(std::string_view)>& env, const char* name,
                    bool& found) {
  auto v = env(name);
  found = v && !v->empty();
  if (!found) return 0;
  int n = -1;
  const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 0)
    return usage(std::string(name) + ": expected a non-negative integer, got \"" + *v + "\"");
  return n;
}

}  // namespace

Result<RankInfo> RankInfo::from_environment(const std::function<std::optional<std::string>(std::string_view)>& env_in) {
  const auto env = env_in ? env_in : [](std::string_view n) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(n).c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  RankInfo r;
  const auto read = [&](const char* rank, const char* local, const char* size, const char* label) -> Result<bool> {
    bool has_rank = false, has_local = false, has_size = false;
    auto a = env_int(env, rank, has_rank);
    if (!a) return std::unexpected(a.error());
    if (!has_rank) return false;
    auto b = env_int(env, local, has_local);
    if (!b) return std::unexpected(b.error());
    auto c = env_int(env, size, has_size);
    if (!c) return std::unexpected(c.error());
    r.rank = *a;
    r.local_rank = has_local ? *b : *a;
    r.world_size = has_size ? std::max(1, *c) : std::max(1, *a + 1);
    r.source = label;
    return true;
  };
  auto torch = read("RANK", "LOCAL_RANK", "WORLD_SIZE", "RANK/LOCAL_RANK/WORLD_SIZE");
  if (!torch) return std::unexpected(torch.error());
  if (*torch) return r;
  auto slurm = read("SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS", "SLURM_PROCID/SLURM_LOCALID/SLURM_NTASKS");
  if (!slurm) return std::unexpected(slurm.error());
  return r;
}

struct Tracker::State {
  TrackRequest request;
  std::string store_path;
  std::function<std::optional<std::string>(std::string_view)> env;  // Services::env, for the Slurm context
  SystemClock system_clock;
  Clock* clock = nullptr;
  std::unique_ptr<sensors::ProcReader> proc;
  runner::SensorSetup setup;  // its sensors moved into the sampler
  runner::WhereAmI where;
  Duration step{0};
  std::vector<std::string> warnings;
  std::optional<runner::TimelineWriter> timeline;
  std::optional<runner::Sampler> sampler;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  bool stopped = false;
  std::function<void(const SampleSummary&)> on_sample;

  std::vector<PhaseWindow> phases;
  std::vector<MarkEntry> marks;
  std::vector<EpochObservation> epochs;
  SteadyTime epoch_from{};
  Energy epoch_energy_from;
  std::optional<PredictedRun> first_prediction;
  std::optional<PredictedRun> last_prediction;
  std::optional<size_t> budget_exceeded_at;

  void warn_once(const std::string& w) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
  }
  // REQUIRES: mu held. Never throws: an exception from below (a bug, or
  // memory) becomes a warning, so it can neither end the sampling thread
  // (std::terminate would kill the training script) nor a caller.
  void take_sample(bool now) noexcept {
    try {
      auto s = now ? sampler->sample_now() : sampler->sample();
      if (!s) warn_once(s.error().message);
    } catch (const std::exception& e) {
      try {
        warn_once(std::string("a sample failed: ") + e.what());
      } catch (...) {
      }
    }
  }
};

Result<std::unique_ptr<Tracker>> Tracker::start(const TrackRequest& req, const Services& services) {
  if (req.interval < runner::kMinInterval || req.interval > runner::kMaxInterval)
    return usage("interval: expected 10ms to 60s, got " + format_duration(req.interval));
  if (!(req.pue >= 1.0 && req.pue < 10.0))
    return usage(fmt::format("pue: expected a number from 1.0 (no overhead) to 10, got {}", req.pue));
  if (req.epochs && *req.epochs == 0) return usage("epochs: expected a positive number of epochs, got 0");
  if (req.budget && !(req.budget->grams() > 0 && std::isfinite(req.budget->grams())))
    return usage("budget_kg: expected a positive mass in kg CO2e");
  if (services.store_path.empty()) return usage("store: expected a store path");

  std::unique_ptr<Tracker> t(new Tracker());
  t->state_ = std::make_unique<State>();
  State& s = *t->state_;
  s.request = req;
  s.store_path = services.store_path;
  s.env = services.env;
  s.clock = services.clock ? services.clock : &s.system_clock;
  if (req.rank) {
    t->rank_ = *req.rank;
  } else {
    auto rank = RankInfo::from_environment(services.env);
    if (!rank) return std::unexpected(rank.error());
    t->rank_ = *rank;
  }
  auto where = locate_run(req.zone, req.region, services.store_path);
  if (!where) return std::unexpected(where.error());
  s.where = std::move(*where);

  std::string mode = req.sensors;
  if (mode.empty()) {
    const auto v = services.env ? services.env("GREENRUN_SENSORS") : [] {
      const char* e = std::getenv("GREENRUN_SENSORS");
      return e ? std::optional<std::string>(e) : std::nullopt;
    }();
    mode = v && !v->empty() ? *v : "auto";
  }
  s.proc = std::make_unique<sensors::ProcReader>(services.procfs_root);
  auto setup = services.sensors ? services.sensors(mode, s.clock->steady_now())
                                : runner::set_up_sensors(runner::SensorConfig::from_environment(mode), *s.proc,
                                                         s.clock->steady_now());
  if (!setup) {
    // An unknown mode is the caller's mistake (a sensor that cannot be used is not).
    const bool unknown_mode = setup.error().message.starts_with("--sensors:");
    return std::unexpected(Error{setup.error().message, unknown_mode ? ErrorKind::kUsage : setup.error().kind});
  }
  s.setup = std::move(*setup);
  s.step = req.interval;
  if (s.setup.max_interval && s.step > *s.setup.max_interval) {
    s.warnings.push_back(fmt::format("interval shortened from {} to {} so no RAPL counter wrap is missed",
                                     format_duration(s.step), format_duration(*s.setup.max_interval)));
    s.step = std::max(runner::kMinInterval, *s.setup.max_interval);
  }

  std::random_device rd;
  t->id_ = runner::make_run_id(s.clock->utc_now(), rd());
  auto folders = make_run_folders(req.out_dir, services.store_path, t->id_);
  if (!folders) return std::unexpected(folders.error());
  const std::filesystem::path out_dir = folders->out_dir;
  t->runs_root_ = folders->runs_root.string();
  t->out_dir_ = std::filesystem::absolute(out_dir).lexically_normal().string();
  auto timeline = runner::TimelineWriter::create((out_dir / "timeline.jsonl").string());
  if (!timeline) return make_error(ErrorKind::kIo, timeline.error().message);
  s.timeline.emplace(std::move(*timeline));
  s.sampler.emplace(*s.clock, std::move(s.setup.sensors), *s.proc, &*s.timeline, s.step);
  t->owner_pid_ = ::getpid();
  s.sampler->start(t->owner_pid_);
  s.epoch_from = s.clock->steady_now();
  t->thread_ = std::make_unique<std::thread>([tp = t.get()] { tp->loop(); });
  return t;
}

Tracker::~Tracker() {
  if (!thread_) return;
  if (!in_owner()) {
    // A forked child: the thread is not in this process and the mutex may
    // be held by it; leave both alone.
    (void)thread_.release();
    (void)state_.release();
    return;
  }
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  if (thread_->joinable()) thread_->join();
}

bool Tracker::in_owner() const { return ::getpid() == owner_pid_; }

bool Tracker::active() const {
  if (!in_owner() || !state_) return false;
  std::lock_guard lock(state_->mu);
  return !state_->stopped;
}

void Tracker::loop() {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  while (!s.stopping) {
    const auto wait = s.sampler->next_deadline() - s.clock->steady_now();
    if (wait > std::chrono::steady_clock::duration::zero()) {
      s.cv.wait_for(lock, wait);
      continue;
    }
    const auto before = s.sampler->totals();
    s.take_sample(false);
    if (!s.on_sample) continue;
    const auto& after = s.sampler->totals();
    SampleSummary sum{before.end, after.end, job_energy(after) - job_energy(before),
                      machine_energy(after) - machine_energy(before), weakest(after)};
    auto callback = s.on_sample;
    lock.unlock();
    try {
      callback(sum);
    } catch (...) {
      lock.lock();
      s.warn_once("the on_sample callback failed; it is called no more");
      s.on_sample = nullptr;
      continue;
    }
    lock.lock();
  }
}

void Tracker::mark(const std::string& name, std::optional<double> value) {
  if (!in_owner()) return;
  State& s = *state_;
  std::lock_guard lock(s.mu);
  if (s.stopped) return;
  const UtcTime at = s.clock->utc_now();
  s.marks.push_back({at, name, value});
  ordered_json j{{"at", format_utc(at)}, {"name", name}};
  if (value && std::isfinite(*value)) j["value"] = *value;
  s.sampler->add_mark(j.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

Status Tracker::phase_begin(const std::string& name) {
  if (!in_owner()) return {};
  if (name.empty()) return usage("phase: expected a name, got an empty one");
  State& s = *state_;
  std::lock_guard lock(s.mu);
  if (s.stopped) return {};
  for (const auto& p : s.phases)
    if (p.name == name && !p.end) return usage("phase \"" + name + "\": already open");
  const UtcTime at = s.clock->utc_now();
  s.phases.push_back({name, at, std::nullopt});
  ordered_json j{{"at", format_utc(at)}, {"name", "phase_begin"}, {"phase", name}};
  s.sampler->add_mark(j.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
  return {};
}

Status Tracker::phase_end(const std::string& name) {
  if (!in_owner()) return {};
  State& s = *state_;
  std::lock_guard lock(s.mu);
  if (s.stopped) return {};
  for (auto it = s.phases.rbegin(); it != s.phases.rend(); ++it) {
    if (it->name == name && !it->end) {
      const UtcTime at = s.clock->utc_now();
      it->end = at;
      ordered_json j{{"at", format_utc(at)}, {"name", "phase_end"}, {"phase", name}};
      s.sampler->add_mark(j.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
      return {};
    }
  }
  return usage("phase \"" + name + "\": not open");
}

void Tracker::epoch_start() {
  if (!in_owner()) return;
  State& s = *state_;
  std::lock_guard lock(s.mu);
  if (s.stopped) return;
  s.take_sample(true);
  s.epoch_from = s.clock->steady_now();
  s.epoch_energy_from = job_energy(s.sampler->totals());
}

namespace {

// The whole run's emissions so far, priced as engine::run prices it.
LiveFigures price_live(const std::string& timeline_path, const std::string& store_path, const std::string& zone,
                       double pue, const runner::SamplerTotals& totals) {
  LiveFigures f;
  f.elapsed = totals.steady_duration;
  f.job_energy = job_energy(totals);
  f.machine_energy = machine_energy(totals);
  f.method = weakest(totals);
  auto file = runner::read_timeline(timeline_path);
  if (!file) {
    f.emissions_source = "not computed: " + file.error().message;
    return f;
  }
  if (file->intervals.empty()) {
    f.emissions_source = "not computed yet: no interval recorded";
    return f;
  }
  std::optional<intensity::IntensityStore> store;
  if (std::filesystem::exists(store_path))
    if (auto st = intensity::IntensityStore::open(store_path)) store = std::move(*st);
  const auto prices = runner::load_run_intensity(store ? &*store : nullptr, zone, file->intervals.front().start,
                                                 file->intervals.back().end);
  accounting::EmissionsOptions options;
  options.pue = pue;
  auto e = runner::run_emissions(file->intervals, prices, options);
  if (!e) {
    f.emissions_source = "not computed: " + e.error().message;
    return f;
  }
  const auto fig = runner::emissions_figure(e->job, false, prices.fallback);
  f.emissions = fig.job;
  f.intensity = fig.mean_intensity;
  f.emissions_source = fig.source;
  f.coverage = fig.coverage;
  return f;
}

}  // namespace

LiveFigures Tracker::live() {
  if (!in_owner()) return {};
  State& s = *state_;
  runner::SamplerTotals totals;
  {
    std::lock_guard lock(s.mu);
    if (!s.stopped) s.take_sample(true);
    totals = s.sampler->totals();
  }
  return price_live(s.timeline->path(), s.store_path, s.where.zone, s.request.pue, totals);
}

Result<EpochReport> Tracker::epoch_end() {
  if (!in_owner()) return EpochReport{};
  State& s = *state_;
  EpochReport rep;
  runner::SamplerTotals totals;
  std::vector<EpochObservation> epochs;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return make_error(ErrorKind::kUsage, "epoch_end: the tracker is stopped");
    s.take_sample(true);
    const SteadyTime now = s.clock->steady_now();
    const Energy e = job_energy(s.sampler->totals());
    s.epochs.push_back({std::chrono::duration_cast<Duration>(now - s.epoch_from), e - s.epoch_energy_from});
    s.epoch_from = now;
    s.epoch_energy_from = e;
    rep.epoch = s.epochs.size();
    rep.duration = s.epochs.back().duration;
    rep.energy = s.epochs.back().energy;
    const auto& rq = s.request;
    if (!rq.epochs || rq.epochs_before_prediction == 0 || s.epochs.size() < rq.epochs_before_prediction ||
        s.epochs.size() > *rq.epochs)
      return rep;
    totals = s.sampler->totals();
    epochs = s.epochs;
  }
  auto p = predict_epochs(epochs, *s.request.epochs);
  if (!p) return std::unexpected(p.error());
  const LiveFigures live = price_live(s.timeline->path(), s.store_path, s.where.zone, s.request.pue, totals);
  PredictedRun pr;
  pr.epochs = std::move(*p);
  // The rest of the job at the intensity (with PUE) of the run so far.
  double g_per_j = 0;
  if (live.emissions && live.job_energy.joules() > 0) {
    g_per_j = live.emissions->grams() / live.job_energy.joules();
    pr.emissions_method = fmt::format("the energy above x {:.1f} g/kWh, the mean intensity of the run so far ({}){}",
                                      g_per_j * 3.6e6, live.emissions_source,
                                      s.request.pue != 1.0 ? fmt::format(", PUE {:g}", s.request.pue) : "");
  } else {
    pr.emissions_method = "not computed: " + live.emissions_source;
  }
  pr.emissions_g = {pr.epochs.energy_j.low * g_per_j, pr.epochs.energy_j.mid * g_per_j,
                    pr.epochs.energy_j.high * g_per_j};
  rep.over_budget = s.request.budget && g_per_j > 0 && pr.emissions_g.mid > s.request.budget->grams();
  {
    std::lock_guard lock(s.mu);
    if (!s.first_prediction) s.first_prediction = pr;
    s.last_prediction = pr;
    if (rep.over_budget && !s.budget_exceeded_at) s.budget_exceeded_at = rep.epoch;
  }
  rep.prediction = std::move(pr);
  return rep;
}

void Tracker::on_sample(std::function<void(const SampleSummary&)> callback) {
  if (!in_owner()) return;
  std::lock_guard lock(state_->mu);
  state_->on_sample = std::move(callback);
}

Result<RunOutcome> Tracker::stop(int exit_status, const std::string& note) {
  if (!in_owner())
    return usage(fmt::format("stop: this tracker was started by process {}; this is a forked child ({})", owner_pid_,
                             ::getpid()));
  State& s = *state_;
  {
    std::lock_guard lock(s.mu);
    if (s.stopped) return usage("stop: the tracker is already stopped");
    // A line of zero length is not written: let the clock move past the
    // last sample (the timeline's resolution is 1 ms) so pending marks land.
    if (s.sampler->has_pending_marks()) s.clock->sleep_until(s.clock->steady_now() + std::chrono::milliseconds(2));
    s.take_sample(true);
    s.stopped = true;
    s.stopping = true;
  }
  s.cv.notify_all();
  if (thread_ && thread_->joinable()) thread_->join();
  const runner::SamplerTotals& totals = s.sampler->totals();

  RunOutcome out;
  runner::RunRecord& r = out.record;
  r.id = id_;
  r.project = s.request.project;
  r.phase = s.request.phase;
  r.command = s.request.command;
  r.exit_status = exit_status;
  r.pue = s.request.pue;
  fill_measured(r, totals, s.setup, s.where, *s.proc, s.step, out_dir_, s.warnings);
  if (totals.dropped_deadlines)
    r.warnings.push_back(fmt::format("{} sampling deadline(s) missed (intervals merged, no energy lost)",
                                     totals.dropped_deadlines));
  if (!note.empty()) r.warnings.push_back(note);
  if (auto slurm = runner::SlurmContext::from_environment(s.env); slurm)
    r.slurm = std::move(*slurm);
  else
    r.warnings.push_back(slurm.error().message + "; the Slurm job is not recorded");
  const bool node_owner = rank_.local_rank == 0;
  if (!node_owner) {
    // The node's energy is LOCAL_RANK 0's to record; this rank keeps its share.
    for (auto& c : r.components) c.machine = Energy();
  }
  out.sensor_notes = s.setup.notes;
  out.location_warning = s.where.warning;
  price_run(out, s.store_path, *s.timeline, std::nullopt, s.request.pue != 1.0);
  if (!node_owner) r.emissions_machine.reset();

  // The tracker's own section: phases priced from the timeline read back.
  std::vector<runner::IntervalRecord> intervals;
  if (auto file = runner::read_timeline(s.timeline->path())) intervals = std::move(file->intervals);
  const TrackerKept kept{owner_pid_,         rank_,           s.phases, s.marks, s.epochs, s.request.epochs,
                         s.first_prediction, s.request.budget, s.budget_exceeded_at};
  const double g_per_j =
      r.average && r.job_energy().joules() > 0 ? r.average->job.grams() / r.job_energy().joules() : 0;
  r.tracker = tracker_section(kept, intervals, r.ended, g_per_j);
  write_record(r, out_dir_, runs_root_, s.store_path, *s.clock);
  return out;
}

}  // namespace greenrun::engine
