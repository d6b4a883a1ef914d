#include "engine/scheduled_run.h"

#include <fmt/format.h>
#include <pthread.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <future>
#include <set>

#include "engine/event_stream.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity/providers/http_client.h"
#include "greenrun/job_defaults.h"
#include "runner/carbon_aware_executor.h"
#include "runner/job_controller.h"
#include "runner/run_store.h"
#include "runner/scaled_clock.h"

namespace greenrun::engine {
namespace {

using runner::ExecutionSchedule;
using runner::ScheduleRequest;
using scheduling::Mode;

std::string fingerprint(const intensity::IntensitySeries& s) {
  double sum = 0;
  for (const auto& p : s.points()) sum += p.value.grams_per_kwh() * static_cast<double>(p.duration.count());
  return fmt::format("{}:{}:{}", s.size(), s.empty() ? 0 : s.end().time_since_epoch().count(), sum);
}

// Re-reads the store at each refresh; hands out the series when it changed.
class StoreForecastSource final : public runner::ForecastSource {
 public:
  StoreForecastSource(std::string path, intensity::SeriesKey key, UtcTime from, UtcTime to,
                      const intensity::IntensitySeries& current)
      : path_(std::move(path)), key_(std::move(key)), from_(from), to_(to), fingerprint_(fingerprint(current)) {}
  std::optional<intensity::IntensitySeries> poll(UtcTime) override {
    auto store = intensity::IntensityStore::open(path_);
    if (!store) return std::nullopt;
    auto s = store->load(key_, from_, to_);
    if (!s || s->empty()) return std::nullopt;
    const auto f = fingerprint(*s);
    if (f == fingerprint_) return std::nullopt;
    fingerprint_ = f;
    return std::move(*s);
  }

 private:
  std::string path_;
  intensity::SeriesKey key_;
  UtcTime from_, to_;
  std::string fingerprint_;
};

// A refresh is one request (waited_forecast_curl_options: at most 15 s; the
// next refresh is its retry), so greenrun never waits long on the network
// when the job ends (the destructor joins the fetch in flight).
intensity::RetryPolicy refresh_retry_policy() {
  intensity::RetryPolicy r;
  r.max_attempts = 1;
  return r;
}

// Fetches the provider's forecast every `every` (executor clock) on a worker
// thread, so the executor never blocks on the network; poll() hands out a
// new series when one has arrived and differs from the one in use.
class LiveForecastSource final : public runner::ForecastSource {
 public:
  // `http` may be null: a libcurl client of its own.
  LiveForecastSource(intensity::ForecastSpec spec, intensity::ProviderSettings settings, Clock& clock,
                     std::string store_path, UtcTime from, UtcTime to, intensity::IntensitySeries current,
                     Duration every, intensity::HttpClient* http)
      : own_http_(intensity::waited_forecast_curl_options()),
        feed_(std::move(spec), std::move(settings), http ? *http : own_http_, clock, std::move(store_path),
              refresh_retry_policy()),
        from_(from),
        to_(to),
        every_(every),
        current_(std::move(current)),
        fingerprint_(fingerprint(current_)),
        next_(clock.utc_now() + every) {}
  ~LiveForecastSource() override {
    if (pending_.valid()) pending_.wait();
  }

  std::optional<intensity::IntensitySeries> poll(UtcTime now) override {
    std::optional<intensity::IntensitySeries> out;
    if (pending_.valid() && pending_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      auto r = pending_.get();
      ++fetches_;
      // One warning per outage (its first failure), not one per refresh.
      if (!r || r->choice != intensity::FallbackChoice::kFetched) {
        if (!failing_)
          warnings.push_back(fmt::format("forecast refresh at {} failed, keeping the forecast in use: {}",
                                         format_utc(now), !r ? r.error().message
                                                     : r->warnings.empty() ? std::string("nothing fetched")
                                                                           : r->warnings.front()));
        failing_ = true;
        ++failed_;
      }
      if (r && r->choice == intensity::FallbackChoice::kFetched) {
        if (failing_) warnings.push_back("forecast refresh at " + format_utc(now) + " fetched again");
        failing_ = false;
        ++fetched_;
        last_fetched_ = r->fetched_at;
        for (const auto& w : r->warnings) note("forecast refresh: " + w);
        // Only a fetched forecast replaces the one in use: a fallback would
        // only repeat older data.
        const auto f = fingerprint(r->series);
        if (f != fingerprint_) {
          fingerprint_ = f;
          current_ = r->series;
          out = std::move(r->series);
        }
      }
    }
    if (!pending_.valid() && !(now < next_)) {
      next_ = now + every_;
      launch();
    }
    return out;
  }

