// Property: any RunRecord round-trips through run.json exactly —
// run_record_from_json(to_json(r)) == r, every section typed (the emissions
// breakdowns, the schedule, the tracker) — and writing it again gives the
// same text. Records come from a seeded generator; the seed is printed and
// GREENRUN_TEST_SEED=N replays one (testing/seed.h).
//
// What the generator keeps to, and why (each is what real records do, or a
// limit of the file's units, not of the codec):
// - the record's derived figures are not stored separately: each signal's
//   `energy` is the breakdown's, the marginal components' energy and method
//   are the average's (one timeline priced twice), and a breakdown without a
//   series source has no series zone or origin (the file writes "series":
//   null);
// - a flexible-start figure that was computed has no `reason`, and one that
//   was not has nothing else (the file writes one or the other);
// - masses the file holds in kilograms (embodied hardware, the tracker's
//   budget) are multiples of 1/64 kg, which survive g -> kg -> g exactly;
// - text outside the byte fields (project, phase, command, out_dir, host
//   name, which may be any bytes) is valid UTF-8: other text has its bad
//   bytes replaced on writing, by design;
// - greenrun_version is this greenrun's (to_json writes its own).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "greenrun/runner/run_record.h"
#include "testing/seed.h"

namespace greenrun::runner {
namespace {

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  bool coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }
  int64_t between(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  size_t count(size_t hi) { return static_cast<size_t>(between(0, static_cast<int64_t>(hi))); }

  // Any finite double: zero, small integers, and reals over many magnitudes
  // and both signs.
  double real(bool negative_too = true) {
    double v = 0;
    switch (between(0, 4)) {
      case 0: v = 0; break;
      case 1: v = static_cast<double>(between(0, 100000)); break;
      case 2: v = std::uniform_real_distribution<double>(0, 1)(rng_); break;
      default: v = std::uniform_real_distribution<double>(0, 1)(rng_) * std::pow(10.0, between(-9, 12)); break;
    }
    return negative_too && coin(0.2) ? -v : v;
  }
  double share() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  Energy energy() { return Energy::joules(real()); }
  Mass mass() { return Mass::grams(real()); }
  CarbonIntensity intensity() { return CarbonIntensity::grams_per_kwh(real(false)); }
  Power power() { return Power::watts(real(false)); }
  Mass kilograms_exact() { return Mass::kilograms(static_cast<double>(between(0, 1 << 20)) / 64.0); }
  // Milliseconds up to ~115 days.
  Duration duration() { return Duration(between(0, 10'000'000'000)); }
  // 1970 .. 2100, at millisecond resolution.
  UtcTime time() { return UtcTime(Duration(between(0, 4'102'444'800'000))); }

  // Valid UTF-8, with the characters JSON must escape.
  std::string text(size_t max_len = 12) {
    static const std::vector<std::string> pieces = {"a", "Z", "0", " ", "-", "_", "/", ".", "\"", "\\", "\n", "\t",
                                                    "\x01", "\x7f", "é", "ß", "漢", "😀", "x\\xff", "{", "}"};
    std::string s;
    for (size_t n = count(max_len); n > 0; --n) s += pieces[count(pieces.size() - 1)];
    return s;
  }
  // Any bytes (a command's argument, a path): sometimes not UTF-8.
  std::string bytes(size_t max_len = 12) {
    if (coin(0.7)) return text(max_len);
    std::string s;
    for (size_t n = count(max_len); n > 0; --n) {
      if (coin(0.3))
        s += static_cast<char>(between(0x80, 0xff));  // a lone lead or continuation byte
      else
        s += text(2);
    }
    return s;
  }
  std::vector<std::string> texts(size_t max_n = 3) {
    std::vector<std::string> v(count(max_n));
    for (auto& s : v) s = text();
    return v;
  }
  std::optional<std::string> maybe_text() { return coin() ? std::optional<std::string>(text()) : std::nullopt; }
  template <typename T>
  T pick(std::initializer_list<T> values) {
    return *(values.begin() + count(values.size() - 1));
  }
  sensors::Method method() {
    return pick({sensors::Method::kMeasured, sensors::Method::kIntegrated, sensors::Method::kEstimated,
                 sensors::Method::kSimulated});
  }

  accounting::SignalEmissions signal(const accounting::EmissionsBreakdown& b, bool average) {
    accounting::SignalEmissions s;
    s.signal = average ? pick({intensity::Signal::kAverageLifecycle, intensity::Signal::kAverageDirect})
                       : intensity::Signal::kMarginal;
    s.energy = b.energy;
    if (average) {
      for (size_t n = count(4); n > 0; --n)
        s.components.push_back({text(6), energy(), method(), mass()});
    } else {
      for (const auto& c : b.average.components) s.components.push_back({c.component, c.energy, c.method, mass()});
    }
    s.operational = mass();
    s.energy_time_resolved = energy();
    s.energy_fallback = energy();
    s.energy_unpriced = energy();
    s.time_resolved = duration();
    s.time_fallback = duration();
    s.time_unpriced = duration();
    s.operational_fallback = mass();
    s.energy_at_estimated_points = energy();
    if (coin(0.8)) {
      s.series_source = "x" + text();
      s.series_zone = text(4);
      s.series_origin = pick({intensity::Origin::kActual, intensity::Origin::kForecast, intensity::Origin::kTypical});
    }
    if (coin()) s.fallback = accounting::FallbackIntensity{intensity(), text()};
    s.estimate = coin();
    s.estimate_reasons = texts();
    return s;
  }

  accounting::EmissionsReport emissions() {
    accounting::EmissionsReport e;
    e.context = {text(4), coin() ? text(6) : "", text(), text(), time(), time()};
    accounting::EmissionsBreakdown& b = e.breakdown;
    b.energy = energy();
    b.span = duration();
    b.active_time = duration();
    b.average = signal(b, true);
    if (coin()) b.marginal = signal(b, false);
    b.pue = 1 + share();
    b.pue_source = text();
    b.pue_overhead_energy = energy();
    b.pue_overhead = mass();
    if (coin()) b.pue_overhead_marginal = mass();
    if (coin()) b.embodied = accounting::EmbodiedLine{{kilograms_exact(), share(), duration(), text()}, duration(), mass()};
    b.total = mass();
    if (coin()) b.total_marginal = mass();
    b.estimate = coin();
    return e;
  }

  ScheduleSummary schedule() {
    ScheduleSummary s;
    s.mode = pick<std::string>({"flexible", "pause-resume", "threshold"});
    s.pause_mode = pick<std::string>({"", "stop", "checkpoint"});
    if (s.pause_mode == "checkpoint") {
      s.checkpoint_signal = pick<std::string>({"SIGUSR1", "SIGTERM"});
      s.grace = duration();
    }
    s.time_scale = coin() ? 1.0 : real(false);
    s.expected_duration = duration();
    if (coin()) s.deadline = time();
    if (coin()) s.latest_start = time();
    s.margin = duration();
    if (coin(0.3)) s.threshold = intensity();
    if (coin(0.3)) s.threshold_percentile = share() * 100;
    s.forecast_label = text();
    s.forecast_zone = text(4);
    s.forecast_origin = text(6);
    s.forecast_signal = text(6);
    s.forecast_source = text();
    if (coin(0.7)) {
      ScheduleSummary::Planned p;
      for (size_t n = count(3); n > 0; --n) p.segments.push_back({time(), time()});
      p.emissions = mass();
      p.baseline = mass();
      if (coin(0.8)) p.power = power();
      if (coin(0.8)) p.power_basis = text();
      if (coin(0.3)) {
        p.held_back_saving_percent = real();
        p.min_saving_percent = real(false);
      }
      s.planned = std::move(p);
    }
    for (size_t n = count(5); n > 0; --n)
      s.events.push_back({time(), text(8), coin(0.8) ? std::optional(intensity()) : std::nullopt, duration(), text()});
    for (size_t n = count(4); n > 0; --n) s.segments.push_back({time(), time(), coin(), energy()});
    s.began = time();
    s.ended = time();
    s.run_time = duration();
    s.waited = duration();
    s.paused = duration();
    s.time_added = duration();
    s.emissions = mass();
    s.at_once = mass();
    if (coin()) s.emissions_note = text();
    s.coverage = share();
    s.deadline_met = coin();
    s.guard_engaged = coin();
    s.replans = count(1000);
    s.interrupted = coin();
    s.warnings = texts();
    return s;
  }

  TrackerSection tracker() {
    TrackerSection t;
    t.process = between(1, 4'000'000);
    t.rank = {static_cast<int>(between(0, 64)), static_cast<int>(between(0, 8)), static_cast<int>(between(1, 64)),
              text()};
    for (size_t n = count(3); n > 0; --n) t.phases.push_back({text(6), time(), time(), coin(), energy()});
    for (size_t n = count(3); n > 0; --n)
      t.marks.push_back({time(), text(6), coin() ? std::optional(real()) : std::nullopt});
    for (size_t n = count(4); n > 0; --n) t.epochs.push_back({duration(), energy()});
    if (coin()) t.epochs_planned = count(1000);
    if (coin()) {
      TrackerSection::Prediction p;
      p.after_epochs = count(100);
      p.epochs_total = count(100);
      p.warmup_excluded = count(5);
      p.confidence = share();
      p.method = text();
      p.duration_s = {real(false), real(false), real(false)};
      p.job = {energy(), energy(), energy()};
      p.emissions = {mass(), mass(), mass()};
      p.emissions_method = text();
      p.outcome.epochs = count(100);
      p.outcome.complete = coin();
      p.outcome.duration = duration();
      p.outcome.job = energy();
      p.outcome.emissions = mass();
      if (p.outcome.complete) {
        p.outcome.error_percent = TrackerSection::Outcome::ErrorPercent{real(), real(), real()};
        p.outcome.energy_within_interval = coin();
      } else {
        p.outcome.note = text();
      }
      t.prediction = std::move(p);
    }
    if (coin()) t.budget = TrackerSection::Budget{kilograms_exact(), coin() ? std::optional(count(50)) : std::nullopt};
    return t;
  }

  RunRecord record() {
    RunRecord r;
    r.id = text(20);
    r.project = bytes();
    r.phase = bytes();
    for (size_t n = count(4); n > 0; --n) r.command.push_back(bytes());
    r.started = time();
    r.ended = time();
    r.duration = duration();
    r.exit_status = static_cast<int>(between(-1000, 1000));
    r.zone = text(6);
    r.zone_source = text();
    r.cloud_region = maybe_text();
    r.sensors = text(8);
    r.sensor_notes = texts();
    for (size_t n = count(4); n > 0; --n) {
      std::vector<std::string> devices = texts();
      r.components.push_back({pick({sensors::Component::kCpu, sensors::Component::kDram, sensors::Component::kGpu,
                                    sensors::Component::kPlatform}),
                              energy(), energy(), method(), devices});
    }
    r.pue = 1 + share();
    if (coin()) r.average = EmissionsFigure{text(), mass(), intensity(), text(), share()};
    if (coin()) r.marginal = EmissionsFigure{text(), mass(), intensity(), text(), share()};
    if (coin(0.7)) r.emissions_job = emissions();
    if (coin(0.5)) r.emissions_machine = emissions();
    if (coin()) {
      FlexibleStartFigure& f = r.flexible_start;
      f.computed = true;
      f.best_start = time();
      f.emissions = mass();
      f.baseline = mass();
      f.saving_percent = real();
      f.basis = text();
      f.source = text();
      f.window = duration();
    } else {
      r.flexible_start.reason = text();
    }
    if (coin(0.4)) r.schedule = schedule();
    if (coin(0.4)) r.tracker = tracker();
    if (coin(0.3)) {
      SlurmContext s;
      s.job_id = text(8);
      s.node = text(8);
      if (coin()) s.procid = static_cast<int>(between(0, 1000));
      if (coin()) s.localid = static_cast<int>(between(0, 16));
      s.step_id = coin() ? text(4) : "";
      r.slurm = std::move(s);
    }
    r.interval = Duration(between(1, 3'600'000));
    r.intervals = count(1'000'000'000);
    r.dropped_deadlines = count(1000);
    r.warnings = texts();
    r.out_dir = bytes(30);
    r.greenrun_version = std::string(greenrun_version());
    r.hostname = bytes();
    r.cpu_model = text();
    r.cpu_count = static_cast<int>(between(0, 512));
    r.ram_total_gb = real(false);
    r.gpu_model = text();
    r.gpu_count = static_cast<int>(between(0, 16));
    return r;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(RunRecordProperty, AnyRecordRoundTripsThroughRunJsonExactly) {
  const uint64_t seed = greenrun::testing::property_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (GREENRUN_TEST_SEED)");
  Gen gen(seed);
  for (int i = 0; i < 250; ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const RunRecord r = gen.record();
    const std::string text = to_json(r);
    auto back = run_record_from_json(text);
    ASSERT_TRUE(back) << back.error().message << "\n" << text;
    // Section by section first, so that a failure says where.
    EXPECT_EQ(back->emissions_job, r.emissions_job) << text;
    EXPECT_EQ(back->emissions_machine, r.emissions_machine) << text;
    EXPECT_EQ(back->schedule, r.schedule) << text;
    EXPECT_EQ(back->tracker, r.tracker) << text;
    EXPECT_EQ(back->flexible_start, r.flexible_start) << text;
    ASSERT_TRUE(*back == r) << text;
    EXPECT_EQ(to_json(*back), text);
  }
}

// The generator reaches every optional section (so the property above covers
// them), and a record that differs is told apart (operator== is not vacuous).
TEST(RunRecordProperty, TheGeneratorCoversEverySectionAndEqualityCanFail) {
  Gen gen(greenrun::testing::property_seed());
  size_t job = 0, machine = 0, marginal = 0, schedule = 0, planned = 0, tracker = 0, prediction = 0, slurm = 0,
         escaped = 0;
  for (int i = 0; i < 400; ++i) {
    const RunRecord r = gen.record();
    job += r.emissions_job.has_value();
    machine += r.emissions_machine.has_value();
    marginal += r.emissions_job && r.emissions_job->breakdown.marginal;
    schedule += r.schedule.has_value();
    planned += r.schedule && r.schedule->planned;
    tracker += r.tracker.has_value();
    prediction += r.tracker && r.tracker->prediction;
    slurm += r.slurm.has_value();
    escaped += to_json(r).find("\"escaped\"") != std::string::npos;
    RunRecord other = r;
    other.components.push_back({});
    EXPECT_FALSE(other == r);
    if (r.schedule) {
      other = r;
      other.schedule->events.push_back({});
      EXPECT_FALSE(other == r);
    }
  }
  for (size_t n : {job, machine, marginal, schedule, planned, tracker, prediction, slurm, escaped}) EXPECT_GT(n, 5u);
}

}  // namespace
}  // namespace greenrun::runner
