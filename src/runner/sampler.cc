#include "runner/sampler.h"

#include <algorithm>
#include <cassert>

namespace greenrun::runner {

using sensors::Component;

Sampler::Sampler(Clock& clock, std::vector<std::unique_ptr<sensors::EnergySensor>> sensors,
                 const sensors::ProcReader& proc, TimelineWriter* timeline, Duration interval)
    : clock_(clock), sensors_(std::move(sensors)), proc_(proc), timeline_(timeline), interval_(interval) {
  assert(interval >= kMinInterval && interval <= kMaxInterval);
}

void Sampler::start(pid_t job_root) {
  job_root_ = job_root;
  start_steady_ = clock_.steady_now();
  next_ = start_steady_ + interval_;
  last_utc_ = clock_.utc_now();
  totals_.start = last_utc_;
  totals_.end = last_utc_;
  if (auto m = proc_.machine_cpu()) last_machine_ = *m;
  job_ticks_high_ = job_root > 0 ? proc_.tree_cpu(job_root).ticks : 0;
  // One reading at the start, dropped: each sensor's baseline (a counter, or
  // the instant power is integrated from) becomes the job's start, not the
  // moment the sensor was set up — the time between (making the run folder,
  // spawning, on a loaded machine a good part of a second) is not the job's.
  // A failing read is left to the first real sample to report.
  const sensors::SampleInput input{start_steady_, {}, 0};
  for (auto& sensor : sensors_) (void)sensor->read(input);
}

void Sampler::warn_once(const std::string& w) {
  if (std::find(totals_.warnings.begin(), totals_.warnings.end(), w) == totals_.warnings.end())
    totals_.warnings.push_back(w);
}

Status Sampler::sample(std::optional<uint64_t> job_ticks_final) {
  const SteadyTime now = clock_.steady_now();
  const UtcTime utc = clock_.utc_now();

  // Machine utilisation and the job's share of busy CPU time.
  double utilisation = 0, share = 0;
  std::vector<pid_t> pids;
  uint64_t job_ticks = job_ticks_high_;
  if (job_ticks_final) {
    job_ticks = *job_ticks_final;
  } else if (job_root_ > 0) {
    auto tree = proc_.tree_cpu(job_root_);
    if (tree.walk == sensors::TreeWalk::kScanAll)
      warn_once(
          "procfs has no task/*/children files: the job's processes were found "
          "by scanning every process");
    job_ticks = tree.ticks;
    pids = std::move(tree.pids);
  }
  const uint64_t job_delta = job_ticks > job_ticks_high_ ? job_ticks - job_ticks_high_ : 0;
  job_ticks_high_ = std::max(job_ticks_high_, job_ticks);
  if (auto m = proc_.machine_cpu()) {
    const uint64_t busy = m->busy >= last_machine_.busy ? m->busy - last_machine_.busy : 0;
    const uint64_t total = m->total >= last_machine_.total ? m->total - last_machine_.total : 0;
    utilisation = total ? static_cast<double>(busy) / static_cast<double>(total) : 0;
    // The job's ticks come from another file read at another instant; a
    // share a little over 1 is rounding, clamp it.
    share = busy ? std::min(1.0, static_cast<double>(job_delta) / static_cast<double>(busy)) : (job_delta ? 1.0 : 0.0);
    last_machine_ = *m;
  } else {
    warn_once("cannot read machine CPU time: " + m.error().message);
  }

  IntervalRecord rec;
  rec.start = last_utc_;
  rec.end = utc;
  rec.cpu_utilisation = utilisation;
  rec.job_cpu_share = share;
  const sensors::SampleInput input{now, pids, utilisation};
  for (auto it = sensors_.begin(); it != sensors_.end();) {
    auto s = (*it)->read(input);
    if (!s) {
      const std::string w = std::string((*it)->name()) + " sensor stopped: " + s.error().message;
      warn_once(w);
      rec.warnings.push_back(w);
      it = sensors_.erase(it);
      continue;
    }
    for (const auto& w : s->warnings) {
      warn_once(w);
      rec.warnings.push_back(w);
    }
    for (const auto& r : s->readings) {
      Energy job;
      if (r.job_energy) {
        job = *r.job_energy;
      } else if (r.component == Component::kGpu) {
        job = r.energy;
      } else {
        job = r.energy * share;
      }
      auto [slot, fresh] = rec.components.try_emplace(r.component, ComponentInterval{{}, {}, r.method});
      slot->second.machine += r.energy;
      slot->second.job += job;
      if (!fresh) slot->second.method = sensors::weaker(slot->second.method, r.method);
      auto [tot, tfresh] = totals_.components.try_emplace(r.component, ComponentTotal{{}, {}, r.method, {}});
      tot->second.machine += r.energy;
      tot->second.job += job;
      if (!tfresh) tot->second.method = sensors::weaker(tot->second.method, r.method);
      if (std::find(tot->second.devices.begin(), tot->second.devices.end(), r.device) == tot->second.devices.end())
        tot->second.devices.push_back(r.device);
    }
    ++it;
  }
  last_utc_ = utc;
  totals_.end = utc;
  totals_.steady_duration = std::chrono::duration_cast<Duration>(now - start_steady_);
  ++totals_.intervals;
  // Next deadline: skip the ones already missed, and count them.
  next_ += interval_;
  while (next_ <= now) {
    next_ += interval_;
    ++totals_.dropped_deadlines;
  }
  if (!pending_marks_.empty() && rec.end > rec.start && !rec.components.empty()) {
    rec.extra_json = "\"marks\":[";
    for (size_t i = 0; i < pending_marks_.size(); ++i) rec.extra_json += (i ? "," : "") + pending_marks_[i];
    rec.extra_json += "]";
    pending_marks_.clear();
  }
  if (timeline_) return timeline_->append(rec);
  return {};
}

Status Sampler::sample_now() {
  const SteadyTime due = next_;
  const size_t dropped = totals_.dropped_deadlines;
  const bool early = clock_.steady_now() < due;
  auto s = sample();
  if (early) {
    next_ = due;
    totals_.dropped_deadlines = dropped;
  }
  return s;
}

void Sampler::add_mark(std::string json_object) { pending_marks_.push_back(std::move(json_object)); }

Status Sampler::sample_at_next_deadline() {
  clock_.sleep_until(next_);
  return sample();
}

}  // namespace greenrun::runner