  // "; refreshed 3 times (2 fetched, last 2026-...)" for the record's label.
  std::string summary() const {
    if (fetches_ == 0) return "";
    std::string s = fmt::format("; {} refresh{} ({} fetched", fetches_, fetches_ == 1 ? "" : "es", fetched_);
    if (failed_) s += fmt::format(", {} failed", failed_);
    if (fetched_) s += ", last " + format_utc(last_fetched_);
    return s + ")";
  }
  std::vector<std::string> warnings;

 private:
  void note(std::string w) {
    if (seen_.insert(w).second) warnings.push_back(std::move(w));
  }
  void launch() {
    // The worker must not take greenrun's signals (SIGINT, SIGCHLD, ...):
    // block them all while it is created; it inherits the mask.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pending_ = std::async(std::launch::async, [this, previous = current_] {
      return feed_.obtain(from_, to_, &previous);
    });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  intensity::CurlHttpClient own_http_;
  intensity::LiveForecastFeed feed_;  // used by the worker only
  UtcTime from_, to_;
  Duration every_;
  intensity::IntensitySeries current_;
  std::string fingerprint_;
  UtcTime next_;
  std::future<Result<intensity::LiveForecast>> pending_;
  std::set<std::string> seen_;
  size_t fetches_ = 0, fetched_ = 0, failed_ = 0;
  bool failing_ = false;
  UtcTime last_fetched_{};
};

// The Sampler on the base clock, seen from the executor's (scaled) clock.
class SamplerMeter final : public runner::EnergyMeter {
 public:
  SamplerMeter(runner::Sampler& s, const runner::ScaledClock& clock, bool final_ticks_from_wait, LiveStatusFile* live)
      : sampler_(s), clock_(clock), final_ticks_(final_ticks_from_wait), live_(live) {}
  void begin(pid_t root) override { sampler_.start(root); }
  SteadyTime next_deadline() const override { return clock_.from_base(sampler_.next_deadline()); }
  void sample(const std::optional<runner::ExitStatus>& final) override {
    auto s = final && final_ticks_ ? sampler_.sample(final->cpu_ticks()) : sampler_.sample();
    if (!s) errors.push_back(s.error().message);
    if (live_) live_->sampled(sampler_.totals(), clock_.utc_now());
  }
  Energy job_energy() const override {
    Energy e;
    for (const auto& [c, t] : sampler_.totals().components)
      if (c != sensors::Component::kPlatform) e += t.job;
    return e;
  }
  std::vector<std::string> errors;

 private:
  runner::Sampler& sampler_;
  const runner::ScaledClock& clock_;
  bool final_ticks_;
  LiveStatusFile* live_;
};

}  // namespace

Status within_bounds(const ExecutionRequest& r) {
  const auto too_long = [](const char* flag, Duration d) {
    return make_error(ErrorKind::kUsage, std::string(flag) + ": expected at most " + format_duration(kMaxWindow) +
                                             ", got " + format_duration(d));
  };
  if (r.expected_duration > kMaxWindow) return too_long("--duration", r.expected_duration);
  if (r.start_within && *r.start_within > kMaxWindow) return too_long("--start-within", *r.start_within);
  if (r.max_delay && r.max_delay->of(r.expected_duration) > kMaxWindow)
    return too_long("--max-delay", r.max_delay->of(r.expected_duration));
  if (r.grace > std::chrono::hours(24)) return too_long("--grace", r.grace);
  if (!(r.time_scale > 0 && r.time_scale <= kMaxTimeScale && std::isfinite(r.time_scale)))
    return make_error(ErrorKind::kUsage, fmt::format("--time-scale: expected a number above 0 and at most {:g}, got {:g}",
                                                     kMaxTimeScale, r.time_scale));
  if (r.expected_power && !(r.expected_power->watts() > 0 && r.expected_power->watts() <= kMaxPower.watts()))
    return make_error(ErrorKind::kUsage, "--power: expected more than 0 W and at most " +
                                             format_power(kMaxPower) + ", got " + format_power(*r.expected_power));
  if (!(r.min_saving_percent >= 0 && r.min_saving_percent <= 100))
    return make_error(ErrorKind::kUsage, fmt::format("--min-saving: expected 0 to 100 %, got {:g}", r.min_saving_percent));
  if (r.min_pause && (r.min_pause->count() < 0 || *r.min_pause > std::chrono::hours(24)))
    return make_error(ErrorKind::kUsage, "--min-pause: expected 0s to 24h, got " + format_duration(*r.min_pause));
  if (r.forecast.refresh < std::chrono::seconds(1) || r.forecast.refresh > std::chrono::hours(24))
    return make_error(ErrorKind::kUsage, "--forecast-refresh: expected 1s to 24h, got " + format_duration(r.forecast.refresh));
  return {};
}

