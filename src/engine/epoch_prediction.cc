// engine::predict_epochs (greenrun/prediction.h): warm-up detection, the
// mean of the kept epochs, and a Student-t interval for the remaining sum.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "greenrun/prediction.h"

namespace greenrun::engine {
namespace {

constexpr double kAssumedSpread = 0.20;  // per epoch, when one epoch gives no spread

// Two-sided 90 % Student t quantile for `df` degrees of freedom.
double t90(size_t df) {
  static constexpr double kTable[] = {0,     6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833,
                                      1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729,
                                      1.725};
  if (df == 0) return kTable[1];
  if (df < std::size(kTable)) return kTable[df];
  if (df < 30) return 1.70;
  return 1.645;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Whether x stands out from `rest`: more than max(3 scaled MADs, 10 % of
// the median) from the median.
bool stands_out(double x, const std::vector<double>& rest) {
  const double m = median(rest);
  std::vector<double> dev;
  for (double v : rest) dev.push_back(std::abs(v - m));
  const double mad = 1.4826 * median(dev);
  return std::abs(x - m) > std::max(3 * mad, 0.10 * std::abs(m));
}

struct Sum {
  double mid = 0, half = 0;
};

// The remaining `m` epochs from the kept values.
Sum remaining(const std::vector<double>& kept, size_t m, bool& assumed) {
  const double n = static_cast<double>(kept.size());
  double mean = 0;
  for (double v : kept) mean += v;
  mean /= n;
  const double md = static_cast<double>(m);
  if (kept.size() < 2) {
    assumed = true;
    return {mean * md, kAssumedSpread * mean * md};
  }
  double ss = 0;
  for (double v : kept) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (n - 1));
  return {mean * md, t90(kept.size() - 1) * sd * std::sqrt(md + md * md / n)};
}

}  // namespace

Result<EpochPrediction> predict_epochs(std::span<const EpochObservation> observed, size_t total_epochs) {
  if (observed.empty()) return make_error(ErrorKind::kUsage, "prediction: expected at least one measured epoch");
  if (total_epochs < observed.size())
    return make_error(ErrorKind::kUsage, fmt::format("epochs: expected at least the {} epochs already measured, got {}",
                                                     observed.size(), total_epochs));
  std::vector<double> secs, joules;
  for (const auto& e : observed) {
    const double s = std::chrono::duration<double>(e.duration).count();
    const double j = e.energy.joules();
    if (!std::isfinite(s) || !std::isfinite(j) || s < 0 || j < 0)
      return make_error(ErrorKind::kUsage, "prediction: expected non-negative finite epoch figures");
    secs.push_back(s);
    joules.push_back(j);
  }
  EpochPrediction p;
  p.observed = observed.size();
  p.total = total_epochs;
  for (const auto& e : observed) {
    p.measured_duration += e.duration;
    p.measured_energy += e.energy;
  }
  size_t skip = 0;
  if (observed.size() >= 3) {
    const std::vector<double> rest_s(secs.begin() + 1, secs.end()), rest_j(joules.begin() + 1, joules.end());
    if (stands_out(secs[0], rest_s) || stands_out(joules[0], rest_j)) skip = 1;
  }
  p.warmup_excluded = skip;
  const std::vector<double> kept_s(secs.begin() + static_cast<long>(skip), secs.end());
  const std::vector<double> kept_j(joules.begin() + static_cast<long>(skip), joules.end());
  const size_t m = total_epochs - observed.size();
  bool assumed = false;
  const Sum ds = remaining(kept_s, m, assumed);
  const Sum dj = remaining(kept_j, m, assumed);
  const double done_s = std::chrono::duration<double>(p.measured_duration).count();
  const double done_j = p.measured_energy.joules();
  p.duration_s = {done_s + std::max(0.0, ds.mid - ds.half), done_s + ds.mid, done_s + ds.mid + ds.half};
  p.energy_j = {done_j + std::max(0.0, dj.mid - dj.half), done_j + dj.mid, done_j + dj.mid + dj.half};
  std::string how = fmt::format("{} measured epoch{} + {} more at the mean of epoch{} {}-{}", p.observed,
                                p.observed == 1 ? "" : "s", m, kept_s.size() == 1 ? "" : "s", skip + 1, p.observed);
  if (skip) how += " (epoch 1 left out as warm-up: it differs from the others by more than 3 MADs and 10 %)";
  how += assumed ? "; interval +/- 20 % per epoch, assumed (one epoch shows no spread)"
                 : fmt::format("; 90 % interval from their spread (Student t, {} degrees of freedom)",
                               kept_s.size() - 1);
  p.method = std::move(how);
  return p;
}

Range naive_total(std::span<const EpochObservation> observed, size_t total_epochs, bool energy) {
  double sum = 0;
  for (const auto& e : observed)
    sum += energy ? e.energy.joules() : std::chrono::duration<double>(e.duration).count();
  const double v = sum / static_cast<double>(observed.size()) * static_cast<double>(total_epochs);
  return {v, v, v};
}

}  // namespace greenrun::engine
