#include "run_execution.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pthread.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <ostream>
#include <set>

#include "base/quantity_parse.h"
#include "base/text_reader.h"
#include "base/time_format.h"
#include "intensity/forecast_selection.h"
#include "intensity/providers/live_forecast.h"
#include "intensity/store.h"
#include "intensity/zone_catalogue.h"
#include "runner/carbon_aware_executor.h"
#include "runner/execution_record.h"
#include "runner/job_controller.h"
#include "runner/run_store.h"
#include "runner/scaled_clock.h"

namespace greenrun::cli {
namespace {

using runner::ExecutionSchedule;
using runner::ScheduleRequest;
using scheduling::Mode;

using Failure = ScheduledRun::Failure;

std::unexpected<Failure> usage(std::string m) { return std::unexpected(Failure{2, std::move(m)}); }
std::unexpected<Failure> failure(std::string m) { return std::unexpected(Failure{1, std::move(m)}); }

struct LoadedForecast {
  intensity::IntensitySeries series;
  std::string label;
  std::optional<intensity::SeriesKey> key;  // set when it came from the store
};

// The best stored series covering [from, to) (a forecast before actual data,
// life-cycle before direct before marginal), else the typical profile.
Result<LoadedForecast> load_forecast(const std::string& store_path, const std::string& zone, UtcTime from,
                                     UtcTime to, std::vector<std::string>& warnings) {
  if (zone.empty())
    return make_error("carbon-aware execution needs a grid zone: give --zone (or --region) or set GREENRUN_ZONE");
  if (std::filesystem::exists(store_path)) {
    auto store = intensity::IntensityStore::open(store_path);
    if (!store) return make_error(store.error().message);
    auto sel = intensity::select_stored_forecast(*store, zone, from, to);
    if (!sel) return make_error(sel.error().message);
    if (sel->chosen)
      return LoadedForecast{std::move(sel->chosen->series), std::move(sel->chosen->label), sel->chosen->key};
  }
  auto typical = intensity::ZoneCatalogue::embedded().typical_series(zone, intensity::Signal::kAverageLifecycle,
                                                                     from, to);
  if (!typical)
    return make_error("no forecast for zone " + zone + " covering " + format_utc(from) + " .. " + format_utc(to) +
                      " in the store (" + store_path + ") and no typical profile: fetch one with `greenrun intensity "
                      "fetch` or import data with `greenrun intensity import`");
  LoadedForecast f{std::move(*typical), "", std::nullopt};
  f.label = "typical profile, not a forecast (" + f.series.provenance().source + ")";
  warnings.push_back("no forecast for zone " + zone + " in the store covers the window: scheduling on the " + f.label);
  return f;
}

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

// Fetches while a job waits: one request (waited_forecast_curl_options: at
// most 15 s; the next refresh is its retry), so greenrun never waits long on
// the network when the job ends (the destructor joins the fetch in flight).
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
  LiveForecastSource(intensity::ForecastSpec spec, intensity::ProviderSettings settings, Clock& clock,
                     std::string store_path, UtcTime from, UtcTime to, intensity::IntensitySeries current,
                     Duration every)
      : http_(intensity::waited_forecast_curl_options()),
        feed_(std::move(spec), std::move(settings), http_, clock, std::move(store_path), refresh_retry_policy()),
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
      if (r) {
        if (r->choice == intensity::FallbackChoice::kFetched) {
          if (failing_) warnings.push_back("forecast refresh at " + format_utc(now) + " fetched again");
          failing_ = false;
          ++fetched_;
          last_fetched_ = r->fetched_at;
          for (const auto& w : r->warnings) note("forecast refresh: " + w);
        }
        // Only a fetched forecast replaces the one in use: a fallback would
        // only repeat older data.
        const auto f = fingerprint(r->series);
        if (r->choice == intensity::FallbackChoice::kFetched && f != fingerprint_) {
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

  intensity::CurlHttpClient http_;
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

// The Sampler on the real clock, seen from the executor's (scaled) clock.
class SamplerMeter final : public runner::EnergyMeter {
 public:
  SamplerMeter(runner::Sampler& s, const runner::ScaledClock& clock, bool final_ticks_from_wait)
      : sampler_(s), clock_(clock), final_ticks_(final_ticks_from_wait) {}
  void begin(pid_t root) override { sampler_.start(root); }
  SteadyTime next_deadline() const override { return clock_.from_base(sampler_.next_deadline()); }
  void sample(const std::optional<runner::ExitStatus>& final) override {
    auto s = final && final_ticks_ ? sampler_.sample(final->cpu_ticks()) : sampler_.sample();
    if (!s) errors_.push_back(s.error().message);
  }
  Energy job_energy() const override {
    Energy e;
    for (const auto& [c, t] : sampler_.totals().components)
      if (c != sensors::Component::kPlatform) e += t.job;
    return e;
  }
  std::vector<std::string> errors_;

 private:
  runner::Sampler& sampler_;
  const runner::ScaledClock& clock_;
  bool final_ticks_;
};

std::string mass_text(Mass m) {
  if (m.grams() >= 1000) return fmt::format("{:.3f} kg CO2e", m.kilograms());
  if (m.grams() >= 1) return fmt::format("{:.2f} g CO2e", m.grams());
  return fmt::format("{:.3f} mg CO2e", m.grams() * 1000);
}

class ScheduledRunImpl final : public ScheduledRun {
 public:
  struct Live {
    intensity::ForecastSpec spec;
    intensity::ProviderSettings settings;
    Duration every{0};
  };
  ScheduledRunImpl(std::vector<std::string> command, ExecutionSchedule schedule, runner::JobControllerOptions job,
                   double scale, runner::ExecutionSettings settings, std::optional<intensity::SeriesKey> key,
                   std::optional<Live> live, std::string store_path, UtcTime window_to,
                   std::vector<std::string> warnings)
      : live_(std::move(live)),
        command_(std::move(command)),
        schedule_(std::move(schedule)),
        job_options_(std::move(job)),
        scale_(scale),
        settings_(std::move(settings)),
        key_(std::move(key)),
        store_path_(std::move(store_path)),
        window_to_(window_to),
        warnings_(std::move(warnings)) {}

  std::expected<runner::ExitStatus, runner::SpawnError> run(runner::Sampler& sampler, std::ostream& err) override {
    SystemClock real;
    runner::ScaledClock clock(real, scale_);
    runner::JobController job(clock, &clock, job_options_);
    SamplerMeter meter(sampler, clock, job_options_.mode == runner::PauseMode::kStop);
    std::optional<StoreForecastSource> stored;
    std::optional<LiveForecastSource> fetched;
    runner::ForecastSource* source = nullptr;
    runner::ExecutorOptions o;
    if (live_) {
      fetched.emplace(live_->spec, live_->settings, clock, store_path_, schedule_.request().earliest, window_to_,
                      schedule_.forecast(), live_->every);
      source = &*fetched;
      // Poll often; the source fetches every `every` and answers at once.
      o.forecast_refresh = std::min<Duration>(live_->every, std::chrono::minutes(1));
    } else if (key_) {
      stored.emplace(store_path_, *key_, schedule_.request().earliest, window_to_, schedule_.forecast());
      source = &*stored;
    }
    o.status = &err;
    o.live = ::isatty(STDERR_FILENO) == 1;
    report_ = runner::execute(clock, schedule_, job, &meter, source, o);
    if (fetched) {
      settings_.forecast_label += fetched->summary();
      for (auto& w : fetched->warnings) report_.warnings.push_back(std::move(w));
    }
    for (auto& w : job.take_warnings()) report_.warnings.push_back(std::move(w));
    for (auto& w : meter.errors_) report_.warnings.push_back(std::move(w));
    if (report_.spawn_error) return std::unexpected(*report_.spawn_error);
    if (report_.exit) return *report_.exit;
    runner::ExitStatus interrupted;
    interrupted.signalled = true;
    interrupted.signal = report_.interrupt_signal > 0 ? report_.interrupt_signal : SIGINT;
    return interrupted;
  }

  Result<runner::ScheduleSummary> schedule_record() const override {
    return runner::execution_record(report_, schedule_, settings_);
  }

  void print_summary(std::ostream& err) const override {
    const auto& r = report_;
    const auto& q = schedule_.request();
    size_t pauses = 0;
    for (const auto& e : r.events)
      if (e.kind == "pause" || e.kind == "checkpoint") ++pauses;
    err << fmt::format("  schedule: {}{}: {} pause{}, waited {} before the start, run time {}, time added {}{}\n",
                       scheduling::to_string(q.mode),
                       settings_.pause_mode.empty() ? "" : " (" + settings_.pause_mode + ")", pauses,
                       pauses == 1 ? "" : "s", format_duration(r.waited), format_duration(r.run_time),
                       format_duration(r.time_added), "; " + r.deadline_summary());
    const double pct = r.at_once.grams() > 0 ? 100.0 * (r.at_once - r.emissions).grams() / r.at_once.grams() : 0;
    err << fmt::format("  schedule emissions ({}): {} against {} had it run at once ({:.1f} % {})\n",
                       settings_.forecast_label, mass_text(r.emissions), mass_text(r.at_once), std::abs(pct),
                       pct >= 0 ? "less" : "more");
    if (r.guard_engaged) err << "  note: the deadline guard ran the job regardless of intensity at some point\n";
    if (scale_ != 1.0) err << fmt::format("  note: time scale {} (schedule time runs {}x real time)\n", scale_, scale_);
  }

  std::vector<std::string> warnings() const override {
    auto w = warnings_;
    w.insert(w.end(), report_.warnings.begin(), report_.warnings.end());
    return w;
  }

 private:
  std::optional<Live> live_;
  std::vector<std::string> command_;
  ExecutionSchedule schedule_;
  runner::JobControllerOptions job_options_;
  double scale_;
  runner::ExecutionSettings settings_;
  std::optional<intensity::SeriesKey> key_;
  std::string store_path_;
  UtcTime window_to_;
  std::vector<std::string> warnings_;
  runner::ExecutionReport report_;
};

// The job's mean power for the plan's expected emissions, and what it is:
// --expected-power, else the mean of the same command's last successful run
// in the store, else a nominal 100 W (plans do not depend on it; only the
// expected figure does).
Result<std::pair<Power, std::string>> expected_power(const Context& ctx, const ExecutionFlags& f,
                                                     const std::vector<std::string>& command,
                                                     std::vector<std::string>& warnings) {
  if (!f.expected_power.empty()) {
    std::string_view t = trim(f.expected_power);
    if (!t.empty() && (t.back() == 'W' || t.back() == 'w')) t.remove_suffix(1);
    auto w = parse_number(trim(t));
    if (!w || !(*w > 0) || !std::isfinite(*w))
      return make_error("--expected-power: expected a power in watts such as 250 or 250W, got " + f.expected_power);
    return std::pair{Power::watts(*w), fmt::format("a {:.0f} W job (--expected-power)", *w)};
  }
  const std::pair nominal{Power::watts(100), std::string("a nominal 100 W job (no earlier run of this command)")};
  if (!std::filesystem::exists(ctx.store_path())) return nominal;
  auto runs = runner::RunStore::open(ctx.store_path());
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
    return std::pair{p, fmt::format("{:.0f} W, the mean of this command's last run ({}, {})", p.watts(), r.id,
                                    sensors::to_string(r.weakest_method()))};
  }
  return nominal;
}

}  // namespace

void add_execution_flags(CLI::App& run, ExecutionFlags& f) {
  const std::string g = "Carbon-aware execution (docs/execution.md)";
  run.add_option("--start-within", f.start_within, "Flexible Start: start at the cleanest time within this delay")
      ->group(g);
  run.add_flag("--pause-resume", f.pause_resume, "Pause and Resume: run in the cleanest hours before the deadline")
      ->group(g);
  run.add_option("--deadline", f.deadline, "The job must end by this UTC time")->group(g);
  run.add_option("--max-delay", f.max_delay, "Delay allowed, as a duration or % of the job (100%: twice as long)")
      ->group(g);
  run.add_option("--expected-duration", f.expected_duration, "How long the job runs without pauses")->group(g);
  run.add_option("--threshold", f.threshold, "Run while intensity <= this: g/kWh (200) or a percentile (p30)")
      ->group(g);
  run.add_option("--pause-mode", f.pause_mode, "stop (SIGSTOP/SIGCONT) or checkpoint (signal, exit, rerun)")
      ->group(g);
  run.add_option("--checkpoint-signal", f.checkpoint_signal, "Signal asking the job to checkpoint (default USR1)")
      ->group(g);
  run.add_option("--grace", f.grace, "Time the job has to exit after the checkpoint signal (default 30s)")->group(g);
  run.add_option("--forecast-provider", f.forecast_provider,
                 "Live forecasts: uk, uk:POSTCODE, watttime:REGION|LAT,LON, electricitymaps[:ZONE|LAT,LON], or store (default: "
                 "GREENRUN_FORECAST_PROVIDER or [forecast] provider in config.toml, else the store)")
      ->group(g);
  run.add_option("--forecast-refresh", f.forecast_refresh,
                 "Fetch the live forecast again this often while the job waits (default 15m)")
      ->group(g);
  run.add_option("--expected-power", f.expected_power,
                 "The job's mean power in W, for the plan's expected emissions (default: the same command's last run)")
      ->group(g);
  run.add_option("--time-scale", f.time_scale, "Testing: schedule time runs N times faster")->group("");
}

bool execution_requested(const ExecutionFlags& f) {
  return !f.start_within.empty() || f.pause_resume || !f.threshold.empty();
}

std::expected<std::unique_ptr<ScheduledRun>, Failure> ScheduledRun::prepare(const Context& ctx,
                                                                             const ExecutionFlags& f,
                                                                             const std::string& zone,
                                                                             std::vector<std::string> command) {
  const int modes = !f.start_within.empty() + f.pause_resume + !f.threshold.empty();
  if (modes > 1) return usage("give one of --start-within, --pause-resume and --threshold");
  if (f.expected_duration.empty())
    return usage("carbon-aware execution needs --expected-duration (how long the job runs without pauses)");
  auto expected = parse_duration(f.expected_duration);
  if (!expected || expected->count() <= 0)
    return usage("--expected-duration: " + (expected ? std::string("expected a positive duration")
                                                     : expected.error().message));
  double scale = f.time_scale;
  if (scale == 0) {
    if (const char* e = std::getenv("GREENRUN_TIME_SCALE"); e && *e) {
      auto v = parse_number(e);
      if (!v) return usage("GREENRUN_TIME_SCALE: " + v.error().message);
      scale = *v;
    } else {
      scale = 1;
    }
  }
  if (!(scale > 0 && std::isfinite(scale))) return usage("--time-scale: expected a positive number");

  runner::JobControllerOptions job;
  job.argv = command;
  auto pm = runner::parse_pause_mode(f.pause_mode);
  if (!pm) return usage("--pause-mode: " + pm.error().message);
  job.mode = *pm;
  auto sig = runner::parse_signal(f.checkpoint_signal);
  if (!sig) return usage("--checkpoint-signal: " + sig.error().message);
  job.checkpoint_signal = *sig;
  auto grace = parse_duration(f.grace);
  if (!grace || grace->count() <= 0) return usage("--grace: expected a positive duration, got " + f.grace);
  job.grace = *grace;

  // The executor's clock starts now (scaled from now on).
  const UtcTime now = SystemClock().utc_now();
  ScheduleRequest req;
  req.earliest = now;
  req.expected = *expected;
  // Margin and drift tolerance cover the real latency of switching (about
  // 100 ms of real time, which a time scale stretches) as well as 1 % of the
  // job.
  const auto latency = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(0.1 * scale));
  req.margin = std::max({Duration(std::chrono::seconds(1)), *expected / 100, latency});
  req.drift_tolerance = std::max<Duration>(std::chrono::minutes(1), latency);
  // A restarted job needs time to start and install its signal handler
  // before it can be asked to checkpoint again: at least 10 minutes (or one
  // real second under a time scale) of work per segment.
  if (job.mode == runner::PauseMode::kCheckpoint)
    req.min_segment = std::max<Duration>(std::chrono::minutes(10), 10 * latency);
  UtcTime from = now, to;
  if (!f.start_within.empty()) {
    if (!f.deadline.empty() || !f.max_delay.empty())
      return usage("--start-within sets the window itself; --deadline and --max-delay go with --pause-resume");
    auto w = parse_duration(f.start_within);
    if (!w || w->count() < 0) return usage("--start-within: expected a duration such as 12h, got " + f.start_within);
    req.mode = Mode::kFlexibleStart;
    req.latest_start = now + *w;
    req.deadline = req.latest_start + *expected;
    to = req.deadline;
  } else {
    req.mode = f.pause_resume ? Mode::kPauseResume : Mode::kThreshold;
    if (f.deadline.empty() == f.max_delay.empty())
      return usage(std::string(f.pause_resume ? "--pause-resume" : "--threshold") +
                   " needs one of --deadline T and --max-delay (e.g. 100%)");
    if (!f.deadline.empty()) {
      auto d = parse_utc(f.deadline);
      if (!d) return usage("--deadline: " + d.error().message);
      req.deadline = *d;
    } else {
      const std::string_view m = trim(f.max_delay);
      Duration delay{0};
      if (!m.empty() && m.back() == '%') {
        auto pct = parse_number(m.substr(0, m.size() - 1));
        if (!pct || *pct < 0) return usage("--max-delay: expected a percentage such as 100%, got " + f.max_delay);
        delay = std::chrono::duration_cast<Duration>(*expected * (*pct / 100.0));
      } else {
        auto d = parse_duration(m);
        if (!d || d->count() < 0) return usage("--max-delay: expected a duration or a percentage, got " + f.max_delay);
        delay = *d;
      }
      req.deadline = now + *expected + delay + req.margin;
    }
    if (req.deadline - now < *expected + req.margin)
      return failure("cannot meet the deadline " + format_utc(req.deadline) + ": the job needs " +
                     format_duration(*expected) + " (+ " + format_duration(req.margin) + " margin) but only " +
                     format_duration(req.deadline - now) + " remain");
    to = req.deadline;
    if (req.mode == Mode::kThreshold) {
      scheduling::ThresholdOptions t;
      const std::string_view th = trim(f.threshold);
      if (!th.empty() && (th.front() == 'p' || th.front() == 'P')) {
        auto p = parse_number(th.substr(1));
        if (!p || *p < 0 || *p > 100) return usage("--threshold: expected p0 to p100, got " + f.threshold);
        t.percentile = *p;
        from = now - t.lookback;
      } else {
        auto v = parse_number(th);
        if (!v || *v < 0) return usage("--threshold: expected g/kWh (200) or a percentile (p30), got " + f.threshold);
        t.absolute = CarbonIntensity::grams_per_kwh(*v);
      }
      t.decision_interval = std::min<Duration>(std::chrono::minutes(5), std::max<Duration>(std::chrono::seconds(1), *expected / 20));
      req.threshold = t;
    }
  }