Result<ScheduleRequest> schedule_request(const ExecutionRequest& r, UtcTime now) {
  if (r.expected_duration.count() <= 0)
    return make_error(ErrorKind::kUsage, "--duration: expected a positive duration");
  if (auto s = within_bounds(r); !s) return std::unexpected(s.error());
  ScheduleRequest q;
  q.mode = r.mode;
  q.earliest = now;
  q.expected = r.expected_duration;
  // Margin and drift tolerance cover the real latency of switching (about
  // 100 ms of real time, which a time scale stretches) as well as 1 % of the
  // job.
  const auto latency = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(0.1 * r.time_scale));
  q.margin = std::max({Duration(std::chrono::seconds(1)), r.expected_duration / 100, latency});
  q.drift_tolerance = std::max<Duration>(std::chrono::minutes(1), latency);
  // A restarted job needs time to start and install its signal handler
  // before it can be asked to checkpoint again: at least 10 minutes (or ten
  // latencies under a time scale) of work per segment.
  if (r.pause_mode == runner::PauseMode::kCheckpoint && r.mode != Mode::kFlexibleStart)
    q.min_segment = std::max<Duration>(std::chrono::minutes(10), 10 * latency);
  q.min_pause = r.min_pause.value_or(kDefaultMinPause);
  if (r.mode == Mode::kFlexibleStart) {
    if (r.deadline || r.max_delay)
      return make_error(ErrorKind::kUsage,
                        "--start-within sets the window itself; --deadline and --max-delay go with --pause-resume");
    if (!r.start_within || r.start_within->count() < 0)
      return make_error(ErrorKind::kUsage, "--start-within: expected a duration such as 12h");
    q.latest_start = now + *r.start_within;
    q.deadline = q.latest_start + r.expected_duration;
    return q;
  }
  if (r.deadline.has_value() == r.max_delay.has_value())
    return make_error(ErrorKind::kUsage, std::string(r.mode == Mode::kPauseResume ? "--pause-resume" : "--threshold") +
                                             " needs one of --deadline T and --max-delay (e.g. 100%)");
  q.deadline = r.deadline ? *r.deadline : now + r.expected_duration + r.max_delay->of(r.expected_duration);
  const Duration room = q.deadline - now;
  if (room > kMaxWindow + r.expected_duration)
    return make_error(ErrorKind::kUsage, "--deadline: expected at most " + format_duration(kMaxWindow) +
                                             " beyond the job's own duration, got " + format_utc(q.deadline));
  if (room < r.expected_duration)
    return make_error(ErrorKind::kFailure, "cannot meet the deadline " + format_utc(q.deadline) + ": the job needs " +
                                             format_duration(r.expected_duration) + " but only " +
                                             format_duration(room) + " remain");
  // The margin is kept inside the window, never added to it: with no room
  // for it the job simply starts at once.
  q.margin = std::min(q.margin, room - r.expected_duration);
  if (r.mode == Mode::kThreshold) {
    if (!r.threshold || r.threshold->absolute.has_value() == r.threshold->percentile.has_value())
      return make_error(ErrorKind::kUsage, "--threshold: expected g/kWh (200) or a percentile (p30)");
    scheduling::ThresholdOptions t;
    if (r.threshold->percentile) {
      if (!(*r.threshold->percentile >= 0 && *r.threshold->percentile <= 100))
        return make_error(ErrorKind::kUsage, "--threshold: expected p0 to p100");
      t.percentile = *r.threshold->percentile;
    } else {
      t.absolute = *r.threshold->absolute;
    }
    t.decision_interval = std::min<Duration>(
        std::chrono::minutes(5), std::max<Duration>(std::chrono::seconds(1), r.expected_duration / 20));
    q.threshold = t;
  }
  return q;
}

