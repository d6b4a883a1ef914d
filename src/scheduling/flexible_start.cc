#include "scheduling/flexible_start.h"

#include <algorithm>
#include <limits>

#include "greenrun/base/time_format.h"
#include "scheduling/forecast_integral.h"

namespace greenrun::scheduling {
namespace {

// Offsets (ms from the job's start) and kW of each power interval.
struct ProfileSteps {
  std::vector<int64_t> offset;  // m + 1 boundaries
  std::vector<double> kw;       // m powers
};

ProfileSteps profile_steps(const Job& job) {
  ProfileSteps p;
  p.offset.push_back(0);
  if (job.power().is_constant()) {
    p.offset.push_back(job.duration().count());
    p.kw.push_back(job.power().mean_power().watts() / 1e3);
    return p;
  }
  for (const PowerInterval& part : job.power().parts()) {
    p.offset.push_back(p.offset.back() + part.duration.count());
    p.kw.push_back(part.power.watts() / 1e3);
  }
  return p;
}

// Every start in [first, last] where the job's emissions, a piecewise-linear
// function of its start, can bend: where its start or any power interval's
// boundary meets a boundary of the forecast (b - offset_j), plus first and
// last. Its minimum over all real starts is at one of them. Sorted, unique.
std::vector<int64_t> aligned_candidates(const intensity::IntensitySeries& s, const ProfileSteps& p, int64_t first,
                                        int64_t last) {
  std::vector<int64_t> out = {first, last};
  const int64_t reach = last + p.offset.back();
  const auto add = [&](int64_t b) {
    for (const int64_t off : p.offset) {
      const int64_t t = b - off;
      if (t > first && t < last) out.push_back(t);
    }
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const auto pt = s.point(i);
    const int64_t a = pt.start.time_since_epoch().count(), b = a + pt.duration.count();
    if (b < first) continue;
    if (a > reach) break;
    add(a);
    add(b);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

Mass emissions_at(const intensity::IntensitySeries& forecast, const Job& job, UtcTime start) {
  const ProfileSteps p = profile_steps(job);
  double g = 0;
  for (size_t j = 0; j < p.kw.size(); ++j) {
    const auto in = forecast.integrate(start + Duration(p.offset[j]), start + Duration(p.offset[j + 1]));
    g += grams_from_integral(p.kw[j], in.g_per_kwh_ms);
  }
  return Mass::grams(g);
}

Result<Plan> plan_flexible_start(const intensity::IntensitySeries& forecast, const Job& job,
                                 const FlexibleStartRequest& request) {
  if (request.latest < request.earliest)
    return make_error("latest start " + format_utc(request.latest) + " is before the earliest " +
                      format_utc(request.earliest));
  const ForecastIntegral f(forecast);
  if (auto ok = f.require_covered(request.earliest, request.latest + job.duration()); !ok)
    return make_error(ok.error().message);
  if (request.step && request.step->count() <= 0)
    return make_error("expected a positive candidate step, got " + std::to_string(request.step->count()) + " ms");

  const ProfileSteps p = profile_steps(job);
  std::vector<ForecastIntegral::Cursor> cursors(p.offset.size(), ForecastIntegral::Cursor(f));
  std::vector<double> F(p.offset.size());
  const int64_t first = request.earliest.time_since_epoch().count();
  const int64_t last = request.latest.time_since_epoch().count();
  // Without a step: the starts aligned to the forecast (exact optimum).
  // With one: the grid earliest + k x step, as asked.
  std::vector<int64_t> starts;
  if (request.step) {
    for (int64_t t = first; t <= last; t += request.step->count()) starts.push_back(t);
  } else {
    starts = aligned_candidates(forecast, p, first, last);
  }
  double best = std::numeric_limits<double>::infinity();
  double baseline = 0;
  int64_t best_start = first;
  for (const int64_t t : starts) {
    for (size_t j = 0; j < p.offset.size(); ++j) F[j] = cursors[j].at(t + p.offset[j]);
    double g = 0;
    for (size_t j = 0; j < p.kw.size(); ++j) g += grams_from_integral(p.kw[j], F[j + 1] - F[j]);
    if (t == first) baseline = g;
    // Strictly less (with a relative tolerance for rounding): ties stay early.
    if (t == first || g < best - 1e-12 * std::abs(best)) {
      best = g;
      best_start = t;
    }
  }
  Plan plan;
  plan.mode = Mode::kFlexibleStart;
  const UtcTime s{Duration(best_start)};
  plan.segments.push_back(Segment{s, s + job.duration(), Duration(0)});
  plan.emissions = Mass::grams(best);
  plan.baseline = Mass::grams(baseline);
  return plan;
}

}  // namespace greenrun::scheduling
