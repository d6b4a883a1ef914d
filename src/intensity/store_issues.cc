// IntensityStore's issued forecasts: the `issues` table (schema version 3),
// one row per zone x signal x issue time holding the forecast whole, so that
// a replay can plan each decision on the forecast as it was known then.
#include <string>
#include <vector>

#include "greenrun/base/time_format.h"
#include "intensity/store.h"
#include "intensity/store_sql.h"

namespace greenrun::intensity {

using namespace store_sql;

Result<std::vector<ForecastIssue>> IntensityStore::issues(const std::string& zone, Signal signal, UtcTime from,
                                                          UtcTime to) const {
  if (from >= to)
    return make_error("expected a window with from < to, got " + format_utc(from) + " .. " + format_utc(to));
  std::vector<ForecastIssue> out;
  if (!issue_times_) return out;  // an older store opened read-only: no issues kept
  auto st = Stmt::prepare(db_, path_,
                          "SELECT id, issued_ms, first_ms, end_ms, points, import FROM issues WHERE zone = ? AND "
                          "signal = ? AND end_ms > ? AND first_ms < ? ORDER BY issued_ms");
  if (!st) return make_error(st.error().message);
  st->bind(1, zone).bind(2, to_string(signal));
  st->bind(3, from.time_since_epoch().count()).bind(4, to.time_since_epoch().count());
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    ForecastIssue f;
    f.id = st->i64(0);
    f.zone = zone;
    f.signal = signal;
    f.issued = UtcTime(Duration(st->i64(1)));
    f.first = UtcTime(Duration(st->i64(2)));
    f.last_end = UtcTime(Duration(st->i64(3)));
    f.points = static_cast<size_t>(st->i64(4));
    f.import_id = st->i64(5);
    out.push_back(std::move(f));
  }
  if (rc != SQLITE_DONE) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  return out;
}

Result<IntensitySeries> IntensityStore::load_issue(const ForecastIssue& issue) const {
  const std::string what = issue.zone + "/" + std::string(to_string(issue.signal)) + " issued " +
                           format_utc(issue.issued);
  if (!issue_times_) return make_error(path_ + ": no issued forecast " + what + " (the store predates issue times)");
  auto st = Stmt::prepare(db_, path_, "SELECT data, import FROM issues WHERE id = ?");
  if (!st) return make_error(st.error().message);
  st->bind(1, issue.id);
  const int rc = st->step();
  if (rc == SQLITE_DONE) return make_error(path_ + ": no issued forecast " + what);
  if (rc != SQLITE_ROW) return make_error(path_ + ": " + sqlite3_errmsg(db_));
  std::vector<Pt> pts;
  if (!decode(st->blob(0), pts)) return make_error(corrupt_chunk(path_, "issue " + what));
  const int64_t import_id = st->i64(1);
  IntensitySeries out(issue.zone, issue.signal, Origin::kForecast);
  out.reserve(pts.size());
  for (const Pt& p : pts) {
    auto ok = out.append(UtcTime(Duration(p.start)), Duration(p.dur), CarbonIntensity::grams_per_kwh(p.value),
                         p.est != 0);
    if (!ok) return make_error(path_ + ": issue " + what + ": " + ok.error().message);
  }
  out.set_issued(issue.issued);
  auto recs = imports_where("WHERE id = " + std::to_string(import_id));
  if (!recs) return make_error(recs.error().message);
  if (!recs->empty()) out.set_provenance(recs->front().provenance);
  return out;
}

}  // namespace greenrun::intensity