std::pair<Power, std::string> expected_power(const std::optional<Power>& given, const std::string& store_path,
                                             const std::vector<std::string>& command,
                                             std::vector<std::string>& warnings) {
  if (given) return {*given, power_line(*given, PowerBasis::kGiven)};
  const std::pair nominal{kDefaultPower, power_line(kDefaultPower, PowerBasis::kDefault)};
  if (!std::filesystem::exists(store_path)) return nominal;
  auto runs = runner::RunStore::open(store_path);
  if (!runs) {
    warnings.push_back("expected power: " + runs.error().message);
    return nominal;
  }
  auto list = runs->list(std::nullopt, 500);
  if (!list) {
    warnings.push_back("expected power: " + list.error().message);
    return nominal;
  }
  for (const runner::RunRecord& r : *list) {
    if (r.command != command || r.exit_status != 0 || r.duration.count() <= 0) continue;
    const Energy e = r.job_energy();
    if (!(e.joules() > 0)) continue;
    const Power p = e / r.duration;
    return {p, power_line(p, PowerBasis::kEarlierRun,
                          fmt::format("{}, {}", r.id, sensors::to_string(r.weakest_method())))};
  }
  return nominal;
}

ScheduledRun::ScheduledRun(ExecutionRequest request, std::vector<std::string> command, ExecutionSchedule schedule,
                           LoadedForecast forecast, runner::ExecutionSettings settings, UtcTime window_to,
                           std::vector<std::string> warnings)
    : request_(std::move(request)),
      command_(std::move(command)),
      schedule_(std::move(schedule)),
      forecast_(std::move(forecast)),
      settings_(std::move(settings)),
      window_to_(window_to),
      warnings_(std::move(warnings)) {}

ScheduledRun::~ScheduledRun() = default;

Result<std::unique_ptr<ScheduledRun>> ScheduledRun::prepare(const ExecutionRequest& request,
                                                            const std::vector<std::string>& command,
                                                            const std::string& zone, const Services& services,
                                                            Clock& base, Observer& observer) {
  if (zone.empty())
    return make_error(ErrorKind::kUsage,
                      "carbon-aware execution needs a grid zone: give --zone (or --region) or set GREENRUN_ZONE");
  const UtcTime now = base.utc_now();
  auto req = schedule_request(request, now);
  if (!req) return std::unexpected(req.error());
  UtcTime from = now;
  if (req->threshold && req->threshold->percentile) from = now - req->threshold->lookback;
  const UtcTime to = req->deadline;
  if (request.forecast.refresh.count() <= 0)
    return make_error(ErrorKind::kUsage, "--forecast-refresh: expected a positive duration such as 15m");

  std::vector<std::string> warnings;
  const auto power = expected_power(request.expected_power, services.store_path, command, warnings);
  req->power = power.first;
  req->min_saving_percent = request.min_saving_percent;
  auto forecast = load_forecast(ForecastQuery{zone, from, to, request.forecast.provider, std::nullopt}, services.store_path,
                                services.env, base, services.http);
  if (!forecast) return std::unexpected(forecast.error());
  for (auto& w : forecast->warnings) warnings.push_back(std::move(w));
  forecast->warnings.clear();

  runner::ExecutionSettings settings;
  settings.pause_mode = req->mode == Mode::kFlexibleStart ? "" : std::string(runner::to_string(request.pause_mode));
  settings.checkpoint_signal = runner::signal_name(request.checkpoint_signal);
  settings.grace = request.grace;
  settings.time_scale = request.time_scale;
  settings.forecast_label = forecast->label;
  settings.power_basis = power.second;
  auto schedule = ExecutionSchedule::make(*req, forecast->series);
  if (!schedule) return make_error(ErrorKind::kFailure, schedule.error().message);
  if (auto held = schedule->held_back_saving())
    warnings.push_back(fmt::format("the plan would save {:.2f} % against running at once, below --min-saving {:g} %: "
                                   "running at once",
                                   std::max(0.0, *held), request.min_saving_percent));
  for (const auto& w : warnings) observer.on_event({EventKind::kWarning, w});
  const auto& plan = schedule->initial_plan();
  if (req->mode != Mode::kThreshold)
    observer.on_event({EventKind::kPlan,
                       fmt::format("plan ({}): {} segment(s) from {} to {}; expected {} CO2e against {} CO2e at "
                                   "once (operational, before PUE); {}",
                                   scheduling::to_string(req->mode), plan.segments.size(), format_utc(plan.start()),
                                   format_utc(plan.end()), format_mass(plan.emissions), format_mass(plan.baseline),
                                   power.second)});
  return std::unique_ptr<ScheduledRun>(new ScheduledRun(request, command, std::move(*schedule),
                                                        std::move(*forecast), std::move(settings), to,
                                                        std::move(warnings)));
}

