// greenrun._greenrun: the Python module's bindings over the engine's public
// API (greenrun/engine.h, tracker.h, prediction.h). It converts types and
// errors and holds no policy: validation, location, sensors, sampling,
// prediction and recording are the engine's. Errors of kind kUsage become
// ValueError with the engine's one-line message, others RuntimeError.
//
// The GIL: every call that takes the tracker's mutex or does I/O releases it,
// so the sampling thread (plain C++) never waits on Python, and a callback
// from that thread (on_sample) takes the GIL only while it runs.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>

#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"
#include "greenrun/codecarbon_output.h"
#include "greenrun/engine.h"
#include "greenrun/intensity/stored_series.h"
#include "greenrun/intensity/zone_catalogue.h"
#include "greenrun/prediction.h"
#include "greenrun/pricing.h"
#include "greenrun/queries.h"
#include "greenrun/runner/run_record.h"
#include "greenrun/tracker.h"

namespace py = pybind11;
using namespace greenrun;

namespace {

[[noreturn]] void raise(const Error& e) {
  // A request that cannot be valid, or a zone or region greenrun does not know.
  if (e.kind == ErrorKind::kUsage || e.kind == ErrorKind::kNotFound) throw py::value_error(e.message);
  throw std::runtime_error(e.message);
}

template <typename T>
T value_or_raise(Result<T> r) {
  if (!r) raise(r.error());
  return std::move(*r);
}

Duration seconds_to_duration(double s, const char* name) {
  if (!std::isfinite(s) || s < 0) throw py::value_error(std::string(name) + ": expected a non-negative number of seconds");
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

double unix_seconds(UtcTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

py::dict range_dict(const engine::Range& r) {
  py::dict d;
  d["low"] = r.low;
  d["mid"] = r.mid;
  d["high"] = r.high;
  return d;
}

py::dict live_dict(const engine::LiveFigures& f) {
  py::dict d;
  d["elapsed_s"] = std::chrono::duration<double>(f.elapsed).count();
  d["job_j"] = f.job_energy.joules();
  d["machine_j"] = f.machine_energy.joules();
  d["method"] = std::string(sensors::to_string(f.method));
  d["emissions_g"] = f.emissions ? py::cast(f.emissions->grams()) : py::none();
  d["intensity_g_per_kwh"] = f.intensity.grams_per_kwh();
  d["emissions_source"] = f.emissions_source;
  d["coverage"] = f.coverage;
  return d;
}

py::dict epoch_dict(const engine::EpochReport& r) {
  py::dict d;
  d["epoch"] = r.epoch;
  d["duration_s"] = std::chrono::duration<double>(r.duration).count();
  d["job_j"] = r.energy.joules();
  d["over_budget"] = r.over_budget;
  if (r.prediction) {
    const auto& p = *r.prediction;
    py::dict pd;
    pd["after_epochs"] = p.epochs.observed;
    pd["epochs_total"] = p.epochs.total;
    pd["warmup_excluded"] = p.epochs.warmup_excluded;
    pd["confidence"] = p.epochs.confidence;
    pd["method"] = p.epochs.method;
    pd["duration_s"] = range_dict(p.epochs.duration_s);
    pd["job_j"] = range_dict(p.epochs.energy_j);
    pd["emissions_g"] = range_dict(p.emissions_g);
    pd["emissions_method"] = p.emissions_method;
    d["prediction"] = pd;
  } else {
    d["prediction"] = py::none();
  }
  return d;
}

// The engine's Tracker behind a handle Python owns.
class PyTracker {
 public:
  PyTracker(const py::kwargs& kw) {
    engine::TrackRequest req;
    engine::Services services;
    auto opt_str = [&](const char* k) -> std::optional<std::string> {
      if (!kw.contains(k) || kw[k].is_none()) return std::nullopt;
      return kw[k].cast<std::string>();
    };
    req.zone = opt_str("zone");
    req.region = opt_str("region");
    req.project = opt_str("project").value_or("");
    req.phase = opt_str("phase").value_or("");
    req.out_dir = opt_str("out_dir");
    req.sensors = opt_str("sensors").value_or("");
    if (kw.contains("interval")) req.interval = seconds_to_duration(kw["interval"].cast<double>(), "interval");
    if (kw.contains("pue")) req.pue = kw["pue"].cast<double>();
    if (kw.contains("command")) req.command = kw["command"].cast<std::vector<std::string>>();
    if (kw.contains("epochs") && !kw["epochs"].is_none()) req.epochs = kw["epochs"].cast<size_t>();
    if (kw.contains("epochs_before_pred")) req.epochs_before_prediction = kw["epochs_before_pred"].cast<size_t>();
    if (kw.contains("budget_kg") && !kw["budget_kg"].is_none())
      req.budget = Mass::kilograms(kw["budget_kg"].cast<double>());
    services.store_path = intensity::default_store_path(opt_str("store"));
    py::gil_scoped_release release;
    tracker_ = value_or_raise(engine::Tracker::start(req, services));
  }
  // Joining the sampling thread without the GIL: it may be waiting for the
  // GIL in an on_sample callback.
  ~PyTracker() {
    py::gil_scoped_release release;
    tracker_.reset();
  }
  PyTracker(const PyTracker&) = delete;
  PyTracker& operator=(const PyTracker&) = delete;

  std::string id() const { return tracker_->id(); }
  std::string out_dir() const { return tracker_->out_dir(); }
  bool active() const {
    py::gil_scoped_release release;
    return tracker_->active();
  }
  py::dict rank() const {
    py::dict d;
    d["rank"] = tracker_->rank().rank;
    d["local_rank"] = tracker_->rank().local_rank;
    d["world_size"] = tracker_->rank().world_size;
    d["source"] = tracker_->rank().source;
    return d;
  }
  void mark(const std::string& name, std::optional<double> value) {
    py::gil_scoped_release release;
    tracker_->mark(name, value);
  }
  void phase_begin(const std::string& name) {
    Status s;
    {
      py::gil_scoped_release release;
      s = tracker_->phase_begin(name);
    }
    if (!s) raise(s.error());
  }
  void phase_end(const std::string& name) {
    Status s;
    {
      py::gil_scoped_release release;
      s = tracker_->phase_end(name);
    }
    if (!s) raise(s.error());
  }
  void epoch_start() {
    py::gil_scoped_release release;
    tracker_->epoch_start();
  }
  py::dict epoch_end() {
    std::optional<Result<engine::EpochReport>> r;
    {
      py::gil_scoped_release release;
      r.emplace(tracker_->epoch_end());
    }
    return epoch_dict(value_or_raise(std::move(*r)));
  }
  py::dict live() {
    engine::LiveFigures f;
    {
      py::gil_scoped_release release;
      f = tracker_->live();
    }
    return live_dict(f);
  }
  void on_sample(std::function<void(py::dict)> fn) {
    std::function<void(const engine::SampleSummary&)> cb;
    if (fn) {
      cb = [fn](const engine::SampleSummary& s) {
        py::gil_scoped_acquire gil;
        py::dict d;
        d["start"] = unix_seconds(s.start);
        d["end"] = unix_seconds(s.end);
        d["job_j"] = s.job_energy.joules();
        d["machine_j"] = s.machine_energy.joules();
        d["method"] = std::string(sensors::to_string(s.method));
        fn(d);
      };
    }
    py::gil_scoped_release release;
    tracker_->on_sample(std::move(cb));
  }
  // The run.json path.
  std::string stop(int exit_status, const std::string& note) {
    std::optional<Result<engine::RunOutcome>> r;
    {
      py::gil_scoped_release release;
      r.emplace(tracker_->stop(exit_status, note));
    }
    auto out = value_or_raise(std::move(*r));
    return out.record.out_dir + "/run.json";
  }

 private:
  std::unique_ptr<engine::Tracker> tracker_;
};

py::dict predict(const std::vector<std::pair<double, double>>& epochs, size_t total) {
  std::vector<engine::EpochObservation> obs;
  for (const auto& [s, j] : epochs) obs.push_back({seconds_to_duration(s, "duration"), Energy::joules(j)});
  auto p = value_or_raise(engine::predict_epochs(obs, total));
  py::dict d;
  d["after_epochs"] = p.observed;
  d["epochs_total"] = p.total;
  d["warmup_excluded"] = p.warmup_excluded;
  d["method"] = p.method;
  d["duration_s"] = range_dict(p.duration_s);
  d["job_j"] = range_dict(p.energy_j);
  d["naive_job_j"] = range_dict(engine::naive_total(obs, total, true));
  d["naive_duration_s"] = range_dict(engine::naive_total(obs, total, false));
  return d;
}

UtcTime utc_from_seconds(double s, const char* name) {
  if (!std::isfinite(s)) throw py::value_error(std::string(name) + ": expected a time");
  return UtcTime(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)));
}

engine::Services services_for(const std::optional<std::string>& store) {
  engine::Services s;
  s.store_path = intensity::default_store_path(store);
  return s;
}

py::list points_list(const intensity::IntensitySeries& series) {
  py::list out;
  for (const auto& p : series.points()) {
    py::dict d;
    d["start"] = unix_seconds(p.start);
    d["end"] = unix_seconds(p.end());
    d["g_per_kwh"] = p.value.grams_per_kwh();
    d["estimated"] = p.estimated;
    out.append(d);
  }
  return out;
}

py::dict intensity_query(const std::string& location, double from, double to, const std::string& origin,
                         const std::optional<std::string>& signal, const std::optional<std::string>& store) {
  engine::IntensityRequest req;
  req.location = location;
  req.from = utc_from_seconds(from, "start");
  req.to = utc_from_seconds(to, "end");
  if (!(req.from < req.to)) throw py::value_error("start, end: expected start before end");
  auto o = intensity::parse_origin(origin);
  if (!o) throw py::value_error("origin: " + o.error().message);
  req.origin = *o;
  if (signal) {
    auto sg = intensity::parse_signal(*signal);
    if (!sg) throw py::value_error("signal: " + sg.error().message);
    req.signal = *sg;
  }
  std::optional<Result<engine::IntensityOutcome>> r;
  {
    py::gil_scoped_release release;
    r.emplace(engine::intensity(req, services_for(store)));
  }
  auto out = value_or_raise(std::move(*r));
  py::dict d;
  d["zone"] = out.location.zone;
  d["location"] = out.location.description;
  d["label"] = out.label;
  d["points"] = points_list(out.series);
  return d;
}

py::dict price_query(double joules, double from, double to, const std::optional<std::string>& zone,
                     const std::optional<std::string>& region, double pue, const std::optional<std::string>& store) {
  engine::PriceRequest req;
  req.zone = zone;
  req.region = region;
  req.energy = Energy::joules(joules);
  req.from = utc_from_seconds(from, "start");
  req.to = utc_from_seconds(to, "end");
  req.pue = pue;
  std::optional<Result<engine::PricedEnergy>> r;
  {
    py::gil_scoped_release release;
    r.emplace(engine::price_energy(req, services_for(store)));
  }
  auto out = value_or_raise(std::move(*r));
  py::dict d;
  d["zone"] = out.zone;
  d["grams"] = out.emissions.grams();
  d["g_per_kwh"] = out.mean_intensity.grams_per_kwh();
  d["source"] = out.source;
  d["coverage"] = out.coverage;
  d["marginal_grams"] = out.marginal ? py::cast(out.marginal->grams()) : py::none();
  return d;
}

py::list plans_list(const std::vector<scheduling::Plan>& plans) {
  py::list out;
  for (const auto& p : plans) {
    py::dict pd;
    pd["mode"] = std::string(scheduling::to_string(p.mode));
    pd["emissions_g"] = p.emissions.grams();
    pd["baseline_g"] = p.baseline.grams();
    pd["saving_percent"] = p.saving_percent();
    py::list segs;
    for (const auto& sg : p.segments) segs.append(py::make_tuple(unix_seconds(sg.start), unix_seconds(sg.end)));
    pd["segments"] = segs;
    out.append(pd);
  }
  return out;
}

py::dict plan_query(const std::vector<std::string>& zones, const std::vector<std::string>& regions, double duration_s,
                    std::optional<double> power_w, std::optional<double> energy_j, std::optional<double> from,
                    std::optional<double> window_s, std::optional<double> deadline,
                    const std::vector<std::string>& modes, const std::string& provider,
                    const std::optional<std::string>& plan_on, const std::optional<std::string>& store) {
  engine::PlanRequest req;
  req.zones = zones;
  req.regions = regions;
  req.duration = seconds_to_duration(duration_s, "duration");
  if (power_w) req.power = Power::watts(*power_w);
  if (energy_j) req.energy = Energy::joules(*energy_j);
  if (from) req.from = utc_from_seconds(*from, "start");
  if (window_s) req.window = seconds_to_duration(*window_s, "window");
  if (deadline) req.deadline = utc_from_seconds(*deadline, "deadline");
  if (!modes.empty()) {
    req.modes.clear();
    for (const auto& m : modes) {
      auto mode = scheduling::parse_mode(m);
      if (!mode) throw py::value_error("modes: " + mode.error().message);
      req.modes.push_back(*mode);
    }
  }
  req.forecast.provider = provider;
  if (plan_on) {
    auto origin = intensity::parse_origin(*plan_on);
    if (!origin) throw py::value_error("plan_on: expected actual or forecast, got " + *plan_on);
    req.plan_on = *origin;
  }
  std::optional<Result<engine::PlanOutcome>> r;
  std::vector<std::string> events;
  {
    py::gil_scoped_release release;
    struct Collect final : engine::Observer {
      std::vector<std::string>* out;
      void on_event(const engine::Event& e) override {
        if (e.kind == engine::EventKind::kWarning) out->push_back(e.text);
      }
    } observer;
    observer.out = &events;
    r.emplace(engine::plan(req, services_for(store), observer));
  }
  auto out = value_or_raise(std::move(*r));
  py::dict d;
  d["duration_s"] = std::chrono::duration<double>(out.duration).count();
  d["power_w"] = out.power.watts();
  d["energy_j"] = out.energy.joules();
  d["power_assumed"] = out.power_assumed;
  d["from"] = unix_seconds(out.from);
  d["deadline"] = unix_seconds(out.deadline);
  d["warnings"] = events;
  py::list locations;
  for (size_t li = 0; li < out.locations.size(); ++li) {
    const auto& l = out.locations[li];
    py::dict ld;
    ld["zone"] = l.location.zone;
    ld["location"] = l.location.description;
    ld["forecast_label"] = l.forecast_label;
    ld["plans"] = plans_list(l.plans);
    if (l.on_actuals) {
      py::dict a;
      a["label"] = l.on_actuals->label;
      a["plans"] = plans_list(l.on_actuals->plans);
      ld["on_actuals"] = a;
    } else {
      ld["on_actuals"] = py::none();
    }
    locations.append(ld);
  }
  d["locations"] = locations;
  d["best_location"] = out.best_location;
  d["best_plan"] = out.best_plan;
  return d;
}

}  // namespace

