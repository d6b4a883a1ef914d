// Fakes for driving the engine (greenrun/engine.h) without processes or a
// real clock: a simulated job whose work is its run time on the fake clock,
// a forecast source that hands out a scripted forecast once the clock passes
// a time, and an Observer that keeps every event. Engine tests and the CLI
// tests that render a run's record share them, so a schedule of hours runs
// in milliseconds whatever the machine's load.
//
// Thread-safety: as the engine calls them (one run at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenrun/engine.h"
#include "runner/carbon_aware_executor.h"
#include "sensors/fake_trees.h"

namespace greenrun::testing {

// A job whose work is its run time on the fake clock; it logs when it runs.
class SimulatedJob final : public runner::JobControl {
 public:
  // `proc` (may be null) is the fake procfs: the job's CPU time there grows
  // with its run time, so the sampler attributes energy to it.
  // `publish_every`: how often the procfs files are rewritten while nothing
  // changes (the files are the slow part); the sampler sees the job's CPU
  // time move at that grain.
  SimulatedJob(Clock& clock, Duration work, std::vector<UtcTime>* starts, ProcTree* proc,
               Duration publish_every = std::chrono::minutes(10))
      : clock_(clock), work_(work), starts_(starts), proc_(proc), publish_every_(publish_every),
        began_(clock.steady_now()) {}
  std::optional<runner::SpawnError> start() override {
    running_ = process_ = true;
    starts_->push_back(clock_.utc_now());
    return std::nullopt;
  }
  // Checkpoint mode: a pause is a checkpoint (the process exits 0 and the
  // next resume() starts it again, going on from where it was), or, with
  // dies_of_checkpoint_signal, the process dies of the signal (no handler).
  void set_pause_mode(runner::PauseMode m) { mode_ = m; }
  void set_dies_of_checkpoint_signal(int sig) { dies_of_ = sig; }
  runner::PauseResult pause() override {
    running_ = false;
    if (mode_ == runner::PauseMode::kStop) return {};
    process_ = false;
    publish();
    if (dies_of_ == 0) return {runner::PauseOutcome::kPaused, std::nullopt, "checkpointed: exited 0"};
    runner::ExitStatus st;
    st.signalled = true;
    st.signal = dies_of_;
    return {runner::PauseOutcome::kExited, st,
            "the job was killed by " + runner::signal_name(dies_of_) + " (it does not handle the checkpoint signal)"};
  }
  std::optional<runner::SpawnError> resume() override {
    running_ = process_ = true;
    starts_->push_back(clock_.utc_now());
    return std::nullopt;
  }
  std::optional<runner::ExitStatus> wait_until(SteadyTime t) override {
    const SteadyTime now = clock_.steady_now();
    if (t < now) t = now;
    if (running_) {
      const SteadyTime finish = now + (work_ - done_);
      if (finish <= t) {
        clock_.sleep_until(finish);
        done_ = work_;
        running_ = process_ = false;
        publish();
        return runner::ExitStatus{};
      }
      done_ += std::chrono::duration_cast<Duration>(t - now);
    }
    clock_.sleep_until(t);
    publish();
    return std::nullopt;
  }
  bool interrupted() const override { return false; }
  bool has_process() const override { return process_; }
  pid_t measured_root() const override { return 4242; }
  runner::PauseMode mode() const override { return mode_; }

 private:
  runner::PauseMode mode_ = runner::PauseMode::kStop;
  int dies_of_ = 0;
  Clock& clock_;
  Duration work_;
  Duration done_{0};
  bool running_ = false, process_ = false;
  std::vector<UtcTime>* starts_;
  ProcTree* proc_;
  Duration publish_every_;
  SteadyTime began_;
  SteadyTime published_{};
  bool was_running_ = false;

  // One CPU busy while the job runs (100 ticks a second), idle otherwise;
  // written every `publish_every_` of schedule and at each change.
  void publish() {
    if (!proc_) return;
    if (clock_.steady_now() - published_ < publish_every_ && running_ == was_running_) return;
    published_ = clock_.steady_now();
    was_running_ = running_;
    const auto job = static_cast<uint64_t>(done_.count() / 10);
    const auto all = static_cast<uint64_t>((clock_.steady_now() - began_) / std::chrono::milliseconds(10));
    proc_->set_process(4242, 1, job, 0);
    proc_->set_machine(1000 + job, 500, 10000 + 2 * all - job);
  }
};

// Hands out `next` once the clock has passed `at`.
class ScriptedForecast final : public runner::ForecastSource {
 public:
  ScriptedForecast(UtcTime at, intensity::IntensitySeries next, std::optional<UtcTime>* delivered)
      : at_(at), next_(std::move(next)), delivered_(delivered) {}
  std::optional<intensity::IntensitySeries> poll(UtcTime now) override {
    if (delivered_->has_value() || now < at_) return std::nullopt;
    *delivered_ = now;
    return next_;
  }

 private:
  UtcTime at_;
  intensity::IntensitySeries next_;
  std::optional<UtcTime>* delivered_;
};

class Recorder final : public engine::Observer {
 public:
  void on_event(const engine::Event& e) override { events.push_back(e); }
  bool has(engine::EventKind kind, const std::string& fragment) const {
    for (const auto& e : events)
      if (e.kind == kind && e.text.find(fragment) != std::string::npos) return true;
    return false;
  }
  std::vector<engine::Event> events;
};

}  // namespace greenrun::testing