std::expected<runner::ExitStatus, runner::SpawnError> ScheduledRun::run(runner::Sampler& sampler, Clock& base,
                                                                        const Services& services,
                                                                        Observer& observer, LiveStatusFile* live) {
  runner::ScaledClock clock(base, request_.time_scale);
  JobSpec spec{command_, true, request_.pause_mode, request_.checkpoint_signal, request_.grace};
  std::unique_ptr<runner::JobControl> job;
  if (services.jobs) {
    job = services.jobs(spec, clock, request_.time_scale == 1.0 ? nullptr : &clock);
  } else {
    runner::JobControllerOptions o;
    o.argv = command_;
    o.mode = request_.pause_mode;
    o.checkpoint_signal = request_.checkpoint_signal;
    o.grace = request_.grace;
    job = std::make_unique<runner::JobController>(clock, &clock, std::move(o));
  }
  SamplerMeter meter(sampler, clock, request_.pause_mode == runner::PauseMode::kStop, live);
  std::unique_ptr<runner::ForecastSource> scripted;
  std::optional<StoreForecastSource> stored;
  std::optional<LiveForecastSource> fetched;
  runner::ForecastSource* source = nullptr;
  runner::ExecutorOptions o;
  if (services.forecast_source) {
    scripted = services.forecast_source(schedule_.forecast());
    source = scripted.get();
    o.forecast_refresh = std::min<Duration>(request_.forecast.refresh, std::chrono::minutes(1));
  } else if (forecast_.live_spec && forecast_.live_settings) {
    fetched.emplace(*forecast_.live_spec, *forecast_.live_settings, clock, services.store_path,
                    schedule_.request().earliest, window_to_, schedule_.forecast(), request_.forecast.refresh,
                    services.http);
    source = &*fetched;
    // Poll often; the source fetches every `refresh` and answers at once.
    o.forecast_refresh = std::min<Duration>(request_.forecast.refresh, std::chrono::minutes(1));
  } else if (forecast_.key) {
    stored.emplace(services.store_path, *forecast_.key, schedule_.request().earliest, window_to_,
                   schedule_.forecast());
    source = &*stored;
  }
  EventStream status(observer);
  o.status = &status;
  o.live = observer.wants_progress();
  if (live)
    o.on_state = [live, &clock](std::string_view state, std::optional<UtcTime> next) {
      live->schedule_state(state, next, clock.utc_now());
    };
  report_ = runner::execute(clock, schedule_, *job, &meter, source, o);
  status.flush();
  if (fetched) {
    settings_.forecast_label += fetched->summary();
    for (auto& w : fetched->warnings) report_.warnings.push_back(std::move(w));
  }
  if (auto* controller = dynamic_cast<runner::JobController*>(job.get()))
    for (auto& w : controller->take_warnings()) report_.warnings.push_back(std::move(w));
  for (auto& w : meter.errors) report_.warnings.push_back(std::move(w));
  job.reset();  // restores handlers, reaps the watchdog before the record is written
  if (report_.spawn_error) return std::unexpected(*report_.spawn_error);
  if (report_.exit) return *report_.exit;
  runner::ExitStatus interrupted;
  interrupted.signalled = true;
  interrupted.signal = report_.interrupt_signal > 0 ? report_.interrupt_signal : SIGINT;
  return interrupted;
}

Result<runner::ScheduleSummary> ScheduledRun::record() const {
  return runner::execution_record(report_, schedule_, settings_);
}

Duration ScheduledRun::start_window() const {
  const ScheduleRequest& q = schedule_.request();
  if (q.mode == Mode::kFlexibleStart) return q.latest_start - q.earliest;
  return std::max(Duration(0), q.deadline - q.earliest - q.expected);
}

ScheduleOutcome ScheduledRun::outcome() const {
  ScheduleOutcome o;
  o.mode = schedule_.request().mode;
  o.pause_mode = settings_.pause_mode;
  for (const auto& e : report_.events)
    if (e.kind == "pause" || e.kind == "checkpoint") ++o.pauses;
  o.waited = report_.waited;
  o.run_time = report_.run_time;
  o.time_added = report_.time_added;
  o.deadline_met = report_.deadline_met;
  o.deadline_summary = report_.deadline_summary();
  o.guard_engaged = report_.guard_engaged;
  o.emissions = report_.emissions;
  o.at_once = report_.at_once;
  o.forecast_label = settings_.forecast_label;
  o.time_scale = request_.time_scale;
  return o;
}

std::vector<std::string> ScheduledRun::warnings() const {
  auto w = warnings_;
  w.insert(w.end(), report_.warnings.begin(), report_.warnings.end());
  return w;
}

}  // namespace greenrun::engine