PYBIND11_MODULE(_greenrun, m) {
  m.doc() = "greenrun's engine, for the greenrun Python package (use `import greenrun`).";
  m.def("version", [] { return std::string(runner::greenrun_version()); });
  m.def("default_store", [] { return intensity::default_store_path(std::nullopt); });
  m.def("format_energy", [](double j) { return format_energy(Energy::joules(j)); });
  m.def("format_mass", [](double g) { return format_mass(Mass::grams(g)); });
  m.def("zone_info", [](const std::string& id) -> py::object {
    const auto* z = intensity::ZoneCatalogue::embedded().find_zone(id);
    if (!z) return py::none();
    py::dict d;
    d["id"] = std::string(z->id);
    d["name"] = std::string(z->name);
    d["kind"] = std::string(z->kind);
    return d;
  });
  m.def("append_codecarbon_row", [](const std::string& run_json, const std::string& path,
                                    const std::string& tracking_mode, double wue, const std::string& python_version) {
    engine::CodecarbonOutput o{path, tracking_mode, wue, python_version};
    auto w = value_or_raise(engine::append_codecarbon_row(run_json, o));
    py::dict d;
    d["header"] = w.header;
    d["row"] = w.row;
    d["note"] = w.note ? py::cast(*w.note) : py::none();
    return d;
  });
  m.def("predict_epochs", &predict, py::arg("epochs"), py::arg("total"),
        "Prediction from (duration_s, job_j) per epoch (greenrun/prediction.h), with Carbontracker's rule beside it.");
  m.def("intensity", &intensity_query, py::arg("location"), py::arg("start"), py::arg("end"),
        py::arg("origin") = "actual", py::arg("signal") = py::none(), py::arg("store") = py::none());
  m.def("price_energy", &price_query, py::arg("joules"), py::arg("start"), py::arg("end"), py::arg("zone"),
        py::arg("region"), py::arg("pue"), py::arg("store"));
  m.def("plan", &plan_query, py::arg("zones"), py::arg("regions"), py::arg("duration_s"), py::arg("power_w"),
        py::arg("energy_j"), py::arg("start"), py::arg("window_s"), py::arg("deadline"), py::arg("modes"),
        py::arg("provider"), py::arg("plan_on"), py::arg("store"));
  m.def("find_runs", [](std::optional<std::string> project, std::optional<std::string> phase, size_t limit,
                        const std::optional<std::string>& store) {
    engine::RunFilter f;
    f.project = std::move(project);
    f.phase = std::move(phase);
    f.limit = limit;
    auto runs = value_or_raise(engine::find_runs(f, services_for(store)));
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(runner::to_json(r, -1));
    return out;
  }, py::arg("project") = py::none(), py::arg("phase") = py::none(), py::arg("limit") = 1000,
     py::arg("store") = py::none());
  py::class_<PyTracker>(m, "Tracker")
      .def(py::init<const py::kwargs&>())
      .def_property_readonly("id", &PyTracker::id)
      .def_property_readonly("out_dir", &PyTracker::out_dir)
      .def_property_readonly("rank", &PyTracker::rank)
      .def("active", &PyTracker::active)
      .def("mark", &PyTracker::mark, py::arg("name"), py::arg("value") = py::none())
      .def("phase_begin", &PyTracker::phase_begin)
      .def("phase_end", &PyTracker::phase_end)
      .def("epoch_start", &PyTracker::epoch_start)
      .def("epoch_end", &PyTracker::epoch_end)
      .def("live", &PyTracker::live)
      .def("on_sample", &PyTracker::on_sample)
      .def("stop", &PyTracker::stop, py::arg("exit_status") = 0, py::arg("note") = "");
}