  std::vector<std::string> warnings;
  auto power = expected_power(ctx, f, command, warnings);
  if (!power) return usage(power.error().message);
  req.power = power->first;
  auto every = parse_duration(f.forecast_refresh);
  if (!every || every->count() <= 0)
    return usage("--forecast-refresh: expected a positive duration such as 15m, got " + f.forecast_refresh);

  // A live provider when one is named (flag, environment or config file).
  std::optional<LoadedForecast> forecast;
  std::optional<ScheduledRunImpl::Live> live;
  if (f.forecast_provider != "store") {
    auto settings = intensity::load_provider_settings(intensity::process_environment(), std::nullopt);
    if (!settings && !f.forecast_provider.empty()) return failure(settings.error().message);
    if (!settings) warnings.push_back(settings.error().message + " (forecast provider settings ignored)");
    std::string text = f.forecast_provider;
    if (text.empty() && settings && settings->forecast_provider) text = *settings->forecast_provider;
    if (!text.empty() && text != "store") {
      auto spec = intensity::parse_forecast_spec(text, zone);
      if (!spec) return usage("--forecast-provider: " + spec.error().message);
      for (const auto& w : settings->warnings) warnings.push_back(w);
      SystemClock clock;
      auto got = intensity::obtain_live_forecast(*spec, *settings, ctx.store_path(), clock, from, to);
      if (!got) return failure(got.error().message);
      for (auto& w : got->warnings) warnings.push_back(std::move(w));
      forecast = LoadedForecast{std::move(got->series), std::move(got->label), std::nullopt};
      // Refresh even after a fallback: the provider may come back.
      live = ScheduledRunImpl::Live{std::move(*spec), std::move(*settings), *every};
    }
  }
  if (!forecast) {
    auto loaded = load_forecast(ctx.store_path(), zone, from, to, warnings);
    if (!loaded) return failure(loaded.error().message);
    forecast = std::move(*loaded);
  }
  runner::ExecutionSettings settings;
  settings.pause_mode = req.mode == Mode::kFlexibleStart ? "" : std::string(runner::to_string(job.mode));
  settings.checkpoint_signal = runner::signal_name(job.checkpoint_signal);
  settings.grace = job.grace;
  settings.time_scale = scale;
  settings.forecast_label = forecast->label;
  settings.power_basis = power->second;
  auto schedule = ExecutionSchedule::make(req, forecast->series);
  if (!schedule) return failure(schedule.error().message);
  for (const auto& w : warnings) *ctx.err << "greenrun: warning: " << w << "\n";
  const auto& plan = schedule->initial_plan();
  if (req.mode != Mode::kThreshold)
    *ctx.err << fmt::format("greenrun: plan ({}): {} segment(s) from {} to {}; expected {} against {} at once, "
                            "for {} (operational, before PUE)\n",
                            scheduling::to_string(req.mode), plan.segments.size(), format_utc(plan.start()),
                            format_utc(plan.end()), mass_text(plan.emissions), mass_text(plan.baseline),
                            power->second);
  return std::make_unique<ScheduledRunImpl>(std::move(command), std::move(*schedule), std::move(job), scale,
                                            std::move(settings), forecast->key, std::move(live), ctx.store_path(),
                                            to, std::move(warnings));
}

}  // namespace greenrun::cli
